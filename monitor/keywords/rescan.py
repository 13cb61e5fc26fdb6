"""Re-match the whole history after the keyword config changed: batched, idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from collectors.errors import PolmonError
from monitor.config import KeywordGroupConfig, PolmonConfig
from monitor.keywords.engines import DEFAULT_ENGINE, EngineName
from monitor.keywords.fuzzy import FuzzyOptions, fuzzy_options
from monitor.keywords.hitrows import SourceText, hit_rows
from monitor.keywords.live import image_sources, matcher_for, post_sources, segment_sources
from monitor.keywords.terms import group_fingerprint
from monitor.queries.keyword_sources import image_texts_after, posts_after, segments_after
from storage.app_state import read_state, write_state
from storage.engine import transaction
from storage.keyword_hits import (
    HitScope,
    WriteCounts,
    drop_groups_except,
    drop_terms_except,
    images_scope,
    post_range_scope,
    replace_hits,
    segment_range_scope,
)

log = logging.getLogger(__name__)
STATE_KEY = "keywords.fingerprints"
BATCH = 2000


class UnknownGroupError(PolmonError, ValueError):
    """`--group` names a group that is not in the config."""

    expected = True


@dataclass
class RescanReport:
    groups: list[str] = field(default_factory=list)
    removed_groups: list[str] = field(default_factory=list)
    posts: int = 0
    segments: int = 0
    images: int = 0
    hits: WriteCounts = field(default_factory=WriteCounts)
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "removed_groups": self.removed_groups,
            "posts_scanned": self.posts,
            "segments_scanned": self.segments,
            "images_scanned": self.images,
            "hits_added": self.hits.added,
            "hits_updated": self.hits.updated,
            "hits_removed": self.hits.removed,
            "skipped": self.skipped,
        }


def _stored_fingerprints(session: Session) -> dict[str, str]:
    return read_state(session, STATE_KEY) or {}


def rescan_keywords(
    config: PolmonConfig,
    engine: Engine,
    *,
    group: str | None = None,
    force: bool = False,
    matcher_engine: EngineName = DEFAULT_ENGINE,
    progress: Callable[[str, int], None] | None = None,
) -> RescanReport:
    """Re-match the whole history of posts and transcripts and drop stale hits.

    Hits of groups and terms no longer configured are removed, new ones are found, and a second
    run changes nothing. Which groups are re-matched: `group` if given; every group with
    `force=True` (`polmon keywords rescan`); otherwise (the scheduled job) the groups whose
    definition changed since their last rescan — all of them on the first run — since new and
    edited content is matched as it arrives (match_posts / match_transcript).
    """
    configured = config.keywords
    if group is not None and group not in configured:
        raise UnknownGroupError(f"no keyword group {group!r} in the config")
    report = RescanReport()
    fuzzy = fuzzy_options(config)
    fingerprints = {name: group_fingerprint(cfg, repr(fuzzy)) for name, cfg in configured.items()}
    with transaction(engine) as session:
        stored = _stored_fingerprints(session)
        if group is None:
            report.removed_groups = drop_groups_except(session, set(configured))
    if group is not None:
        selected = [group]
    elif force:
        selected = list(configured)
    else:
        selected = [n for n in configured if stored.get(n) != fingerprints[n]]
    report.groups = selected
    if not selected:
        report.skipped = not report.removed_groups
    else:
        groups = {name: configured[name] for name in selected}
        _drop_unconfigured_terms(engine, groups)
        _rescan_posted(engine, groups, report, matcher_engine, progress, "posts")
        _rescan_segments(engine, groups, report, (matcher_engine, fuzzy), progress)
        _rescan_posted(engine, groups, report, matcher_engine, progress, "images")
    with transaction(engine) as session:
        kept = {n: v for n, v in stored.items() if n in configured}
        kept.update({n: fingerprints[n] for n in selected})
        write_state(session, STATE_KEY, kept)
    return report


def _drop_unconfigured_terms(engine: Engine, groups: dict[str, KeywordGroupConfig]) -> None:
    """Bulk-delete hits of terms no longer in their group (and of sources no longer searched)."""
    with transaction(engine) as session:
        for name, cfg in groups.items():
            unsearched = {"posts": "transcript", "transcripts": "post"}.get(cfg.search_in)
            drop_terms_except(session, name, cfg.terms, unsearched)
            if cfg.search_in == "transcripts":  # image text is posted: searched with posts
                drop_terms_except(session, name, cfg.terms, "image_text")


# What one batch of posted text gives: the last id read, its sources, their hits' scope, count.
_Batch = tuple[int, list[SourceText], HitScope, int]


def _posted_batch(
    session: Session, kind: Literal["posts", "images"], last_id: int
) -> _Batch | None:
    """The next batch of posts (by post id) or of image texts (by media id), None at the end."""
    if kind == "posts":
        posts = posts_after(session, last_id, BATCH)
        if not posts:
            return None
        scope = post_range_scope(posts[0].id, posts[-1].id)
        return posts[-1].id, post_sources(posts), scope, len(posts)
    images = image_texts_after(session, last_id, BATCH)
    if not images:
        return None
    scope = images_scope([image.media_id for image in images])
    return images[-1].media_id, image_sources(images), scope, len(images)


def _rescan_posted(
    engine: Engine,
    groups: dict[str, KeywordGroupConfig],
    report: RescanReport,
    matcher_engine: EngineName,
    progress: Callable[[str, int], None] | None,
    kind: Literal["posts", "images"],
) -> None:
    """Posts' text, or the text read in their images: matched by the groups that search posts."""
    matcher = matcher_for(groups, "posts", matcher_engine)
    if matcher.empty:
        return
    names = [g.name for g in matcher.groups]
    last_id = 0
    while True:
        with transaction(engine) as session:
            batch = _posted_batch(session, kind, last_id)
            if batch is None:
                return
            last_id, sources, scope, count = batch
            rows = hit_rows(matcher, sources)
            report.hits += replace_hits(session, scope, names, rows, alert=False)
        setattr(report, kind, getattr(report, kind) + count)
        if progress:
            progress(kind, getattr(report, kind))


def _rescan_segments(
    engine: Engine,
    groups: dict[str, KeywordGroupConfig],
    report: RescanReport,
    how: tuple[EngineName, FuzzyOptions | None],
    progress: Callable[[str, int], None] | None,
) -> None:
    matcher = matcher_for(groups, "transcripts", *how)
    if matcher.empty:
        return
    names = [g.name for g in matcher.groups]
    last_id = 0
    while True:
        with transaction(engine) as session:
            batch = segments_after(session, last_id, BATCH)
            if not batch:
                return
            first_id, last_id = batch[0].segment.id, batch[-1].segment.id
            sources = [
                source
                for segment, owner in batch
                for source in segment_sources(
                    [segment],
                    post_id=owner.post_id,
                    url=owner.url,
                    platform=owner.platform,
                    published_at=owner.published_at,
                )
            ]
            scope = segment_range_scope(first_id, last_id)
            report.hits += replace_hits(
                session, scope, names, hit_rows(matcher, sources), alert=False
            )
        report.segments += len(batch)
        if progress:
            progress("segments", report.segments)
