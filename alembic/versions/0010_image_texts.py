"""image_texts: the text OCR read in photos, searchable (SQLite FTS5, PostgreSQL GIN)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00.000000
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen copies of storage/search_sql.py's forms as of this revision.
ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
PG_ZERO_WIDTH = "E'" + "".join(f"\\u{c:04X}" for c in ZERO_WIDTH) + "'"
PG_IMAGE_DOCUMENT = f"translate(\"text\", {PG_ZERO_WIDTH}, '')"


def _strip(expr: str) -> str:
    out = f"coalesce({expr}, '')"
    for code in ZERO_WIDTH:
        out = f"replace({out}, char({code}), '')"
    return out


def _sqlite_fts() -> None:
    """A contentless FTS5 trigram table over image_texts.text, kept by triggers (as 0003)."""
    op.execute("CREATE VIRTUAL TABLE fts_images USING fts5(body, content='', tokenize='trigram')")
    insert = f"INSERT INTO fts_images(rowid, body) VALUES (new.id, {_strip('new.text')});"
    remove = (
        "INSERT INTO fts_images(fts_images, rowid, body) "
        f"VALUES ('delete', old.id, {_strip('old.text')});"
    )
    op.execute(f"CREATE TRIGGER fts_images_ai AFTER INSERT ON image_texts BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER fts_images_ad AFTER DELETE ON image_texts BEGIN {remove} END")
    op.execute(
        "CREATE TRIGGER fts_images_au AFTER UPDATE OF text ON image_texts "
        f"WHEN old.text IS NOT new.text BEGIN {remove} {insert} END"
    )


def _pg_trigram_schema(conn: sa.Connection) -> str | None:
    """The schema holding pg_trgm (0003 installed it when it could), or None."""
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = conn.scalar(query)
    return None if schema is None else str(schema)


def _pg_indexes() -> None:
    op.execute(
        "CREATE INDEX fts_images_tsv ON image_texts "
        f"USING gin (to_tsvector('simple', {PG_IMAGE_DOCUMENT}))"
    )
    schema = _pg_trigram_schema(op.get_bind())
    if schema is None:
        log.warning("pg_trgm unavailable: substring search in image text will scan")
        return
    op.execute(
        f"CREATE INDEX fts_images_trgm ON image_texts "
        f'USING gin (({PG_IMAGE_DOCUMENT}) "{schema}".gin_trgm_ops)'
    )


def upgrade() -> None:
    op.create_table(
        "image_texts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("engine", sa.String(length=40), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column(
            "lines",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("processing_seconds", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_image_texts_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_texts")),
        sa.UniqueConstraint("media_id", name=op.f("uq_image_texts_media_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_indexes()
    else:
        _sqlite_fts()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS fts_images_tsv")
        op.execute("DROP INDEX IF EXISTS fts_images_trgm")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS fts_images_{suffix}")
        op.execute("DROP TABLE IF EXISTS fts_images")
    op.drop_table("image_texts")
