"""One post as its web page shows it: versions with word-level diffs, metrics, playable media,
the transcript with each segment's time and confidence, the text read in its photos, and the
keyword hits in it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.hit_confidence import APPROXIMATE_MARK
from monitor.links import video_link_at
from monitor.queries.comments import CommentRow, comment_count, comments_of
from monitor.queries.history import post_history
from monitor.queries.transcripts import post_transcripts
from storage.models import ImageText, KeywordHit, Media, Post

DiffOp = Literal["same", "removed", "added"]
COMMENTS_SHOWN = 200  # the newest comments a post's page shows


class DiffPart(TypedDict):
    """A stretch of a version's text: unchanged, removed since the version before, or added."""

    op: DiffOp
    text: str


class VersionRow(TypedDict):
    """One text the post has had, first seen at `seen_at`; `diff` against the one before
    (empty for the first version)."""

    version: int
    seen_at: datetime
    edited_at: datetime | None
    title: str | None
    text: str | None
    poll_text: str | None
    diff: list[DiffPart]


class SegmentRow(TypedDict):
    """A timed piece of a transcript; `hallucination` (flagged when transcribed) and
    `low_confidence` (the model was unsure) segments are shown but marked."""

    position: int
    start_seconds: float
    end_seconds: float
    text: str
    avg_logprob: float | None
    no_speech_prob: float | None
    hallucination: bool
    low_confidence: bool
    hit_terms: list[str]


class ImageTextRow(TypedDict):
    """What OCR read in a photo: its lines, the Tesseract languages, mean confidence 0..1."""

    text: str
    languages: str
    confidence: float | None
    hit_terms: list[str]


class MediaRow(TypedDict):
    """A media item of the post; `player` is "video", "audio" or "image" when a file can be
    played or shown from `/media/<id>`, else None; `image_text`: what OCR read in a photo."""

    id: int
    position: int
    kind: str
    status: str
    mime_type: str | None
    duration_seconds: float | None
    player: str | None
    transcript_language: str | None
    transcript_model: str | None
    segments: list[SegmentRow]
    image_text: ImageTextRow | None


class PostHitRow(TypedDict):
    """A keyword hit in this post; `start_seconds` is where a transcript hit is said;
    `source` where it was found (post, poll, transcript…), `confidence` how sure the words
    were heard (null: exact text), `approximate` a fuzzy match, not the term itself."""

    group: str
    term: str
    source: str
    confidence: float | None
    approximate: bool
    start_seconds: float | None
    media_position: int | None
    snippet: str
    platform_link: str | None


class PollOption(TypedDict):
    """One answer of a poll: its text, and the share of votes (`percent`, the web preview) or
    the votes (`voters`, Telethon) when the platform showed them."""

    text: str
    percent: int | None
    voters: int | None


class PollView(TypedDict):
    """A Telegram poll as last collected (its text is searched and keyword-matched)."""

    question: str
    options: list[PollOption]
    voters: int | None


class PostPage(TypedDict):
    """Everything the post page shows (times UTC); `link` is the post on its platform (only
    an http(s) URL, never another scheme)."""

    post: dict[str, Any]
    link: str | None
    versions: list[VersionRow]
    metrics: list[dict[str, Any]]
    media: list[MediaRow]
    hits: list[PostHitRow]
    poll: PollView | None
    comments: list[CommentRow]  # the newest `COMMENTS_SHOWN`, oldest first
    comments_stored: int  # every comment stored under the post


@dataclass(frozen=True)
class Confidence:
    """When a segment counts as low-confidence: the [transcription] thresholds, halved for
    log-probability (the flagging rule itself uses the full threshold)."""

    logprob_threshold: float = -1.0
    no_speech_threshold: float = 0.6

    def is_low(self, avg_logprob: float | None, no_speech_prob: float | None) -> bool:
        if avg_logprob is not None and avg_logprob < self.logprob_threshold / 2:
            return True
        return no_speech_prob is not None and no_speech_prob > self.no_speech_threshold


def diff_parts(old: str | None, new: str | None) -> list[DiffPart]:
    """`new` word by word against `old`: every word of both, each marked same/removed/added."""
    before, after = re.split(r"(\s+)", old or ""), re.split(r"(\s+)", new or "")
    parts: list[DiffPart] = []

    def add(op: DiffOp, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if parts and parts[-1]["op"] == op:
            parts[-1]["text"] += text
        else:
            parts.append(DiffPart(op=op, text=text))

    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            add("same", before[a1:a2])
            continue
        if a2 > a1 and "".join(before[a1:a2]).strip():
            add("removed", before[a1:a2])
        if b2 > b1 and "".join(after[b1:b2]).strip():
            add("added", after[b1:b2])
    return parts


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) link (a stored `javascript:` URL is never linked)."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def _version_text(row: dict[str, Any]) -> str:
    return "\n".join(part for part in (row["title"], row["text"], row["poll_text"]) if part)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def poll_view(raw: Any) -> PollView | None:
    """The poll in a post's `raw` (as the Telegram backends record it), None without one."""
    poll = raw.get("poll") if isinstance(raw, dict) else None
    if not isinstance(poll, dict):
        return None
    options = poll.get("options")
    options = options if isinstance(options, list) else []
    return PollView(
        question=str(poll.get("question") or ""),
        options=[
            PollOption(
                text=str(option.get("text") or ""),
                percent=_count(option.get("percent")),
                voters=_count(option.get("voters")),
            )
            for option in options
            if isinstance(option, dict)
        ],
        voters=_count(poll.get("voters")),
    )


