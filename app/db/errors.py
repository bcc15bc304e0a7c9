"""The database driver's errors, as the layers above may name them (only app/db imports the driver),
and what a SQLSTATE says about the request that caused it."""

from __future__ import annotations

from asyncpg import PostgresError as DriverError

__all__ = ["DriverError", "too_large", "unstorable"]


def too_large(sqlstate: str) -> bool:
    """Class 54, program limit exceeded: the request's value is beyond what PostgreSQL can hold or plan
    (54000 a JSONB or index row too large, 54001 a statement too complex, 54011 too many columns,
    54023 too many arguments). The input's size, not a fault of the service."""
    return sqlstate.startswith("54")


def unstorable(sqlstate: str) -> bool:
    """Class 22, data exception: a value of the request that cannot be stored as given (22001 a string
    too long, 22003 a number out of range, 22021 a NUL byte, 22008 a date out of range)."""
    return sqlstate.startswith("22")
