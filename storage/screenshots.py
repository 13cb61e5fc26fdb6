"""Screenshot rows and their queue: which post versions to capture, what a claimed job needs,
saving a capture (in the caller's transaction), and the backlog count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, and_, exists, func, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage.engine import transaction
from storage.models import Account, KeywordHit, Post, PostVersion, Screenshot, ScreenshotJob
from storage.queue import Stage

ScreenshotMode = Literal["hits", "all", "none"]


def screenshot_stage(**overrides: Any) -> Stage:
    """Screenshots of posts: `screenshot_jobs` rows, queued -> capturing -> done."""
    return Stage("screenshots", "queued", "capturing", "done", table=ScreenshotJob, **overrides)


def _is_latest(version: Any) -> Any:
    """`version` is its post's latest (versions are inserted in the order they were seen)."""
    other = aliased(PostVersion)
    newest = select(func.max(other.id)).where(other.post_id == version.post_id)
    return version.id == newest.scalar_subquery()


def _insert_jobs(session: Session, kind: str, candidates: Any, now: datetime) -> int:
    """Insert a `kind` job for every (post id, version id) of `candidates` without one yet;
    returns how many."""
    latest = candidates.subquery()
    no_job = ~exists().where(
        ScreenshotJob.post_version_id == latest.c.version_id, ScreenshotJob.kind == kind
    )
    rows = select(
        latest.c.post_id,
        latest.c.version_id,
        literal(kind),
        literal("queued"),
        literal(0),
        literal(0),
        literal(now, ScreenshotJob.created_at.type),
        literal(now, ScreenshotJob.updated_at.type),
    ).where(no_job)
    columns = [
        "post_id",
        "post_version_id",
        "kind",
        "status",
        "attempts",
        "lease_expiries",
        "created_at",
        "updated_at",
    ]
    added = session.execute(
        insert(ScreenshotJob).from_select(columns, rows).returning(ScreenshotJob.id)
    )
    return len(added.scalars().all())


def queue_screenshots(
    engine: Engine, mode: ScreenshotMode, now: datetime, seen_since: datetime
) -> int:
    """Queue the screenshots `mode` asks for, in one transaction; returns the jobs added.

    - `page` (the platform's page of the post): the latest version of each post that is not
      deleted, seen at or after `seen_since`: every such post with `all`, those with a keyword
      hit with `hits`;
    - `rendered_version` (polmon's own rendering of what we stored): the last-seen version of
      each post whose deletion was noticed at or after `seen_since` (with `all` or `hits`)
      and that has no screenshot, since its page is gone.

    Both start from an index (`post_versions.seen_at`, `posts.deleted_at`), so a run reads
    the recent versions and deletions, not the whole history.

    A version gets one job of each kind at most. When two passes queue at once, the second
    one's duplicate is refused by the unique index: it queues nothing this time.
    """
    if mode == "none":
        return 0
    live = (
        select(PostVersion.post_id, PostVersion.id.label("version_id"))
        .join(Post, Post.id == PostVersion.post_id)
        .where(
            PostVersion.seen_at >= seen_since, _is_latest(PostVersion), Post.deleted_at.is_(None)
        )
    )
    if mode == "hits":
        live = live.where(exists().where(KeywordHit.post_id == PostVersion.post_id))
    gone = (
        select(PostVersion.post_id, PostVersion.id.label("version_id"))
        .join(Post, Post.id == PostVersion.post_id)
        .where(
            Post.deleted_at >= seen_since,
            _is_latest(PostVersion),
            ~exists().where(Screenshot.post_version_id == PostVersion.id),
        )
    )
    try:
        with transaction(engine) as session:
            added = _insert_jobs(session, "page", live, now)
            added += _insert_jobs(session, "rendered_version", gone, now)
    except IntegrityError:
        return 0
    return added


