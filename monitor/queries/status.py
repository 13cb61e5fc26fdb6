"""`polmon status` reads: table counts, last runs per account, queue backlog, scheduled jobs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypedDict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from collectors.records import READABLE_KINDS, TRANSCRIBABLE_KINDS
from monitor.capabilities import ANY, needs_label, needs_of
from monitor.config_sections import JobConfig, TranscriptionConfig
from storage.models import Account, Base, CollectionRun, JobRun, Media, Post
from storage.queue_status import LEASED, MediaStatus, queue_backlog
from storage.screenshots import screenshot_backlog


class LastRun(TypedDict):
    """An account's last collection run."""

    platform: str
    handle: str
    started_at: datetime
    status: str
    new: int
    updated: int
    deleted: int
    error: str | None


class StatusReport(TypedDict):
    """Rows per table, the last run per account, media per queue status, skipped media per
    reason."""

    tables: dict[str, int]
    last_runs: list[LastRun]
    media_queue: dict[str, int]
    media_skipped: dict[str, int]


# The reason shown for rows skipped before polmon kept reasons (`media.skip_reason`, 0012).
UNRECORDED = "not recorded (skipped before polmon kept reasons)"


def skipped_by_reason(session: Session) -> dict[str, int]:
    """Media rows `skipped` (never downloaded, so never transcribed or read) per short reason
    (`media.skip_reason`: e.g. "needs Telethon (too large for the web preview)"), most first."""
    rows = session.execute(
        select(Media.skip_reason, func.count())
        .where(Media.status == MediaStatus.SKIPPED)
        .group_by(Media.skip_reason)
    )
    counts = {reason or UNRECORDED: count for reason, count in rows}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


class JobStatus(TypedDict):
    """A scheduled job: its configuration, last run, last success and next run."""

    job: str
    task: str
    schedule: str
    enabled: bool
    last_started: datetime | None
    last_status: str
    last_ok: datetime | None
    next_run: datetime | None
    error: str


class BacklogRow(TypedDict, total=False):
    """Work in one queue status: `ready`/`retry_later`/`oldest` for the status each stage's
    worker picks up (`storage.queue_status.READY_BY_STAGE`: transcription and OCR share
    `downloaded`, telling their media apart by kind), `leased`/`expired_leases` for those
    held under a lease."""

    stage: str
    status: str
    ready: int
    retry_later: int
    oldest: datetime | None
    leased: int
    expired_leases: int


def status_report(session: Session) -> StatusReport:
    """Rows in every table, each account's last collection run (by platform and handle), and
    how many media are in each queue status."""
    counts = {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }
    latest = (
        select(CollectionRun.account_id, func.max(CollectionRun.id).label("run_id"))
        .group_by(CollectionRun.account_id)
        .subquery()
    )
    runs = session.execute(
        select(Account.platform, Account.handle, CollectionRun)
        .join(latest, latest.c.account_id == Account.id)
        .join(CollectionRun, CollectionRun.id == latest.c.run_id)
        .order_by(Account.platform, Account.handle)
    )
    last_runs = [
        LastRun(
            platform=platform,
            handle=handle,
            started_at=run.started_at,
            status=run.status,
            new=run.new_posts,
            updated=run.updated_posts,
            deleted=run.deleted_posts,
            error=run.error,
        )
        for platform, handle, run in runs
    ]
    queue = {
        status: count
        for status, count in session.execute(
            select(Media.status, func.count()).group_by(Media.status)
        )
    }
    return StatusReport(
        tables=counts,
        last_runs=last_runs,
        media_queue=queue,
        media_skipped=skipped_by_reason(session),
    )


