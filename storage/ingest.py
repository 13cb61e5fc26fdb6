"""Bulk writes of collected records: posts, edit history, metrics series, media, snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from collectors.records import (
    QUEUED_KINDS,
    AccountProfile,
    PostRecord,
)
from storage.alerts import record_deletion_events, record_post_events
from storage.boundary import clean_json, clean_text
from storage.models import AudienceSnapshot, Media, Post, PostMetric, PostVersion

_METRICS = ("views", "likes", "shares", "comments", "reactions")
# Fields refreshed from every capture (besides text, metrics and media).
_REFRESHED = (
    "url",
    "kind",
    "text_html",
    "language",
    "reply_to_id",
    "forwarded_from",
    "forwarded_from_url",
    "grouped_id",
    "views_approximate",
    "author_name",
    "author_id",
    "raw",
)


# A stored media row as ingest needs it: (media id, source url, status).
StoredMedia = tuple[int, str | None, str]


@dataclass
class BatchResult:
    """What one batch changed; `matched_post_ids` are posts whose text needs keyword matching."""

    new: int = 0
    updated: int = 0
    edited: int = 0
    restored: int = 0
    media: int = 0  # media rows queued for download
    seen_ids: set[str] = field(default_factory=set)
    matched_post_ids: list[int] = field(default_factory=list)
    threads: list[ThreadState] = field(default_factory=list)  # channel posts' comment counts
    deleted: int = 0  # comments a thread read no longer shows (`ingest_comments`)
    # Every version this batch wrote with the record it came from (storage.captures links
    # each to its capture); `changed_post_ids`: posts with a second or later version
    # or back from a deletion.
    versions: list[tuple[PostVersion, PostRecord]] = field(default_factory=list)
    changed_post_ids: list[int] = field(default_factory=list)
    post_ids: dict[str, int] = field(default_factory=dict)  # platform id -> posts.id


@dataclass(frozen=True)
class ThreadState:
    """A channel post's comments as the listing shows them and as they were last read."""

    platform_post_id: str
    published_at: datetime
    count: int | None  # the comment count of this capture (None: the platform did not say)
    synced: int | None  # the count when its comments were last read (None: never)


def _metrics(record: PostRecord) -> tuple[object, ...]:
    return tuple(clean_json(getattr(record, name)) for name in _METRICS)


def _stored_metrics(post: Post) -> tuple[object, ...]:
    return tuple(getattr(post, name) for name in _METRICS)


def _text_of(obj: Post | PostRecord) -> tuple[str, str, str]:
    """Text, title and poll as stored (storage.boundary), to tell an edit from a repeat
    capture: an edited poll question or option is an edit like an edited text."""
    return (
        clean_text(obj.text or "").strip(),
        clean_text(obj.title or "").strip(),
        clean_text(obj.poll_text or "").strip(),
    )


def _stored_form(value: object) -> object:
    """`value` as the database keeps it (storage.boundary cleans what is written)."""
    return clean_text(value) if isinstance(value, str) else clean_json(value)


def _new_media(post: Post, record: PostRecord, existing: set[int]) -> list[Media]:
    rows = []
    for item in record.media:
        if item.kind not in QUEUED_KINDS or item.position in existing:
            continue
        rows.append(
            Media(
                post=post,
                position=item.position,
                kind=item.kind,
                source_url=item.source_url,
                thumbnail_url=item.thumbnail_url,
                mime_type=item.mime_type,
                duration_seconds=item.duration_seconds,
                size_bytes=item.size_bytes,
                status="pending",
                attempts=0,
            )
        )
    return rows


