"""The database driver's errors, as the layers above may name them (only app/db imports the driver)."""

from __future__ import annotations

from asyncpg import PostgresError as DriverError

__all__ = ["DriverError"]
