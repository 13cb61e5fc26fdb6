"""The work queues: leased claims (SQLite atomic UPDATE, PostgreSQL SKIP LOCKED), backoff.

The media stages queue `media` rows; a stage may name another table with the same lease
columns (`Stage.table`: `screenshot_jobs`)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from collectors.records import READABLE_KINDS, TRANSCRIBABLE_KINDS
from storage.engine import transaction
from storage.models import Media, Post
from storage.queue_status import MediaStatus as S
from storage.types import utcnow


@dataclass(frozen=True)
class Stage:
    """One stage of media work: rows move ready -> working (leased) -> done, or failed."""

    name: str
    ready_status: str
    working_status: str
    done_status: str
    lease_seconds: float = 900.0
    max_attempts: int = 3
    # Leases that may expire on one row (its worker killed or hung) before it is failed;
    # counted apart from attempts, which are the media's own failures.
    max_lease_expiries: int = 5
    backoff_seconds: float = 60.0
    max_backoff_seconds: float = 6 * 3600.0
    # The media kinds this stage takes (None: every kind); transcription and OCR share the
    # `downloaded` and `transcribing` statuses and tell their rows apart by kind.
    kinds: frozenset[str] | None = None
    # The queue's table: `media`, or another with the same lease columns (id, status,
    # attempts, last_error, next_attempt_at, lease_owner, lease_expires_at, lease_expiries,
    # updated_at).
    table: Any = Media
    # Media in these languages (lower case) are left to other workers: they need a capability
    # this worker lacks (a routed language's model, a GPU; monitor.capabilities). A row's
    # language is the one a worker detected and handed it back for (media.detected_language),
    # else its post's as the platform gave it.
    excluded_languages: frozenset[str] = frozenset()

    def backoff(self, attempts: int) -> timedelta:
        delay = min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)
        return timedelta(seconds=delay)


def download_stage(**overrides: Any) -> Stage:
    return Stage("download", S.PENDING, S.DOWNLOADING, S.DOWNLOADED, **overrides)


def transcribe_stage(**overrides: Any) -> Stage:
    overrides.setdefault("kinds", TRANSCRIBABLE_KINDS)
    return Stage("transcribe", S.DOWNLOADED, S.TRANSCRIBING, S.DONE, **overrides)


def ocr_stage(**overrides: Any) -> Stage:
    """Reading the text in downloaded photos; leased under `transcribing`, like speech."""
    overrides.setdefault("kinds", READABLE_KINDS)
    return Stage("ocr", S.DOWNLOADED, S.TRANSCRIBING, S.DONE, **overrides)


def _of_kind(stage: Stage) -> list[Any]:
    """The condition keeping a stage to its kinds (none when it takes every kind)."""
    return [] if stage.kinds is None else [stage.table.kind.in_(sorted(stage.kinds))]


def _within_capabilities(stage: Stage) -> list[Any]:
    """The condition leaving media of excluded languages to other workers: one primary-key
    look-up of the row's post, as before detected languages were recorded."""
    if not stage.excluded_languages or stage.table is not Media:
        return []
    language = func.lower(func.coalesce(Media.detected_language, Post.language))
    excluded = select(Post.id).where(
        Post.id == Media.post_id, language.in_(sorted(stage.excluded_languages))
    )
    return [~excluded.exists()]


def worker_id(prefix: str = "worker") -> str:
    """A lease owner name unique to this process: host, pid and a random suffix."""
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _status_is(stage: Stage, status: str) -> Any:
    """`status = '<value>'` with the value written into the SQL, not bound: a prepared
    statement's generic plan (psycopg prepares after five runs) could not otherwise match
    the partial index `WHERE status = 'pending'` and would scan the table."""
    value = getattr(status, "value", status)
    return stage.table.status == literal(value, literal_execute=True)


def _ready(stage: Stage, now: datetime) -> Any:
    """Rows waiting for the stage, in id order by the partial index of their status
    (`ix_media_claim_pending`, `ix_media_claim_downloaded`, migration 0017)."""
    table = stage.table
    return and_(
        _status_is(stage, stage.ready_status),
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
        *_of_kind(stage),
        *_within_capabilities(stage),
    )


