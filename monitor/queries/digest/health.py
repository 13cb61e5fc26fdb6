"""Digest health section: failed collections, jobs, sends and alerts, quiet accounts, backlog."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from monitor.digest.data import FailureItem, Period, QuietAccount, Scope
from monitor.queries.digest.content import in_scope
from monitor.queries.status import skipped_by_reason
from storage.models import (
    Account,
    Actor,
    AlertDelivery,
    CollectionRun,
    Digest,
    JobRun,
    Media,
)
from storage.queue_status import queue_backlog
from storage.redaction import redact

ERROR_CHARS = 300


def _short(error: str | None) -> str:
    """One line of a stored error for the health section (redacted again: rows stored before
    polmon redacted at the storage boundary may still quote a secret)."""
    text = " ".join(redact(error or "").split())
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


def failures(session: Session, period: Period, scope: Scope) -> list[FailureItem]:
    """Collection runs that failed or partly failed, failed jobs and failed digest sends."""
    items: list[FailureItem] = []
    runs = session.execute(
        in_scope(
            select(CollectionRun, Actor.name, Account.platform, Account.handle)
            .join(Account, CollectionRun.account_id == Account.id)
            .join(Actor, Account.actor_id == Actor.id)
            .where(
                CollectionRun.started_at >= period.start,
                CollectionRun.started_at < period.end,
                CollectionRun.status.in_(("failed", "partial")),
            )
            .order_by(CollectionRun.started_at, CollectionRun.id),
            scope,
        )
    )
    for run, actor, platform, handle in runs:
        items.append(
            FailureItem(
                "collection",
                f"{actor} {platform} {handle}",
                run.started_at,
                run.status,
                _short(run.error),
            )
        )
    jobs = session.scalars(
        select(JobRun)
        .where(
            JobRun.started_at >= period.start,
            JobRun.started_at < period.end,
            JobRun.status == "failed",
        )
        .order_by(JobRun.started_at, JobRun.id)
    )
    for job in jobs:
        items.append(
            FailureItem("job", job.job_name, job.started_at, job.status, _short(job.error))
        )
    sends = session.scalars(
        select(Digest)
        .where(
            Digest.created_at >= period.start,
            Digest.created_at < period.end,
            Digest.status == "failed",
        )
        .order_by(Digest.created_at, Digest.id)
    )
    for digest in sends:
        items.append(
            FailureItem(
                "digest",
                f"digest {digest.list_name}",
                digest.created_at,
                "failed",
                _short(digest.error),
            )
        )
    items += alert_failures(session, period)
    return sorted(items, key=lambda item: item.at)


def alert_failures(session: Session, period: Period) -> list[FailureItem]:
    """Alert deliveries given up on in the period, and those still retrying, one line per
    rule, channel and status with the count and the latest error."""
    rows = session.execute(
        select(
            AlertDelivery.rule,
            AlertDelivery.channel,
            AlertDelivery.status,
            func.count(),
            func.max(AlertDelivery.id),
            func.max(AlertDelivery.created_at),
        )
        .where(
            AlertDelivery.created_at < period.end,
            ((AlertDelivery.status == "failed") & (AlertDelivery.created_at >= period.start))
            | ((AlertDelivery.status == "pending") & (AlertDelivery.attempts > 0)),
        )
        .group_by(AlertDelivery.rule, AlertDelivery.channel, AlertDelivery.status)
    )
    items = []
    for rule, channel, status, count, last_id, last_at in rows:
        error = session.scalar(select(AlertDelivery.last_error).where(AlertDelivery.id == last_id))
        items.append(
            FailureItem(
                "alerts",
                f"alerts {rule} to {channel}: {count} "
                + ("given up" if status == "failed" else "retrying"),
                last_at,
                "failed" if status == "failed" else "retrying",
                _short(error),
            )
        )
    return items


def quiet_accounts(session: Session, period: Period, scope: Scope) -> list[QuietAccount]:
    """Active accounts with no collection run at all in the period: silence is not news."""
    ran = exists().where(
        CollectionRun.account_id == Account.id,
        CollectionRun.started_at >= period.start,
        CollectionRun.started_at < period.end,
    )
    stmt = in_scope(
        select(Actor.name, Account.platform, Account.handle, Account.last_collected_at)
        .join(Actor, Account.actor_id == Actor.id)
        .where(Account.active.is_(True), ~ran)
        .order_by(Actor.name, Account.platform, Account.handle),
        scope,
    )
    return [QuietAccount(*row) for row in session.execute(stmt)]


def media_backlog(session: Session) -> dict[str, int]:
    """Media files per queue status (pending: to download, downloaded: to transcribe…)."""
    rows = session.execute(select(Media.status, func.count()).group_by(Media.status))
    return dict(sorted(rows))


def skipped_media(session: Session) -> dict[str, int]:
    """Media skipped (never downloaded, so never transcribed) per reason, as `polmon status`
    counts them."""
    return skipped_by_reason(session)


def stale_leases(session: Session, now: datetime) -> int:
    """Media held by a worker whose lease ran out (a crashed worker; requeued on next claim)."""
    return sum(item.expired_leases for item in queue_backlog(session, now))
