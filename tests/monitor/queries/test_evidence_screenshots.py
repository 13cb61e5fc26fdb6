"""The evidence reads of the `screenshots` table (the screenshots stage's, on main): they are
run here against a table made as that stage's migration makes it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from monitor.queries import evidence_screenshots as screenshots
from storage.engine import transaction
from storage.models import Base, EvidenceLeaf, TimestampToken
from tests.conftest import TestDatabase
from tests.support import factories

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
# The columns migration 0013 (branch screenshots) gives the table, as SQLite has them.
DDL = """CREATE TABLE screenshots (
    id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts(id),
    post_version_id INTEGER, url TEXT, captured_at DATETIME NOT NULL,
    sha256 VARCHAR(64) NOT NULL, size_bytes BIGINT NOT NULL, width INTEGER NOT NULL,
    height INTEGER NOT NULL, storage_key TEXT NOT NULL, kind VARCHAR(20) NOT NULL)"""


def test_a_posts_screenshots_and_the_unstamped_ones_are_read(sqlite_db: TestDatabase) -> None:
    with transaction(sqlite_db.engine) as session:
        account = factories.account(session, factories.actor(session, "PM"))
        post = factories.post(session, account, "x")
        session.execute(text(DDL))
        for shot_id, sha in ((1, "a" * 64), (2, "b" * 64)):
            session.execute(
                text(
                    "INSERT INTO screenshots VALUES (:id, :post, NULL, :url, :at, :sha, 10, 8, 6,"
                    " :key, 'page')"
                ),
                {"id": shot_id, "post": post.id, "url": f"https://t.me/pm/{shot_id}?embed=1",
                 "at": "2024-06-01 08:00:00.000000", "sha": sha,
                 "key": f"screenshots/{sha[:2]}/{sha[2:]}.png"},
            )  # fmt: skip
        batch = TimestampToken(merkle_root="c" * 64, leaf_count=1, created_at=T0)
        session.add(batch)
        session.flush()
        session.add(EvidenceLeaf(token_id=batch.id, kind="screenshot", ref_id=1,
                                 sha256="a" * 64, leaf_index=0, proof={"path": []}))  # fmt: skip
        session.flush()
        assert screenshots.unstamped(session, 100) == [(2, "b" * 64)]
        rows = screenshots.of_post(session, post.id)
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        (1, "https://t.me/pm/1?embed=1", T0, "screenshots/aa/" + "a" * 62 + ".png"),
        (2, "https://t.me/pm/2?embed=1", T0, "screenshots/bb/" + "b" * 62 + ".png"),
    ]


def test_the_columns_read_are_the_models_once_it_has_the_table() -> None:
    model = Base.metadata.tables.get("screenshots")
    assert screenshots.in_model() is (model is not None)
    if model is not None:  # after the merge with the screenshots stage
        assert {c.name for c in screenshots.SCREENSHOTS.c} <= set(model.c.keys())