def job_report(session: Session, jobs: Mapping[str, JobConfig]) -> list[JobStatus]:
    """Each configured job in config order (then any other that ran, by name) with its last
    run, last successful finish and next run time."""
    latest = (
        select(JobRun.job_name, func.max(JobRun.id).label("run_id"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    last = {
        run.job_name: run
        for run in session.scalars(select(JobRun).join(latest, latest.c.run_id == JobRun.id))
    }
    last_ok = {
        name: finished
        for name, finished in session.execute(
            select(JobRun.job_name, func.max(JobRun.finished_at))
            .where(JobRun.status == "ok")
            .group_by(JobRun.job_name)
        )
    }
    rows = []
    for name in [*jobs, *sorted(set(last) - set(jobs))]:
        job = jobs.get(name)
        run = last.get(name)
        rows.append(
            JobStatus(
                job=name,
                task=job.task if job else "(not configured)",
                schedule=(job.cron or f"every {job.interval_minutes:g} min") if job else "",
                enabled=job.enabled if job else False,
                last_started=run.started_at if run else None,
                last_status=run.status if run else "never ran",
                last_ok=last_ok.get(name),
                next_run=run.next_run_at if run else None,
                error=(run.error or "")[:120] if run else "",
            )
        )
    return rows


def backlog_report(session: Session, now: datetime) -> list[BacklogRow]:
    """Work waiting in the media queue at `now`: ready, waiting to retry and the oldest item
    per ready status; leases held and expired per leased status (`storage.queue_status`);
    then the same two rows for the screenshot queue (`screenshot_jobs`)."""
    rows = []
    for item in queue_backlog(session, now):
        if item.status in LEASED:
            rows.append(
                BacklogRow(
                    stage=item.stage,
                    status=item.status.value,
                    leased=item.leased,
                    expired_leases=item.expired_leases,
                )
            )
        else:
            rows.append(
                BacklogRow(
                    stage=item.stage,
                    status=item.status.value,
                    ready=item.ready,
                    retry_later=item.retry_later,
                    oldest=item.oldest,
                )
            )
    jobs = screenshot_backlog(session, now)
    rows.append(
        BacklogRow(
            stage="screenshots",
            status="queued",
            ready=jobs.ready,
            retry_later=jobs.retry_later,
            oldest=jobs.oldest,
        )
    )
    rows.append(
        BacklogRow(
            stage="capturing",
            status="capturing",
            leased=jobs.leased,
            expired_leases=jobs.expired_leases,
        )
    )
    return rows


class CapabilityBacklog(TypedDict):
    """Media ready now for a stage, by what a worker needs to take them (`needs`: capability
    names joined by commas, or "any worker")."""

    stage: str
    needs: str
    ready: int


def capability_backlog(
    session: Session, now: datetime, transcription: TranscriptionConfig
) -> list[CapabilityBacklog]:
    """Ready media per stage and per needs (monitor.capabilities): transcription's by the
    needs of their language (detected by a worker that handed the row on, else their post's);
    downloads and OCR take no capability."""
    due = or_(Media.next_attempt_at.is_(None), Media.next_attempt_at <= now)
    language = func.lower(func.coalesce(Media.detected_language, Post.language))
    per_language = session.execute(
        select(language, func.count())
        .select_from(Media)
        .join(Post, Post.id == Media.post_id)
        .where(
            Media.status == MediaStatus.DOWNLOADED,
            Media.kind.in_(sorted(TRANSCRIBABLE_KINDS)),
            due,
        )
        .group_by(language)
    )
    by_needs: dict[str, int] = {}
    for media_language, count in per_language:
        label = needs_label(needs_of(transcription, media_language))
        by_needs[label] = by_needs.get(label, 0) + count
    rows = [
        CapabilityBacklog(stage="transcribe", needs=label, ready=count)
        for label, count in sorted(by_needs.items())
    ]
    for stage, status, kinds in (
        ("download", MediaStatus.PENDING, None),
        ("ocr", MediaStatus.DOWNLOADED, READABLE_KINDS),
    ):
        query = select(func.count()).select_from(Media).where(Media.status == status, due)
        if kinds is not None:
            query = query.where(Media.kind.in_(sorted(kinds)))
        if ready := session.scalar(query) or 0:
            rows.append(CapabilityBacklog(stage=stage, needs=ANY, ready=ready))
    return rows


def database_ok(session: Session) -> None:
    """Raises the driver's error unless the database answers a trivial query."""
    session.execute(select(1)).scalar_one()