@dataclass(frozen=True)
class ScreenshotTarget:
    """What the stage needs of a claimed job: the post's link, platform and state, and the
    version to render when the page is gone."""

    job_id: int
    kind: str
    post_id: int
    post_version_id: int
    platform: str
    handle: str
    platform_post_id: str
    url: str | None
    deleted: bool
    published_at: datetime
    version_text: str | None
    version_html: str | None
    version_title: str | None
    version_poll: str | None
    version_seen_at: datetime


def screenshot_target(session: Session, job_id: int) -> ScreenshotTarget | None:
    """The claimed job's post and version; None when it is gone (deleted with its post)."""
    row = session.execute(
        select(
            ScreenshotJob.id,
            ScreenshotJob.kind,
            Post.id.label("post_id"),
            PostVersion.id.label("version_id"),
            Account.platform,
            Account.handle,
            Post.platform_post_id,
            Post.url,
            Post.deleted_at,
            Post.published_at,
            PostVersion.text,
            PostVersion.text_html,
            PostVersion.title,
            PostVersion.poll_text,
            PostVersion.seen_at,
        )
        .join(Post, Post.id == ScreenshotJob.post_id)
        .join(Account, Account.id == Post.account_id)
        .join(PostVersion, PostVersion.id == ScreenshotJob.post_version_id)
        .where(ScreenshotJob.id == job_id)
    ).one_or_none()
    if row is None:
        return None
    return ScreenshotTarget(
        job_id=row.id,
        kind=row.kind,
        post_id=row.post_id,
        post_version_id=row.version_id,
        platform=row.platform,
        handle=row.handle,
        platform_post_id=row.platform_post_id,
        url=row.url,
        deleted=row.deleted_at is not None,
        published_at=row.published_at,
        version_text=row.text,
        version_html=row.text_html,
        version_title=row.title,
        version_poll=row.poll_text,
        version_seen_at=row.seen_at,
    )


@dataclass(frozen=True)
class CaptureToSave:
    """One PNG written under the evidence folder, to record."""

    post_id: int
    post_version_id: int | None
    kind: str
    url: str | None
    captured_at: datetime
    sha256: str
    size_bytes: int
    width: int
    height: int
    storage_key: str


def save_screenshot(session: Session, capture: CaptureToSave) -> int:
    """Insert a screenshot row; returns its id."""
    row = Screenshot(
        post_id=capture.post_id,
        post_version_id=capture.post_version_id,
        kind=capture.kind,
        url=capture.url,
        captured_at=capture.captured_at,
        sha256=capture.sha256,
        size_bytes=capture.size_bytes,
        width=capture.width,
        height=capture.height,
        storage_key=capture.storage_key,
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(frozen=True)
class JobBacklog:
    """The screenshot queue at a moment: due, waiting to retry, oldest; leases held/expired."""

    ready: int
    retry_later: int
    oldest: datetime | None
    leased: int
    expired_leases: int


def screenshot_backlog(session: Session, now: datetime) -> JobBacklog:
    """Counts of `screenshot_jobs` queued (due now or later) and capturing (lease held or
    expired)."""
    due = or_(ScreenshotJob.next_attempt_at.is_(None), ScreenshotJob.next_attempt_at <= now)
    expired = and_(
        ScreenshotJob.lease_expires_at.is_not(None), ScreenshotJob.lease_expires_at < now
    )
    ready, waiting, oldest = session.execute(
        select(
            func.count().filter(due), func.count().filter(~due), func.min(ScreenshotJob.created_at)
        ).where(ScreenshotJob.status == "queued")
    ).one()
    held, stale = session.execute(
        select(func.count().filter(~expired), func.count().filter(expired)).where(
            ScreenshotJob.status == "capturing"
        )
    ).one()
    return JobBacklog(ready, waiting, oldest, held, stale)


def ready_jobs(session: Session, now: datetime) -> int:
    """Queued screenshot jobs due now."""
    due = or_(ScreenshotJob.next_attempt_at.is_(None), ScreenshotJob.next_attempt_at <= now)
    stmt = select(func.count()).where(ScreenshotJob.status == "queued", due)
    return int(session.scalar(stmt) or 0)
