"""poll text: a Telegram poll's question and options as searchable, versioned text

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 06:10:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage/search_sql.py and collectors/records.py as of this revision
# (tests/storage/test_schema_objects.py checks they agree).
ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
PG_ZERO_WIDTH = "E'" + "".join(f"\\u{c:04X}" for c in ZERO_WIDTH) + "'"
PG_POLL_DOCUMENT = f"translate(coalesce(poll_text, ''), {PG_ZERO_WIDTH}, '')"


# The analysts' view of hits, as 0004 made it and as it is from here on (with how sure a hit
# is, whether it is approximate, and the post's poll).
_HIT_VIEW = """
SELECT h.id AS hit_id, h.group_name, h.term, h.source_kind, h.published_at, h.matched_at,
       h.snippet, h.char_offset, h.start_seconds, h.link, h.post_id, h.segment_id,{hit}
       p.url AS post_url, p.kind AS post_kind, p.title AS post_title, p.text AS post_text,{post}
       p.deleted_at AS post_deleted_at,
       a.id AS account_id, a.platform, a.handle, a.display_name AS account_name,
       ac.id AS actor_id, ac.name AS actor
FROM keyword_hits h
JOIN posts p ON p.id = h.post_id
JOIN accounts a ON a.id = p.account_id
JOIN actors ac ON ac.id = a.actor_id"""
OLD_HIT_VIEW = _HIT_VIEW.format(hit="", post="")
NEW_HIT_VIEW = _HIT_VIEW.format(
    hit="\n       h.confidence, h.approximate,", post="\n       p.poll_text AS post_poll_text,"
)


def _replace_hit_view(select_sql: str) -> None:
    op.execute("DROP VIEW IF EXISTS v_keyword_hits")
    op.execute(f"CREATE VIEW v_keyword_hits AS {select_sql}")


def _strip(expr: str) -> str:
    out = f"coalesce({expr}, '')"
    for code in ZERO_WIDTH:
        out = f"replace({out}, char({code}), '')"
    return out


def poll_text(raw: Any) -> str | None:
    """The question, then each option, one per line; None when the post has no poll."""
    poll = raw.get("poll") if isinstance(raw, dict) else None
    if not isinstance(poll, dict):
        return None
    options = poll.get("options")
    options = options if isinstance(options, list) else []
    lines = [poll.get("question")] + [o.get("text") for o in options if isinstance(o, dict)]
    text = "\n".join(line.strip() for line in lines if isinstance(line, str) and line.strip())
    return text or None


def _backfill() -> None:
    """Polls collected before this revision get their text (so the next capture is no edit)."""
    conn = op.get_bind()
    posts = sa.table("posts", sa.column("id"), sa.column("raw"), sa.column("poll_text"))
    versions = sa.table("post_versions", sa.column("post_id"), sa.column("poll_text"))
    rows = conn.execute(sa.text("SELECT id, raw FROM posts WHERE kind = 'poll'")).all()
    for post_id, raw in rows:
        text = poll_text(json.loads(raw) if isinstance(raw, str) else raw)
        if text is None:
            continue
        conn.execute(sa.update(posts).where(posts.c.id == post_id).values(poll_text=text))
        conn.execute(
            sa.update(versions).where(versions.c.post_id == post_id).values(poll_text=text)
        )


def _sqlite_upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE fts_polls USING fts5(poll, content='', tokenize='trigram')")
    insert = (
        f"INSERT INTO fts_polls(rowid, poll) SELECT new.id, {_strip('new.poll_text')} "
        "WHERE new.poll_text IS NOT NULL;"
    )
    remove = (
        f"INSERT INTO fts_polls(fts_polls, rowid, poll) SELECT 'delete', old.id, "
        f"{_strip('old.poll_text')} WHERE old.poll_text IS NOT NULL;"
    )
    op.execute(f"CREATE TRIGGER fts_polls_ai AFTER INSERT ON posts BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER fts_polls_ad AFTER DELETE ON posts BEGIN {remove} END")
    op.execute(
        "CREATE TRIGGER fts_polls_au AFTER UPDATE OF poll_text ON posts "
        f"WHEN old.poll_text IS NOT new.poll_text BEGIN {remove} {insert} END"
    )


def _pg_upgrade() -> None:
    op.execute(
        f"CREATE INDEX fts_polls_tsv ON posts USING gin (to_tsvector('simple', {PG_POLL_DOCUMENT}))"
    )
    schema = op.get_bind().scalar(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    )
    if schema is not None:  # 0003 installed it where it could; without it, search scans
        opclass = f'"{schema}".gin_trgm_ops'
        op.execute(
            f"CREATE INDEX fts_polls_trgm ON posts USING gin (({PG_POLL_DOCUMENT}) {opclass})"
        )


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy): SQLite keeps the views over posts.
    op.add_column("posts", sa.Column("poll_text", sa.Text(), nullable=True))
    op.add_column("post_versions", sa.Column("poll_text", sa.Text(), nullable=True))
    _replace_hit_view(NEW_HIT_VIEW)
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()
    _backfill()  # after the triggers: the SQLite index learns the backfilled text


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS fts_polls_tsv")
        op.execute("DROP INDEX IF EXISTS fts_polls_trgm")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS fts_polls_{suffix}")
        op.execute("DROP TABLE IF EXISTS fts_polls")
    _replace_hit_view(OLD_HIT_VIEW)  # before the columns it names go
    op.drop_column("post_versions", "poll_text")
    op.drop_column("posts", "poll_text")