def _expired(stage: Stage, now: datetime) -> Any:
    """Rows whose worker died or hung (few: one per worker at most)."""
    table = stage.table
    return and_(
        _status_is(stage, stage.working_status),
        table.lease_expires_at < now,
        *_of_kind(stage),
        *_within_capabilities(stage),
    )


def legacy_claim_query(stage: Stage, now: datetime, limit: int) -> Any:
    """The claim's candidate query before 0017 (one OR over ready and expired rows), kept
    only so bench/queue_claims.py measures old and new side by side."""
    table = stage.table
    expired = and_(_expired(stage, now), table.lease_expiries + 1 < stage.max_lease_expiries)
    return select(table.id).where(or_(_ready(stage, now), expired)).order_by(table.id).limit(limit)


def _lease(
    session: Session, stage: Stage, owner: str, candidates: Any, now: datetime, engine: Engine
) -> list[tuple[int, str]]:
    """Lease the candidate rows; an expired row out of lease expiries is failed instead.

    Returns (id, new status) of every row touched."""
    table = stage.table
    if engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    exhausted = and_(
        table.status == stage.working_status,
        table.lease_expiries + 1 >= stage.max_lease_expiries,
    )
    result = session.execute(
        update(table)
        .where(table.id.in_(candidates.scalar_subquery()))
        .values(
            status=case((exhausted, S.FAILED), else_=stage.working_status),
            lease_owner=case((exhausted, None), else_=owner),
            lease_expires_at=case(
                (exhausted, None), else_=now + timedelta(seconds=stage.lease_seconds)
            ),
            last_error=case(
                (
                    exhausted,
                    f"{stage.name}: lease expired {stage.max_lease_expiries} times "
                    "(the worker died or hung each time)",
                ),
                else_=table.last_error,
            ),
            # A ready row starts an attempt; an expired one goes on with the dead worker's
            # attempt (not the media's fault), and counts one more expired lease.
            attempts=table.attempts + case((table.status == stage.ready_status, 1), else_=0),
            lease_expiries=table.lease_expiries
            + case((table.status == stage.working_status, 1), else_=0),
            updated_at=now,
        )
        .returning(table.id, table.status)
        .execution_options(synchronize_session=False)
    )
    return [(row_id, status) for row_id, status in result]


def claim(engine: Engine, stage: Stage, owner: str, limit: int = 1) -> list[int]:
    """Atomically lease up to `limit` ready (or expired) rows for `owner`; returns their ids.

    Two index-driven steps in one transaction: expired leases first (a row whose lease
    expired `max_lease_expiries` times is failed there, not claimed), then ready rows in id
    order. No separate clean-up statement runs before the claim."""
    table = stage.table
    now = utcnow()
    claimed: list[int] = []
    with transaction(engine) as session:
        while len(claimed) < limit:
            wanted = limit - len(claimed)
            expired = select(table.id).where(_expired(stage, now)).limit(wanted)
            touched = _lease(session, stage, owner, expired, now, engine)
            claimed += [i for i, status in touched if status == stage.working_status]
            if not touched:
                break
        if len(claimed) < limit:
            ready = (
                select(table.id)
                .where(_ready(stage, now))
                .order_by(table.id)
                .limit(limit - len(claimed))
            )
            claimed += [i for i, _ in _lease(session, stage, owner, ready, now, engine)]
    return sorted(claimed)


def _owned(media_id: int, stage: Stage, owner: str) -> Any:
    table = stage.table
    return and_(
        table.id == media_id, table.lease_owner == owner, table.status == stage.working_status
    )