def ingest_posts(
    session: Session, account_id: int, records: Sequence[PostRecord], now: datetime
) -> BatchResult:
    """Upsert one batch of an account's posts in the caller's transaction (idempotent)."""
    result = BatchResult()
    by_id: dict[str, PostRecord] = {}
    for record in records:
        record.reject_unsafe_links()  # javascript: and other non-web links stay in raw only
        by_id[record.platform_post_id] = record  # the last capture of a duplicate id wins
    result.seen_ids = set(by_id)
    if not by_id:
        return result
    stored = {
        post.platform_post_id: post
        for post in session.scalars(
            select(Post).where(Post.account_id == account_id, Post.platform_post_id.in_(by_id))
        )
    }
    parents = _parent_ids(session, account_id, by_id.values())
    # post id -> position -> (media id, source url, status): one query for the batch.
    stored_media: dict[int, dict[int, StoredMedia]] = {}
    if stored:
        for media_id, post_id, position, source_url, status in session.execute(
            select(Media.id, Media.post_id, Media.position, Media.source_url, Media.status).where(
                Media.post_id.in_([p.id for p in stored.values()])
            )
        ):
            stored_media.setdefault(post_id, {})[position] = (media_id, source_url, status)
    new_posts: list[Post] = []
    edits: list[PostVersion] = []
    extra_rows: list[object] = []
    seen_post_ids: list[int] = []
    for platform_id, record in by_id.items():
        post = stored.get(platform_id)
        parent_id = parents.get(record.parent_post_id) if record.parent_post_id else None
        if record.parent_post_id and parent_id is None:
            continue  # a comment of a post never stored: nothing to hang it on
        if record.parent_post_id is None:
            synced = post.comments_synced if post is not None else None
            result.threads.append(
                ThreadState(platform_id, record.published_at, record.comments, synced)
            )
        if post is None:
            post = Post(
                account_id=account_id,
                platform_post_id=platform_id,
                parent_post_id=parent_id,
                published_at=record.published_at,
                title=record.title,
                text=record.text,
                poll_text=record.poll_text,
                edited_at=record.edited_at,
                first_seen_at=now,
                last_seen_at=now,
                **{name: getattr(record, name) for name in _REFRESHED},
                **{name: getattr(record, name) for name in _METRICS},
            )
            new_posts.append(post)
            first = _version(record, now, post=post)
            extra_rows.append(first)
            result.versions.append((first, record))
            extra_rows.append(_metric_row(post, record, now))
            queued = _new_media(post, record, set())
            extra_rows.extend(queued)
            result.media += len(queued)
            result.new += 1
            continue
        changed = False
        if _text_of(post) != _text_of(record):
            edit = _version(record, now, post_id=post.id)
            edits.append(edit)
            result.versions.append((edit, record))
            result.changed_post_ids.append(post.id)
            post.text, post.title, post.poll_text = record.text, record.title, record.poll_text
            post.edited_at = record.edited_at or now
            result.edited += 1
            result.matched_post_ids.append(post.id)
            changed = True
        elif record.edited_at and post.edited_at is None:
            post.edited_at = record.edited_at
        if _stored_metrics(post) != _metrics(record) and any(
            value is not None for value in _metrics(record)
        ):
            extra_rows.append(_metric_row(post, record, now))
            for name in _METRICS:
                value = getattr(record, name)
                if value is not None:
                    setattr(post, name, value)
            changed = True
        for name in _REFRESHED:
            value = getattr(record, name)
            if value is not None and getattr(post, name) != _stored_form(value):
                setattr(post, name, value)
        if post.deleted_at is not None:
            post.deleted_at = None
            result.restored += 1
            result.changed_post_ids.append(post.id)  # a post back from deletion is a change
            changed = True
        seen_post_ids.append(post.id)
        post_media = stored_media.get(post.id, {})
        queued = _new_media(post, record, set(post_media))
        extra_rows.extend(queued)
        result.media += len(queued)
        _refresh_media_urls(session, record, post_media)
        result.updated += int(changed)
    session.add_all(new_posts)
    session.add_all(extra_rows)
    session.add_all(edits)
    session.flush()
    # The alert outbox learns of new posts and edits in this same transaction (of channel
    # posts: a comment alerts through its keyword hits only).
    comment_ids = {p.id for p in stored.values() if p.parent_post_id is not None}
    record_post_events(
        session,
        account_id,
        [post for post in new_posts if post.parent_post_id is None],
        [version for version in edits if version.post_id not in comment_ids],
        now,
    )
    if seen_post_ids:  # one statement instead of an UPDATE per known post
        session.execute(
            update(Post)
            .where(Post.id.in_(seen_post_ids))
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    result.matched_post_ids.extend(post.id for post in new_posts)
    result.post_ids = {post.platform_post_id: post.id for post in [*stored.values(), *new_posts]}
    return result


def _parent_ids(session: Session, account_id: int, records: Iterable[PostRecord]) -> dict[str, int]:
    """The stored ids of the channel posts these records comment (platform id → post id)."""
    wanted = {r.parent_post_id for r in records if r.parent_post_id}
    if not wanted:
        return {}
    rows = session.execute(
        select(Post.platform_post_id, Post.id).where(
            Post.account_id == account_id,
            Post.platform_post_id.in_(wanted),
            Post.parent_post_id.is_(None),
        )
    )
    return {platform_id: post_id for platform_id, post_id in rows}


def _version(record: PostRecord, now: datetime, **owner: object) -> PostVersion:
    """The version `record` shows, seen `now`, of the post given as `post=` or `post_id=`."""
    return PostVersion(
        **owner,
        text=record.text,
        text_html=record.text_html,
        title=record.title,
        poll_text=record.poll_text,
        edited_at=record.edited_at,
        seen_at=now,
    )


def _metric_row(post: Post, record: PostRecord, now: datetime) -> PostMetric:
    return PostMetric(
        post=post,
        captured_at=now,
        views=record.views,
        likes=record.likes,
        shares=record.shares,
        comments=record.comments,
        reactions=record.reactions,
    )


def _refresh_media_urls(
    session: Session, record: PostRecord, post_media: dict[int, StoredMedia]
) -> None:
    """Media URLs can be signed and expire: refresh those of media not downloaded yet."""
    for item in record.media:
        known = post_media.get(item.position)
        if known is None or not item.source_url:
            continue
        media_id, source_url, status = known
        if status in ("pending", "failed") and source_url != item.source_url:
            session.execute(
                update(Media)
                .where(Media.id == media_id)
                .values(source_url=item.source_url)
                .execution_options(synchronize_session=False)
            )


def mark_deleted(
    session: Session, account_id: int, window_start: datetime, seen_ids: set[str], now: datetime
) -> int:
    """Posts published inside a fully re-read window that the platform no longer lists."""
    candidates = session.execute(
        select(Post.id, Post.platform_post_id).where(
            Post.account_id == account_id,
            Post.published_at >= window_start,
            Post.deleted_at.is_(None),
            Post.parent_post_id.is_(None),  # comments: only their thread's read tells
        )
    ).all()
    gone = [post_id for post_id, platform_id in candidates if platform_id not in seen_ids]
    if gone:
        set_deleted(session, gone, now)
        record_deletion_events(session, account_id, gone, now)
    return len(gone)


def set_deleted(session: Session, post_ids: list[int], now: datetime) -> None:
    """Mark these posts deleted on the platform at `now` (one statement)."""
    if post_ids:
        session.execute(
            update(Post)
            .where(Post.id.in_(post_ids))
            .values(deleted_at=now)
            .execution_options(synchronize_session=False)
        )


def add_snapshot(
    session: Session, account_id: int, profile: AccountProfile, now: datetime, source: str
) -> bool:
    """Record the audience counts of one capture; False when the profile had none."""
    counts = (
        profile.followers,
        profile.following,
        profile.likes,
        profile.posts_count,
        profile.views_total,
    )
    if all(value is None for value in counts):
        return False
    session.add(
        AudienceSnapshot(
            account_id=account_id,
            captured_at=now,
            followers=profile.followers,
            following=profile.following,
            likes=profile.likes,
            posts_count=profile.posts_count,
            views_total=profile.views_total,
            is_approximate=profile.is_approximate,
            source=source,
        )
    )
    return True
