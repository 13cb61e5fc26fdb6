"""Fixtures of the storage tests: an empty database on each engine, for migrations step by step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.engine import make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database, never migrated: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "postgres":
        engine = make_engine(
            request.getfixturevalue("postgres_server"),
            schema=request.getfixturevalue("postgres_schema"),
        )
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    yield engine
    engine.dispose()