def _player(row: Media) -> str | None:
    """`audio`, `video` or `image`: the element that shows the row's file; None without one."""
    if not row.local_path:
        return None
    mime = (row.mime_type or "").lower()
    if mime.startswith("image/") or (not mime and row.kind == "photo"):
        return "image"
    if mime.startswith("audio/") or (not mime and row.kind == "audio"):
        return "audio"
    if mime.startswith("video/") or (not mime and row.kind == "video"):
        return "video"
    return None


def post_page(
    session: Session, post_id: int, confidence: Confidence | None = None
) -> PostPage | None:
    """The post with id `post_id` as its page shows it, None when there is none."""
    post = session.get(Post, post_id)
    if post is None:
        return None
    confidence = confidence or Confidence()
    history = post_history(session, post)
    versions: list[VersionRow] = []
    previous: dict[str, Any] | None = None
    for row in history["versions"]:
        diff = [] if previous is None else diff_parts(_version_text(previous), _version_text(row))
        versions.append(
            VersionRow(
                version=row["version"],
                seen_at=row["seen_at"],
                edited_at=row["edited_at"],
                title=row["title"],
                text=row["text"],
                poll_text=row["poll_text"],
                diff=diff,
            )
        )
        previous = row
    hit_rows = list(
        session.scalars(
            select(KeywordHit)
            .where(KeywordHit.post_id == post_id)
            .order_by(KeywordHit.start_seconds, KeywordHit.group_name, KeywordHit.term)
        )
    )
    terms_by_segment: dict[int, list[str]] = {}
    terms_by_source: dict[str, list[str]] = {}
    for hit in hit_rows:
        terms_by_source.setdefault(hit.source_key, []).append(hit.term)
        if hit.segment_id is not None:
            term = f"{APPROXIMATE_MARK} {hit.term}" if hit.approximate else hit.term
            terms_by_segment.setdefault(hit.segment_id, []).append(term)
    transcripts = {item.position: item for item in post_transcripts(session, post_id)}
    media: list[MediaRow] = []
    position_of_segment: dict[int, int] = {}
    position_of_source: dict[str, int] = {}
    items = list(
        session.scalars(select(Media).where(Media.post_id == post_id).order_by(Media.position))
    )
    texts = _image_texts(session, items)
    for item in items:
        position_of_source[f"image:{item.id}"] = item.position
        found = transcripts.get(item.position)
        segments: list[SegmentRow] = []
        for segment in found.segments if found else []:
            position_of_segment[segment.id] = item.position
            segments.append(
                SegmentRow(
                    position=segment.position,
                    start_seconds=segment.start_seconds,
                    end_seconds=segment.end_seconds,
                    text=segment.text,
                    avg_logprob=segment.avg_logprob,
                    no_speech_prob=segment.no_speech_prob,
                    hallucination=segment.is_hallucination,
                    low_confidence=confidence.is_low(segment.avg_logprob, segment.no_speech_prob),
                    hit_terms=terms_by_segment.get(segment.id, []),
                )
            )
        transcript = found.transcript if found else None
        media.append(
            MediaRow(
                id=item.id,
                position=item.position,
                kind=item.kind,
                status=item.status,
                mime_type=item.mime_type,
                duration_seconds=item.duration_seconds,
                player=_player(item),
                transcript_language=transcript.language if transcript else None,
                transcript_model=transcript.model if transcript else None,
                segments=segments,
                image_text=_image_text_row(
                    texts.get(item.id), terms_by_source.get(f"image:{item.id}", [])
                ),
            )
        )
    platform = history["post"]["platform"]
    hits = [
        PostHitRow(
            group=hit.group_name,
            term=hit.term,
            source=hit.source_kind,
            confidence=hit.confidence,
            approximate=hit.approximate,
            start_seconds=hit.start_seconds,
            media_position=position_of_segment.get(hit.segment_id or -1)
            if hit.segment_id is not None
            else position_of_source.get(hit.source_key),
            snippet=hit.snippet,
            platform_link=web_link(video_link_at(post.url, platform, hit.start_seconds)),
        )
        for hit in hit_rows
    ]
    return PostPage(
        post=history["post"],
        link=web_link(post.url),
        versions=versions,
        metrics=history["metrics"],
        media=media,
        hits=hits,
        poll=poll_view(post.raw),
        comments=comments_of(session, post_id, limit=COMMENTS_SHOWN),
        comments_stored=comment_count(session, post_id),
    )


def _image_texts(session: Session, items: list[Media]) -> dict[int, ImageText]:
    """The OCR reading of each photo by media id (a duplicate shows its original's)."""
    wanted = {item.id: item.duplicate_of_id or item.id for item in items if item.kind == "photo"}
    if not wanted:
        return {}
    found = {
        row.media_id: row
        for row in session.scalars(
            select(ImageText).where(ImageText.media_id.in_(set(wanted.values())))
        )
    }
    return {media_id: found[source] for media_id, source in wanted.items() if source in found}


def _image_text_row(found: ImageText | None, terms: list[str]) -> ImageTextRow | None:
    if found is None:
        return None
    return ImageTextRow(
        text=found.text, languages=found.languages, confidence=found.confidence, hit_terms=terms
    )