def renew(engine: Engine, stage: Stage, media_id: int, owner: str) -> bool:
    """Extend a lease still held; False when it was lost (expired and taken by another)."""
    table = stage.table
    now = utcnow()
    with transaction(engine) as session:
        result = session.execute(
            update(table)
            .where(_owned(media_id, stage, owner))
            .values(lease_expires_at=now + timedelta(seconds=stage.lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def release(
    engine: Engine,
    stage: Stage,
    media_id: int,
    owner: str,
    *,
    retry_after: float | None = None,
    error: str | None = None,
    **values: Any,
) -> bool:
    """Give a lease back (clean shutdown, a local fault): the attempt is not counted.

    `retry_after` seconds: the row is not claimable before then (e.g. waiting for a duplicate,
    or for disk space); `error`: why, kept as the row's last error; `values`: more columns to
    set (a detected language the worker cannot handle).
    """
    table = stage.table
    delay: dict[str, Any] = {}
    if retry_after is not None:
        delay["next_attempt_at"] = utcnow() + timedelta(seconds=retry_after)
    if error is not None:
        delay["last_error"] = error[:4000]
    with transaction(engine) as session:
        result = session.execute(
            update(table)
            .where(_owned(media_id, stage, owner))
            .values(
                status=stage.ready_status,
                lease_owner=None,
                lease_expires_at=None,
                attempts=table.attempts - 1,
                **delay,
                **values,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def complete(session: Session, stage: Stage, media_id: int, owner: str, **values: Any) -> bool:
    """Mark done inside the caller's transaction, only if `owner` still holds the lease.

    Returns False when the lease was lost: the caller must then roll back its results so
    that no media is processed twice. Attempts reset for the next stage.
    """
    table = stage.table
    result = session.execute(
        update(table)
        .where(_owned(media_id, stage, owner))
        .values(
            status=values.pop("status", stage.done_status),
            lease_owner=None,
            lease_expires_at=None,
            attempts=0,
            lease_expiries=0,
            next_attempt_at=None,
            last_error=None,
            updated_at=utcnow(),
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail(
    engine: Engine,
    stage: Stage,
    media_id: int,
    owner: str,
    error: str,
    *,
    permanent: bool = False,
    status: str = S.FAILED,
    skip_reason: str | None = None,
) -> str | None:
    """Record an error: retry later with backoff, or `status` (failed/skipped) when final.
    `skip_reason`: the short reason a row that ends `skipped` keeps (`media.skip_reason`).

    Returns the row's new status, or None if the lease had been lost.
    """
    table = stage.table
    now = utcnow()
    with transaction(engine) as session:
        media = session.execute(
            select(table).where(_owned(media_id, stage, owner))
        ).scalar_one_or_none()
        if media is None:
            return None
        media.last_error = error[:4000]
        media.lease_owner = None
        media.lease_expires_at = None
        if permanent or media.attempts >= stage.max_attempts:
            media.status = status
            media.next_attempt_at = None
            if isinstance(media, Media):  # a queue table of its own keeps no skip reason
                media.skip_reason = (
                    skip_reason[:100] if skip_reason and status == S.SKIPPED else None
                )
        else:
            media.status = stage.ready_status
            media.next_attempt_at = now + stage.backoff(media.attempts)
        return media.status


def retry_finished(
    engine: Engine, stage: Stage, status: str = S.FAILED, since: datetime | None = None
) -> int:
    """Put `status` rows (failed or skipped) back to the stage's ready status, attempts reset.

    A media row belongs to the download stage while it has no local file, to transcription
    or OCR (by its kind) once it has one; a stage with a table of its own takes all of its
    rows. `since`: only rows that reached `status` at or after then. Returns the count.
    """
    table = stage.table
    conditions = [table.status == status, *_of_kind(stage)]
    if table is Media:
        has_file = Media.local_path.is_not(None)
        conditions.append(has_file if stage.ready_status != S.PENDING else ~has_file)
    if since is not None:
        conditions.append(table.updated_at >= since)
    values: dict[str, object] = {
        "status": stage.ready_status,
        "attempts": 0,
        "lease_expiries": 0,
        "next_attempt_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": utcnow(),
    }
    if table is Media:
        values["skip_reason"] = None
    with transaction(engine) as session:
        result = session.execute(
            update(table)
            .where(*conditions)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
