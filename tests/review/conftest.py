"""The review domain is pure (books, arithmetic, documents): these tests need no database.

The top-level ``clean_database`` fixture would start the test database for every test; here it
is replaced by one that needs nothing, as in tests/programmes/pure.
"""

from __future__ import annotations

import pytest

from app.domain.review.registry import ReviewRegistry, load_review_registry


@pytest.fixture(autouse=True)
def clean_database():
    return


@pytest.fixture(scope="session")
def review() -> ReviewRegistry:
    return load_review_registry()
