"""Matching as content arrives: new and edited posts after a collect, each new transcript, the
text read in each image."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy.orm import Session

from monitor.config import KeywordGroupConfig, PolmonConfig
from monitor.keywords.engines import DEFAULT_ENGINE, EngineName
from monitor.keywords.fuzzy import FuzzyOptions, fuzzy_options
from monitor.keywords.hitrows import SourceText, hit_rows, post_text, word_spans
from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.terms import Source
from monitor.links import video_link_at
from monitor.queries.keyword_sources import (
    ImageTextSource,
    SegmentText,
    image_texts_of,
    posts_by_id,
    transcript_owner,
    transcript_segments,
)
from monitor.transcription.result import logprob_confidence
from storage.keyword_hits import (
    image_key,
    images_scope,
    posts_scope,
    replace_hits,
    segments_scope,
)

BATCH = 1000


@lru_cache(maxsize=8)
def _cached_matcher(
    blob: str, source: Source, engine: EngineName, fuzzy: FuzzyOptions | None
) -> KeywordMatcher:
    groups = {
        name: KeywordGroupConfig.model_validate(cfg) for name, cfg in json.loads(blob).items()
    }
    return KeywordMatcher.for_source(groups, source, engine, fuzzy)


def matcher_for(
    groups: Mapping[str, KeywordGroupConfig],
    source: Source,
    engine: EngineName = DEFAULT_ENGINE,
    fuzzy: FuzzyOptions | None = None,
) -> KeywordMatcher:
    """The compiled matcher for these groups and source, reused while the config is unchanged.

    `fuzzy` (transcripts only: post text is exact) adds approximate matches of names and phrases.
    """
    blob = json.dumps({n: g.model_dump() for n, g in groups.items()}, sort_keys=True)
    return _cached_matcher(blob, source, engine, fuzzy if source == "transcripts" else None)


def post_sources(rows: Iterable[Any]) -> list[SourceText]:
    """Sources of posts (ORM objects or rows with id, title, text, url, published_at,
    poll_text and parent_post_id): the post's text, and its poll (question and options) as a
    source of its own, so a hit says it was found in the poll. A comment's text is source kind
    `comment`, so its hits are told from the channel's own posts'."""
    sources = []
    for post in rows:
        common = {
            "post_id": post.id,
            "segment_id": None,
            "link": post.url,
            "published_at": post.published_at,
        }
        sources.append(
            SourceText(
                source_key=f"post:{post.id}",
                source_kind="comment" if getattr(post, "parent_post_id", None) else "post",
                text=post_text(post.title, post.text),
                **common,
            )
        )
        if getattr(post, "poll_text", None):
            sources.append(
                SourceText(
                    source_key=f"poll:{post.id}",
                    source_kind="poll",
                    text=post.poll_text,
                    **common,
                )
            )
    return sources


def match_posts(session: Session, config: PolmonConfig, post_ids: Iterable[int]) -> int:
    """Match new or edited posts: their text hits become exactly what matches now.

    Returns the number of hits added. Groups with `search_in = "transcripts"` are ignored.
    """
    matcher = matcher_for(config.keywords, "posts")
    if matcher.empty:
        return 0
    groups = [g.name for g in matcher.groups]
    ids = sorted(set(post_ids))
    added = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        posts = posts_by_id(session, batch)
        rows = hit_rows(matcher, post_sources(posts))
        added += replace_hits(session, posts_scope(batch), groups, rows).added
    return added


def segment_sources(
    segments: Iterable[SegmentText],
    *,
    post_id: int,
    url: str | None,
    platform: str,
    published_at: datetime | None,
) -> list[SourceText]:
    """Sources of a transcript's segments; hallucination-flagged ones carry no text to match.

    Low-confidence segments are matched: their hits carry the segment's confidence. With stored
    word timestamps a hit starts (and links) at the second its first word was said, else at the
    segment's start.
    """
    return [
        SourceText(
            source_key=f"segment:{seg.id}",
            source_kind="transcript",
            post_id=post_id,
            segment_id=seg.id,
            text=None if seg.is_hallucination else seg.text,
            link=video_link_at(url, platform, seg.start_seconds),
            published_at=published_at,
            start_seconds=seg.start_seconds,
            confidence=logprob_confidence(seg.avg_logprob),
            words=word_spans(seg.text, seg.words),
            link_at=partial(video_link_at, url, platform),
            spotted=tuple((seg.words or {}).get("spotted") or ()),
        )
        for seg in segments
    ]


def match_transcript(session: Session, config: PolmonConfig, transcript_id: int) -> int:
    """Match a transcript segment by segment (skipping hallucination-flagged segments).

    Hits belong to the post of the media the transcript is attached to; posts whose media is a
    duplicate of it (media.duplicate_of_id) share the transcript but not the hits.
    Returns the number of hits added.
    """
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))
    if matcher.empty:
        return 0
    owner = transcript_owner(session, transcript_id)
    if owner is None:
        return 0
    post_id, url, published_at, platform = owner
    segments = transcript_segments(session, transcript_id)
    sources = segment_sources(
        segments, post_id=post_id, url=url, platform=platform, published_at=published_at
    )
    rows = hit_rows(matcher, sources)
    segment_ids = [s.segment_id for s in sources]
    groups = [g.name for g in matcher.groups]
    added = 0
    for start in range(0, len(segment_ids), BATCH):
        scope = segments_scope(segment_ids[start : start + BATCH])
        keys = {f"segment:{i}" for i in segment_ids[start : start + BATCH]}
        batch_rows = [r for r in rows if r["source_key"] in keys]
        added += replace_hits(session, scope, groups, batch_rows).added
    return added


def image_sources(images: Iterable[ImageTextSource]) -> list[SourceText]:
    """Sources of the text read in images (OCR); a hit's confidence is the reading's."""
    return [
        SourceText(
            source_key=image_key(image.media_id),
            source_kind="image_text",
            post_id=image.post_id,
            segment_id=None,
            text=image.text,
            link=image.url,
            published_at=image.published_at,
            confidence=image.confidence,
        )
        for image in images
    ]


def match_image_text(session: Session, config: PolmonConfig, media_id: int) -> int:
    """Match the text read in one image; groups that search posts search it (it was posted).

    Hits belong to the post of the image's media. Returns the number of hits added.
    """
    matcher = matcher_for(config.keywords, "posts")
    if matcher.empty:
        return 0
    rows = hit_rows(matcher, image_sources(image_texts_of(session, [media_id])))
    groups = [g.name for g in matcher.groups]
    return replace_hits(session, images_scope([media_id]), groups, rows).added
