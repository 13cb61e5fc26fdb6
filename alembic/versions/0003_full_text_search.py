"""full-text search: SQLite FTS5 trigram tables kept by triggers; PostgreSQL GIN indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen copies of storage/search_sql.py as of this revision (a test checks they agree).
ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
PG_ZERO_WIDTH = "E'" + "".join(f"\\u{c:04X}" for c in ZERO_WIDTH) + "'"
PG_POST_DOCUMENT = (
    f"translate(coalesce(title, '') || ' ' || coalesce(\"text\", ''), {PG_ZERO_WIDTH}, '')"
)
PG_SEGMENT_DOCUMENT = f"translate(\"text\", {PG_ZERO_WIDTH}, '')"


def _strip(expr: str) -> str:
    out = f"coalesce({expr}, '')"
    for code in ZERO_WIDTH:
        out = f"replace({out}, char({code}), '')"
    return out


# SQLite: contentless FTS5 tables (the text lives in posts/transcript_segments), trigram tokens.
SQLITE_TABLES = {
    "fts_posts": ("posts", ("title", "text")),
    "fts_segments": ("transcript_segments", ("text",)),
}


def _sqlite_upgrade() -> None:
    for fts, (source, columns) in SQLITE_TABLES.items():
        cols = ", ".join("body" if c == "text" else c for c in columns)
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='', tokenize='trigram')")
        new_values = ", ".join(_strip(f"new.{c}") for c in columns)
        old_values = ", ".join(_strip(f"old.{c}") for c in columns)
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new_values});"
        remove = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old_values});"
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {source} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {source} BEGIN {remove} END")
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {', '.join(columns)} ON {source} "
            f"WHEN {changed} BEGIN {remove} {insert} END"
        )
        select_values = ", ".join(_strip(c) for c in columns)
        op.execute(f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {select_values} FROM {source}")


def _sqlite_downgrade() -> None:
    for fts in SQLITE_TABLES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")


def _pg_trigram_schema(conn: sa.Connection) -> str | None:
    """The schema holding pg_trgm, installing it (in public when there is one) if needed."""
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = conn.scalar(query)
    if schema is not None:
        return str(schema)
    has_public = conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'"))
    target = "public" if has_public else conn.scalar(sa.text("SELECT current_schema()"))
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA "{target}"'))
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm unavailable (%s): substring search will scan", exc.orig)
        return None
    return str(conn.scalar(query))


PG_INDEXES = {
    "posts": ("fts_posts", PG_POST_DOCUMENT),
    "transcript_segments": ("fts_segments", PG_SEGMENT_DOCUMENT),
}


def _pg_upgrade() -> None:
    conn = op.get_bind()
    trigram_schema = _pg_trigram_schema(conn)
    for table, (name, document) in PG_INDEXES.items():
        op.execute(
            f"CREATE INDEX {name}_tsv ON {table} USING gin (to_tsvector('simple', {document}))"
        )
        if trigram_schema is not None:
            opclass = f'"{trigram_schema}".gin_trgm_ops'
            op.execute(f"CREATE INDEX {name}_trgm ON {table} USING gin (({document}) {opclass})")


def _pg_downgrade() -> None:
    for name, _document in PG_INDEXES.values():
        op.execute(f"DROP INDEX IF EXISTS {name}_tsv")
        op.execute(f"DROP INDEX IF EXISTS {name}_trgm")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
