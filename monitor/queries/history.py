"""One post's history: every version with a word diff, metrics over time, media and transcripts."""

from __future__ import annotations

import difflib
import re
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, Actor, Media, Post, PostMetric, PostVersion, Transcript
from storage.transcripts import resolve_transcript

VERSION_COLUMNS = ("version", "seen_at", "edited_at", "title", "text", "poll_text", "diff")
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


class PostHistory(TypedDict):
    """`post_history`: the post's fields, then rows keyed by `VERSION_COLUMNS`,
    `METRIC_COLUMNS` and `MEDIA_COLUMNS` (times UTC)."""

    post: dict[str, Any]
    versions: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    media: list[dict[str, Any]]


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


def post_history(session: Session, post: Post) -> PostHistory:
    """Everything stored about one post: every version with when it was first seen and a
    diff against the one before, the deletion time, metrics over time, media and their
    download and transcript status."""
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
                "poll_text": version.poll_text,
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
    return PostHistory(
        post={
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
            "poll_text": post.poll_text,
            "comment_of": post.parent_post_id,  # a comment: our id of the post it comments
            "author": post.author_name,  # a comment's author, as the platform showed it
        },
        versions=versions,
        metrics=metrics,
        media=media,
    )


def _full_text(version: PostVersion) -> str:
    return "\n".join(part for part in (version.title, version.text, version.poll_text) if part)


def _transcript_state(session: Session, transcript: Transcript | None) -> str | None:
    if transcript is None:
        return None
    language = f", {transcript.language}" if transcript.language else ""
    return f"transcript {transcript.id} ({len(transcript.segments)} segments{language})"
