"""Programme definitions are pure data: these tests need no database.

The top-level ``clean_database`` fixture asks for the test database even for tests marked
``no_database``; here it is replaced by one that needs nothing, so the definitions can be
checked in well under a second.
"""

from __future__ import annotations

import pytest

from app.domain.programmes.registry import ProgrammeRegistry, load_registry


@pytest.fixture(autouse=True)
def clean_database():
    return


@pytest.fixture(scope="session")
def registry() -> ProgrammeRegistry:
    """The shipped definitions only (whatever QAWARD_PROGRAMME_DIRS says)."""
    mp = pytest.MonkeyPatch()
    mp.delenv("QAWARD_PROGRAMME_DIRS", raising=False)
    try:
        return load_registry()
    finally:
        mp.undo()
