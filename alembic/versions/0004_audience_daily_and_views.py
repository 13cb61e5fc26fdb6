"""audience_daily rollup kept by triggers; analyst views for audience and keyword hits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = ("followers", "following", "likes", "posts_count", "views_total", "is_approximate")
COLUMNS = "account_id, day, captured_at, " + ", ".join(METRICS)
SET_NEWER = ", ".join(f"{c} = excluded.{c}" for c in ("captured_at", *METRICS))
VALUES_FROM = ", ".join(METRICS)

# --- SQLite: row triggers --------------------------------------------------------------------
SQLITE_RECOMPUTE = """
DELETE FROM audience_daily WHERE account_id = {row}.account_id AND day = date({row}.captured_at);
INSERT OR REPLACE INTO audience_daily ({columns})
SELECT account_id, date(captured_at), captured_at, {values} FROM audience_snapshots
WHERE account_id = {row}.account_id AND captured_at >= date({row}.captured_at)
  AND captured_at < date({row}.captured_at, '+1 day')
ORDER BY captured_at DESC, id DESC LIMIT 1;
"""

SQLITE_TRIGGERS = {
    "audience_daily_ai": f"""
CREATE TRIGGER audience_daily_ai AFTER INSERT ON audience_snapshots BEGIN
INSERT INTO audience_daily ({COLUMNS})
VALUES (new.account_id, date(new.captured_at), new.captured_at,
        {", ".join("new." + c for c in METRICS)})
ON CONFLICT (account_id, day) DO UPDATE SET {SET_NEWER}
WHERE excluded.captured_at >= audience_daily.captured_at;
END""",
    "audience_daily_ad": "CREATE TRIGGER audience_daily_ad AFTER DELETE ON audience_snapshots BEGIN"
    + SQLITE_RECOMPUTE.format(row="old", columns=COLUMNS, values=VALUES_FROM)
    + "END",
    "audience_daily_au": "CREATE TRIGGER audience_daily_au AFTER UPDATE ON audience_snapshots BEGIN"
    + SQLITE_RECOMPUTE.format(row="old", columns=COLUMNS, values=VALUES_FROM)
    + SQLITE_RECOMPUTE.format(row="new", columns=COLUMNS, values=VALUES_FROM)
    + "END",
}

SQLITE_BACKFILL = f"""
INSERT INTO audience_daily ({COLUMNS})
SELECT account_id, day, captured_at, {VALUES_FROM} FROM (
  SELECT s.*, date(s.captured_at) AS day,
         row_number() OVER (PARTITION BY s.account_id, date(s.captured_at)
                            ORDER BY s.captured_at DESC, s.id DESC) AS rn
  FROM audience_snapshots s
) AS ranked WHERE rn = 1
"""

# --- PostgreSQL: statement triggers over transition tables (fast for bulk inserts, COPY) -------
PG_DAY = "(captured_at AT TIME ZONE 'UTC')::date"
PG_LAST_PER_DAY = f"""
SELECT DISTINCT ON (account_id, {PG_DAY}) account_id, {PG_DAY}, captured_at, {VALUES_FROM}
FROM {{source}} {{where}}
ORDER BY account_id, {PG_DAY}, captured_at DESC, id DESC
"""


def _pg_recompute(name: str, with_new: bool) -> str:
    """A statement trigger function recomputing the (account, day) rows the changed rows touch."""
    affected = f"SELECT account_id, {PG_DAY} AS day FROM old_snapshots"
    if with_new:
        affected += f" UNION SELECT account_id, {PG_DAY} FROM new_snapshots"
    where = f"WHERE (account_id, {PG_DAY}) IN ({affected})"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM audience_daily d USING ({affected}) a
   WHERE d.account_id = a.account_id AND d.day = a.day;
  INSERT INTO audience_daily ({COLUMNS})
  {PG_LAST_PER_DAY.format(source="audience_snapshots", where=where)};
  RETURN NULL;
END $$"""


