"""A collection pass reads the comments of the posts whose comment count changed (Telethon
stand-in with real telethon.tl.types), stores them under their posts, matches keywords in
them, never marks them deleted from the channel listing, and reads nothing twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from telethon import errors

from collectors.records import comment_post_id
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.telethon_backend import TelethonBackend
from monitor.accounts import plan_accounts
from monitor.config import PolmonConfig
from monitor.pass_report import AccountReport
from monitor.pipeline import AccountCollection, _sync, select_accounts
from storage.engine import transaction
from storage.models import KeywordHit, Post
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.telethon_comments import THREAD_POST, CommentingClient

POST = str(THREAD_POST)
BODY = """
[[actors]]
name = "Durov"
[[actors.accounts]]
platform = "telegram"
handle = "durov"
comments = true
comments_max = 3

[keywords.threats]
terms = ["answering"]
"""


def _config(tmp_path: Path, db: TestDatabase) -> PolmonConfig:
    return make_config(tmp_path, db, BODY, telegram={"api_id": 12345, "backfill_days": 3650})


def _collect(db: TestDatabase, config: PolmonConfig, client: CommentingClient) -> AccountReport:
    plan = plan_accounts(config)
    _sync(db.engine, plan)
    [(account_id, platform, handle)] = select_accounts(db.engine, None, None, None)

    async def no_wait(seconds: float) -> None:
        return None

    backend = TelethonBackend(lambda: client, sleep=no_wait)
    with TelegramCollector(config.telegram_settings, backend=backend) as collector:
        return AccountCollection(
            db.engine,
            config,
            collector,
            account_id,
            comments_max=plan.comments_max(platform, handle),
        ).run(False)


def _comments(db: TestDatabase) -> dict[str, Post]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(Post).where(Post.parent_post_id.is_not(None))).all()
        session.expunge_all()
    return {row.platform_post_id: row for row in rows}


def test_a_pass_reads_changed_threads_once_and_matches_keywords(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = _config(tmp_path, db)
    client = CommentingClient()
    report = _collect(db, config, client)
    assert report.status == "ok", report.error
    assert report.comments == 3 and report.keyword_hits == 1
    # Post 600 (5 comments) and post 510 (45, but no discussion the client serves) were due.
    assert [(r["post"], r["limit"]) for r in client.reply_reads] == [(600, 3), (510, 3)]
    comments = _comments(db)
    assert set(comments) == {comment_post_id(POST, n) for n in (70003, 70004, 70005)}
    with transaction(db.engine) as session:
        parent = session.scalar(select(Post).where(Post.platform_post_id == POST))
        assert parent is not None and parent.comments_synced == 5
        assert {c.parent_post_id for c in comments.values()} == {parent.id}
        hits = session.execute(select(KeywordHit.source_kind, KeywordHit.post_id)).all()
    assert hits == [("comment", comments[comment_post_id(POST, 70003)].id)]

    again = CommentingClient()  # the same counts: no thread is read again, nothing changes
    second = _collect(db, config, again)
    assert (second.status, second.new, second.comments, second.deleted) == ("ok", 0, 0, 0)
    assert again.reply_reads == []
    assert all(c.deleted_at is None for c in _comments(db).values())


def test_a_changed_count_reads_the_thread_again(db: TestDatabase, tmp_path: Path) -> None:
    config = _config(tmp_path, db)
    _collect(db, config, CommentingClient())
    client = CommentingClient()
    del client.threads[THREAD_POST][-1]  # the channel's own comment was deleted: 4 remain
    client.messages[THREAD_POST].replies.replies = 4
    report = _collect(db, config, client)
    assert [r["post"] for r in client.reply_reads] == [600]
    assert report.comments == 1  # 70002 is among the newest three now
    comments = _comments(db)
    assert comments[comment_post_id(POST, 70005)].deleted_at is not None
    assert comments[comment_post_id(POST, 70003)].deleted_at is None


def test_a_rate_limited_thread_stays_due_for_the_next_pass(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = _config(tmp_path, db)
    client = CommentingClient()
    client.flood_in_thread[70005] = 100_000  # beyond flood_wait_cap_seconds
    report = _collect(db, config, client)
    assert report.status == "partial" and report.comments == 0
    assert report.error is not None and report.error.startswith("comments: ")
    assert _comments(db) == {}
    later = CommentingClient()
    assert _collect(db, config, later).comments == 3
    # 600 is read now; 510, older than this pass's listing window, is not listed again.
    assert [r["post"] for r in later.reply_reads] == [600]


def test_a_thread_that_cannot_be_read_leaves_the_others(db: TestDatabase, tmp_path: Path) -> None:
    config = _config(tmp_path, db)
    client = CommentingClient()
    client.thread_errors[THREAD_POST] = errors.ChannelPrivateError(request=None)
    report = _collect(db, config, client)
    assert report.status == "partial" and report.new > 0  # the channel's posts are stored
    assert report.error is not None and report.error.startswith("comments of post 600: ")
    assert [r["post"] for r in client.reply_reads] == [600, 510]
