"""Captures: the raw responses posts were read from, stored once and linked to post versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.records import PostRecord, RawCapture
from storage.evidence_store import EvidenceStore
from storage.ingest import BatchResult
from storage.models import Capture, KeywordHit

# all: every response; hits: those holding a post with a keyword hit, an edit or a deletion;
# none: nothing.
EvidenceMode = Literal["all", "hits", "none"]
EVIDENCE_MODES: tuple[EvidenceMode, ...] = ("all", "hits", "none")


@dataclass
class CaptureReport:
    """What one call stored: capture rows, new files and their bytes; the captures left out."""

    rows: int = 0
    files: int = 0
    stored_bytes: int = 0
    left_out: list[RawCapture] = field(default_factory=list)


def _key(capture: RawCapture) -> tuple[str, str, datetime]:
    return (capture.sha256, capture.url, capture.fetched_at)


def store_captures(
    session: Session,
    store: EvidenceStore,
    account_id: int | None,
    captures: Iterable[RawCapture],
    report: CaptureReport | None = None,
) -> dict[tuple[str, str, datetime], int]:
    """Write each capture's file (once per sha256) and row (once per response); ids by key."""
    report = report or CaptureReport()
    wanted: dict[tuple[str, str, datetime], RawCapture] = {}
    for capture in captures:
        wanted.setdefault(_key(capture), capture)
    ids: dict[tuple[str, str, datetime], int] = {}
    if not wanted:
        return ids
    shas = {key[0] for key in wanted}
    for row in session.scalars(select(Capture).where(Capture.sha256.in_(shas))):
        ids[(row.sha256, row.url, row.fetched_at)] = row.id
    rows: list[tuple[tuple[str, str, datetime], Capture]] = []
    for key, capture in wanted.items():
        if key in ids:
            continue  # the same response again (a retried batch): append-only, nothing new
        stored = store.put(capture.content, sha256=key[0])
        report.files += int(stored.written)
        report.stored_bytes += stored.stored_bytes if stored.written else 0
        rows.append(
            (
                key,
                Capture(
                    account_id=account_id,
                    kind=capture.kind,
                    url=capture.url,
                    fetched_at=capture.fetched_at,
                    http_status=capture.status,
                    headers={"items": [list(pair) for pair in capture.headers]}
                    if capture.headers
                    else None,
                    content_type=capture.content_type,
                    sha256=key[0],
                    size_bytes=len(capture.content),
                    stored_bytes=stored.stored_bytes,
                    storage_key=stored.key,
                ),
            )
        )
    session.add_all(row for _key_, row in rows)
    session.flush()
    report.rows += len(rows)
    ids.update({key: row.id for key, row in rows})
    return ids


def _hit_posts(session: Session, post_ids: Sequence[int]) -> set[int]:
    if not post_ids:
        return set()
    found = session.scalars(
        select(KeywordHit.post_id).where(KeywordHit.post_id.in_(post_ids)).distinct()
    )
    return set(found)


def keep_captures(
    session: Session,
    store: EvidenceStore,
    account_id: int,
    records: Sequence[PostRecord],
    result: BatchResult,
    mode: EvidenceMode,
) -> CaptureReport:
    """Store the batch's captures as `mode` says and link each new version to its capture.

    Run after the batch's ingest and keyword matching, in the same transaction. Captures
    `hits` leaves out come back in `left_out`: the caller stores them if the pass then finds
    a deletion (the listing that no longer held a post is the evidence of it)."""
    report = CaptureReport()
    by_key: dict[tuple[str, str, datetime], tuple[RawCapture, set[int]]] = {}
    for record in records:
        if record.capture is None:
            continue
        entry = by_key.setdefault(_key(record.capture), (record.capture, set()))
        post_id = result.post_ids.get(record.platform_post_id)
        if post_id is not None:
            entry[1].add(post_id)
    if mode == "none" or not by_key:
        return report
    if mode == "all":
        kept = [capture for capture, _posts in by_key.values()]
    else:
        notable = set(result.changed_post_ids) | _hit_posts(session, result.matched_post_ids)
        kept = [capture for capture, posts in by_key.values() if posts & notable]
        report.left_out = [capture for capture, posts in by_key.values() if not posts & notable]
    ids = store_captures(session, store, account_id, kept, report)
    for version, record in result.versions:
        if record.capture is not None:
            version.capture_id = ids.get(_key(record.capture))
    session.flush()
    return report
