"""Alembic migrations and the models agree on SQLite and PostgreSQL; one head; upgrade works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.migrations import current_revision, head_revisions, include_object, script_location
from storage.models import Base
from tests.conftest import TestDatabase


def test_single_migration_head() -> None:
    heads = ScriptDirectory(str(script_location())).get_heads()
    assert len(heads) == 1, f"several Alembic heads {heads}: merge them"


def test_upgrade_from_empty_reaches_head(db: TestDatabase) -> None:
    assert current_revision(db.engine) in head_revisions()
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_models_and_migrations_agree(db: TestDatabase) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations: {diff}"