PG_FUNCTIONS = {
    "audience_daily_after_insert": f"""
CREATE FUNCTION audience_daily_after_insert() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO audience_daily AS d ({COLUMNS})
  {PG_LAST_PER_DAY.format(source="new_snapshots", where="")}
  ON CONFLICT (account_id, day) DO UPDATE SET {SET_NEWER}
  WHERE excluded.captured_at >= d.captured_at;
  RETURN NULL;
END $$""",
    "audience_daily_after_update": _pg_recompute("audience_daily_after_update", True),
    "audience_daily_after_delete": _pg_recompute("audience_daily_after_delete", False),
}

PG_TRIGGERS = (
    "CREATE TRIGGER audience_daily_ai AFTER INSERT ON audience_snapshots "
    "REFERENCING NEW TABLE AS new_snapshots FOR EACH STATEMENT "
    "EXECUTE FUNCTION audience_daily_after_insert()",
    "CREATE TRIGGER audience_daily_au AFTER UPDATE ON audience_snapshots "
    "REFERENCING OLD TABLE AS old_snapshots NEW TABLE AS new_snapshots FOR EACH STATEMENT "
    "EXECUTE FUNCTION audience_daily_after_update()",
    "CREATE TRIGGER audience_daily_ad AFTER DELETE ON audience_snapshots "
    "REFERENCING OLD TABLE AS old_snapshots FOR EACH STATEMENT "
    "EXECUTE FUNCTION audience_daily_after_delete()",
)

PG_BACKFILL = f"INSERT INTO audience_daily ({COLUMNS}) " + PG_LAST_PER_DAY.format(
    source="audience_snapshots", where=""
)

# --- Views (both engines) --------------------------------------------------------------------
VIEWS = {
    "v_audience_daily_account": """
SELECT d.day, d.account_id, a.actor_id, ac.name AS actor, a.platform, a.handle,
       a.status AS account_status, d.followers, d.following, d.likes, d.posts_count,
       d.views_total, d.is_approximate, d.captured_at
FROM audience_daily d
JOIN accounts a ON a.id = d.account_id
JOIN actors ac ON ac.id = a.actor_id""",
    "v_audience_daily_actor": """
SELECT d.day, a.actor_id, ac.name AS actor,
       sum(d.followers) AS followers, sum(d.likes) AS likes, sum(d.views_total) AS views_total,
       count(*) AS accounts_reporting,
       max(CASE WHEN d.is_approximate THEN 1 ELSE 0 END) AS any_approximate
FROM audience_daily d
JOIN accounts a ON a.id = d.account_id
JOIN actors ac ON ac.id = a.actor_id
GROUP BY d.day, a.actor_id, ac.name""",
    "v_keyword_hits": """
SELECT h.id AS hit_id, h.group_name, h.term, h.source_kind, h.published_at, h.matched_at,
       h.snippet, h.char_offset, h.start_seconds, h.link, h.post_id, h.segment_id,
       p.url AS post_url, p.kind AS post_kind, p.title AS post_title, p.text AS post_text,
       p.deleted_at AS post_deleted_at,
       a.id AS account_id, a.platform, a.handle, a.display_name AS account_name,
       ac.id AS actor_id, ac.name AS actor
FROM keyword_hits h
JOIN posts p ON p.id = h.post_id
JOIN accounts a ON a.id = p.account_id
JOIN actors ac ON ac.id = a.actor_id""",
}


def upgrade() -> None:
    op.create_table(
        "audience_daily",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("following", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("posts_count", sa.BigInteger(), nullable=True),
        sa.Column("views_total", sa.BigInteger(), nullable=True),
        sa.Column("is_approximate", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_audience_daily_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_audience_daily")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for ddl in PG_FUNCTIONS.values():
            op.execute(ddl)
        for ddl in PG_TRIGGERS:
            op.execute(ddl)
        op.execute(PG_BACKFILL)
    else:
        for ddl in SQLITE_TRIGGERS.values():
            op.execute(ddl)
        op.execute(SQLITE_BACKFILL)
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for trigger in ("audience_daily_ai", "audience_daily_au", "audience_daily_ad"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON audience_snapshots")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        for function in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table("audience_daily")
