"""Reads of what changed: posts with their versions, one post's history, accounts' events.

The CLI (`polmon posts`, `polmon post`, `polmon events`) formats what these return; the
web app can call the same functions. Rows are plain dicts of JSON-ready values (times are
UTC datetimes).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from collectors.identity import InvalidAccount, account_key
from collectors.records import PLATFORMS
from monitor.selection import UnknownSelection
from storage.models import (
    Account,
    AccountEvent,
    Actor,
    Media,
    Post,
    PostMetric,
    PostVersion,
    Transcript,
)

POST_COLUMNS = (
    "id",
    "actor",
    "platform",
    "account",
    "post_id",
    "published_at",
    "kind",
    "views",
    "edited",
    "edited_at",
    "version_count",
    "deleted",
    "deleted_at",
    "text",
    "url",
)
VERSION_COLUMNS = ("version", "seen_at", "edited_at", "title", "text", "diff")
METRIC_COLUMNS = ("captured_at", "views", "likes", "shares", "comments", "reactions")
MEDIA_COLUMNS = (
    "position",
    "kind",
    "status",
    "duration_seconds",
    "size_bytes",
    "downloaded_at",
    "attempts",
    "last_error",
    "transcript",
    "source_url",
)
EVENT_COLUMNS = ("detected_at", "actor", "platform", "account", "kind", "detail")
# What each account_events kind means, for readers of `polmon events`.
EVENT_KINDS = {
    "renamed": "the display name changed",
    "handle_reassigned": "the handle now belongs to another platform id",
    "deleted": "the platform says the account was deleted",
    "private": "the account became private",
    "unavailable": "the account could not be read (deleted, renamed or private)",
    "came_back": "an ended account is readable again",
}


class BadPostRef(UnknownSelection):
    """A post reference in no form polmon knows (a user error)."""


class PostNotFound(LookupError):
    """A well-formed post reference that names no stored post."""


def find_post(session: Session, ref: str) -> Post:
    """A post by our id, its URL as stored, or `platform:account/post_id`."""
    text = ref.strip()
    post: Post | None = None
    if text.isdigit():
        post = session.get(Post, int(text))
    elif text.startswith(("http://", "https://")):
        bare = text.rstrip("/")
        post = session.scalars(
            select(Post).where(or_(Post.url == text, Post.url == bare, Post.url == bare + "/"))
        ).first()
    elif ":" in text and "/" in text:
        platform, _, rest = text.partition(":")
        account, _, post_id = rest.rpartition("/")
        if platform not in PLATFORMS:
            raise BadPostRef(f"unknown platform {platform!r} in {text!r}")
        try:
            handle = account_key(platform, account, None)
        except InvalidAccount as exc:
            raise BadPostRef(str(exc)) from None
        post = session.scalars(
            select(Post)
            .join(Account, Account.id == Post.account_id)
            .where(
                Account.platform == platform,
                Account.handle == handle,
                Post.platform_post_id == post_id,
            )
        ).first()
    else:
        raise BadPostRef(
            f"{text!r} is not a post reference: give a post id, a post URL, or "
            "platform:account/post_id"
        )
    if post is None:
        raise PostNotFound(f"no post {text!r} in the database")
    return post


def list_posts(
    session: Session,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    only_deleted: bool = False,
    only_edited: bool = False,
    limit: int | None = 50,
) -> list[dict[str, Any]]:
    """Stored posts newest first, with when they were edited and deleted and how many
    versions of their text were seen (`actor` is the stored name)."""
    versions = (
        select(func.count())
        .select_from(PostVersion)
        .where(PostVersion.post_id == Post.id)
        .correlate(Post)
        .scalar_subquery()
    )
    query = (
        select(Post, Account.platform, Account.handle, Actor.name, versions)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if account_ids is not None:
        query = query.where(Account.id.in_(account_ids))
    if actor is not None:
        query = query.where(Actor.name == actor)
    if platform:
        query = query.where(Account.platform == platform)
    if since:
        query = query.where(Post.published_at >= since)
    if until:
        query = query.where(Post.published_at < until)
    if only_deleted:
        query = query.where(Post.deleted_at.is_not(None))
    if only_edited:
        query = query.where(Post.edited_at.is_not(None))
    return [
        {
            "id": post.id,
            "actor": actor_name,
            "platform": post_platform,
            "account": handle,
            "post_id": post.platform_post_id,
            "published_at": post.published_at,
            "kind": post.kind,
            "views": post.views,
            "edited": post.edited_at is not None,
            "edited_at": post.edited_at,
            "version_count": count,
            "deleted": post.deleted_at is not None,
            "deleted_at": post.deleted_at,
            "text": post.title or post.text,
            "url": post.url,
        }
        for post, post_platform, handle, actor_name, count in session.execute(query)
    ]


def word_diff(old: str | None, new: str | None) -> str:
    """What changed between two texts, word by word: `[-removed-]` and `{+added+}`, with
    unchanged stretches shortened to a few words of context."""
    before, after = re.split(r"(\s+)", old or ""), re.split(r"(\s+)", new or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            same = "".join(before[a1:a2])
            words = same.split()
            if len(words) > 8:
                same = " ".join(words[:3]) + " … " + " ".join(words[-3:])
                same = (" " if before[a1].isspace() else "") + same
                same += " " if before[a2 - 1].isspace() else ""
            parts.append(same)
            continue
        if a2 > a1 and "".join(before[a1:a2]).strip():
            parts.append("[-" + "".join(before[a1:a2]).strip() + "-]")
        if b2 > b1 and "".join(after[b1:b2]).strip():
            parts.append("{+" + "".join(after[b1:b2]).strip() + "+}")
    text = re.sub(r"(?<=\S)(\[-|\{\+)", r" \1", "".join(parts))
    return re.sub(r"(-\]|\+\})(?=\S)", r"\1 ", text).strip()


def post_history(session: Session, post: Post) -> dict[str, Any]:
    """Everything stored about one post: every version with when it was first seen and a
    diff against the one before, the deletion time, metrics over time, media and their
    download and transcript status."""
    from monitor.transcription.store import resolve_transcript

    account = session.get_one(Account, post.account_id)
    actor = session.get_one(Actor, account.actor_id)
    versions: list[dict[str, Any]] = []
    previous: PostVersion | None = None
    for number, version in enumerate(
        session.scalars(
            select(PostVersion)
            .where(PostVersion.post_id == post.id)
            .order_by(PostVersion.seen_at, PostVersion.id)
        ),
        start=1,
    ):
        diff = None
        if previous is not None:
            diff = word_diff(_full_text(previous), _full_text(version))
        versions.append(
            {
                "version": number,
                "seen_at": version.seen_at,
                "edited_at": version.edited_at,
                "title": version.title,
                "text": version.text,
                "diff": diff,
            }
        )
        previous = version
    metrics = [
        {name: getattr(metric, name) for name in METRIC_COLUMNS}
        for metric in session.scalars(
            select(PostMetric)
            .where(PostMetric.post_id == post.id)
            .order_by(PostMetric.captured_at, PostMetric.id)
        )
    ]
    media = []
    for item in session.scalars(
        select(Media).where(Media.post_id == post.id).order_by(Media.position)
    ):
        found = resolve_transcript(session, item.id)
        row = {name: getattr(item, name) for name in MEDIA_COLUMNS if name != "transcript"}
        row["transcript"] = _transcript_state(session, found)
        media.append(row)
    return {
        "post": {
            "id": post.id,
            "actor": actor.name,
            "platform": account.platform,
            "account": account.handle,
            "post_id": post.platform_post_id,
            "url": post.url,
            "kind": post.kind,
            "published_at": post.published_at,
            "first_seen_at": post.first_seen_at,
            "last_seen_at": post.last_seen_at,
            "edited_at": post.edited_at,
            "deleted_at": post.deleted_at,
            "version_count": len(versions),
            "title": post.title,
            "text": post.text,
        },
        "versions": versions,
        "metrics": metrics,
        "media": media,
    }


def _full_text(version: PostVersion) -> str:
    return "\n".join(part for part in (version.title, version.text) if part)


def _transcript_state(session: Session, transcript: Transcript | None) -> str | None:
    if transcript is None:
        return None
    language = f", {transcript.language}" if transcript.language else ""
    return f"transcript {transcript.id} ({len(transcript.segments)} segments{language})"


def list_events(
    session: Session,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    kinds: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
) -> list[dict[str, Any]]:
    """Renames, deletions, going private, coming back and reassigned handles, newest first
    (`actor` is the stored name)."""
    query = (
        select(AccountEvent, Account.platform, Account.handle, Actor.name)
        .join(Account, AccountEvent.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(AccountEvent.detected_at.desc(), AccountEvent.id.desc())
        .limit(limit)
    )
    if account_ids is not None:
        query = query.where(Account.id.in_(account_ids))
    if actor is not None:
        query = query.where(Actor.name == actor)
    if platform:
        query = query.where(Account.platform == platform)
    if kinds:
        query = query.where(AccountEvent.kind.in_(kinds))
    if since:
        query = query.where(AccountEvent.detected_at >= since)
    if until:
        query = query.where(AccountEvent.detected_at < until)
    return [
        {
            "detected_at": event.detected_at,
            "actor": actor_name,
            "platform": event_platform,
            "account": handle,
            "kind": event.kind,
            "detail": event.detail,
        }
        for event, event_platform, handle, actor_name in session.execute(query)
    ]
