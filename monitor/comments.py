"""The comment step of a collection pass: read the threads of the posts whose comments changed,
store them under their posts and match keywords in them, one transaction per thread."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from collectors.base import Collector
from collectors.errors import CollectorError, RateLimited
from collectors.records import AccountRef
from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.keywords import match_posts
from storage.comments import ingest_comments
from storage.engine import transaction
from storage.ingest import ThreadState
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class CommentReport:
    """What one account's comment step did."""

    threads: int = 0  # threads read
    new: int = 0
    updated: int = 0
    deleted: int = 0
    keyword_hits: int = 0
    failed: int = 0  # threads that could not be read
    error: str | None = None  # the first problem, for the account's report


def due_threads(
    threads: Iterable[ThreadState], *, counts_known: bool, recheck_since: datetime
) -> list[ThreadState]:
    """The posts whose comments to read, in listing order, each once.

    When the listing says how many comments each post has (Telethon), a post is due when that
    count differs from the one its thread was last read at (a new comment, or one deleted).
    When it does not (the web preview), every post published since `recheck_since` is due.
    """
    due: dict[str, ThreadState] = {}
    for state in threads:
        if counts_known:
            if state.count is not None and state.count != (state.synced or 0):
                due[state.platform_post_id] = state
        elif state.published_at >= recheck_since:
            due[state.platform_post_id] = state
    return list(due.values())


def collect_comments(
    engine: Engine,
    config: PolmonConfig,
    collector: Collector,
    account: tuple[int, AccountRef],
    due: list[ThreadState],
    limit: int,
) -> CommentReport:
    """Read, store and match the comments of the due posts (at most `limit` each). A thread
    that fails is noted and the next one is read; a rate limit stops the step for the account
    (the threads not read stay due: their count was not recorded)."""
    account_id, ref = account
    report = CommentReport()
    for state in due:
        post_id = state.platform_post_id
        if shutdown.stop_requested():
            break
        try:
            thread = collector.fetch_comments(ref, post_id, limit)
        except RateLimited as exc:
            report.failed += len(due) - report.threads - report.failed
            report.error = report.error or f"comments: {exc}"
            break
        except CollectorError as exc:
            report.failed += 1
            report.error = report.error or f"comments of post {post_id}: {exc}"
            log.warning("%s %s: comments of post %s: %s", ref.platform, ref.label, post_id, exc)
            continue
        except Exception as exc:  # a bug or an unforeseen payload: the posts are stored already
            log.exception("%s %s: comments of post %s", ref.platform, ref.label, post_id)
            report.failed += 1
            report.error = report.error or f"comments of post {post_id}: {type(exc).__name__}"
            continue
        if thread is None:  # this platform's collector reads no comments
            break
        with transaction(engine) as session:
            result = ingest_comments(session, account_id, thread, utcnow(), count=state.count)
            # New and edited comments are matched in the same transaction as their text.
            report.keyword_hits += match_posts(session, config, result.matched_post_ids)
        report.threads += 1
        report.new += result.new
        report.updated += result.updated
        report.deleted += result.deleted
    return report
