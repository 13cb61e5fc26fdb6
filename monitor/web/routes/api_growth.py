"""The JSON API twins of the overview, actor, account and status pages (the pages' builders)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.config import PolmonConfig
from monitor.queries import audience
from monitor.queries.collection_health import (
    FailingAccount,
    JobRunRow,
    MediaDisk,
    failing_accounts,
    media_disk,
    recent_job_runs,
)
from monitor.queries.growth.data import Metric
from monitor.queries.status import backlog_report, capability_backlog, job_report
from monitor.web.deps import Config, DbSession, bad_request
from monitor.web.growth_chart import GrowthChart, Resolution, growth_chart
from monitor.web.growth_view import AccountLine, OverviewRow, overview

router = APIRouter(prefix="/api", tags=["growth"])

PlatformQuery = Annotated[str | None, Query(max_length=20, description="Only this platform.")]
CountryQuery = Annotated[str | None, Query(max_length=2, description="Actors of this country.")]
FlagQuery = Annotated[
    Literal["jump", "drop", "deleted", "private", "unavailable", "migration"] | None,
    Query(description="Actors with this flag on them or one of their accounts."),
]
SortQuery = Annotated[str, Query(max_length=40, description="A column, '-' first: descending.")]
DaysQuery = Annotated[int, Query(ge=1, le=3660, description="The window: this many days.")]
WhenQuery = Annotated[datetime | None, Query(description="ISO date or time (UTC if no zone).")]
MetricQuery = Annotated[Metric, Query(description="The audience count to show.")]
ActorId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The actor's id.")]
AccountId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The account's id.")]


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
LONGEST_WINDOW = timedelta(days=366 * 50)


def utc(value: datetime | None) -> datetime | None:
    """A query's time in UTC (a naive one is taken as UTC); outside 1970-2200 it is a 400."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not EARLIEST <= value <= LATEST:
        raise bad_request("times must lie between 1970 and 2200")
    return value


def window(
    since: datetime | None, until: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """A window from the query; since after until, or over 50 years, is a 400."""
    start, end = utc(since), utc(until)
    if start is not None and end is not None:
        if start >= end:
            raise bad_request("since must be before until")
        if end - start > LONGEST_WINDOW:
            raise bad_request("a window of at most 50 years")
    return start, end


def overview_rows(
    session: Session,
    config: PolmonConfig,
    *,
    days: int,
    until: datetime | None,
    platform: str | None,
    country: str | None,
    flag: str | None,
    sort: str,
    metric: Metric,
) -> tuple[Any, list[OverviewRow]]:
    return overview(
        session,
        config.growth,
        days=days,
        until=utc(until),
        platform=platform or None,
        country=country or None,
        flag=flag or None,
        sort=sort,
        metric=metric,
    )


@router.get("/overview")
def api_overview(
    session: DbSession,
    config: Config,
    platform: PlatformQuery = None,
    country: CountryQuery = None,
    flag: FlagQuery = None,
    sort: SortQuery = "-latest",
    days: DaysQuery = 90,
    until: WhenQuery = None,
    metric: MetricQuery = "followers",
) -> list[OverviewRow]:
    """Every actor with its accounts: latest audience, changes, flags, posts per day, sparkline."""
    _report, rows = overview_rows(
        session,
        config,
        days=days,
        until=until,
        platform=platform,
        country=country,
        flag=flag,
        sort=sort,
        metric=metric,
    )
    return rows


class ActorSummary(TypedDict):
    """An actor page: who, their accounts' growth, recent posts across platforms."""

    actor_id: int
    actor: str
    kind: str
    country: str | None
    accounts: list[AccountLine]
    flags: list[dict[str, Any]]
    recent_posts: list[audience.RecentPost]


def find_actor_or_404(session: Session, actor_id: int) -> audience.ActorCard:
    card = audience.find_actor(session, actor_id)
    if card is None:
        raise HTTPException(404, "no such actor")
    return card


def actor_summary(
    session: Session, config: PolmonConfig, card: audience.ActorCard, until: datetime | None
) -> ActorSummary:
    """The actor's accounts (as the overview shows them) and its latest posts."""
    report, rows = overview(session, config.growth, until=until, actor=card.name)
    accounts = rows[0]["accounts"] if rows else []
    flags = [flag for actor in report.actors for flag in actor.flags]
    return ActorSummary(
        actor_id=card.id,
        actor=card.name,
        kind=card.kind,
        country=card.country,
        accounts=accounts,
        flags=flags,
        recent_posts=audience.recent_posts(session, actor_id=card.id, limit=30),
    )


@router.get("/actors/{actor_id}")
def api_actor(
    actor_id: ActorId, session: DbSession, config: Config, until: WhenQuery = None
) -> ActorSummary:
    """One actor: accounts with latest audience and changes, migration flags, recent posts."""
    return actor_summary(session, config, find_actor_or_404(session, actor_id), utc(until))


@router.get("/actors/{actor_id}/growth")
def api_actor_growth(
    actor_id: ActorId,
    session: DbSession,
    config: Config,
    since: WhenQuery = None,
    until: WhenQuery = None,
    resolution: Resolution = "auto",
    metric: MetricQuery = "followers",
) -> GrowthChart:
    """The actor's audience over time per account and in total, with events on the same axis.

    `resolution=auto` picks hourly points for a window up to 4 days, daily up to ~6 months,
    then weekly, then monthly."""
    start, end = window(since, until)
    card = find_actor_or_404(session, actor_id)
    return growth_chart(
        session, config.growth, card, since=start, until=end, resolution=resolution, metric=metric
    )


class AccountPage(TypedDict):
    """An account page: profile, growth line, profile history, posts, engagement, runs."""

    account: dict[str, Any]
    growth: AccountLine | None
    profile_history: list[audience.ProfileChange]
    recent_posts: list[audience.RecentPost]
    engagement: list[audience.EngagementWeek]
    runs: list[audience.RunRow]


def account_page(
    session: Session, config: PolmonConfig, account_id: int, until: datetime | None
) -> AccountPage:
    card = audience.find_account(session, account_id)
    if card is None:
        raise HTTPException(404, "no such account")
    _report, rows = overview(
        session, config.growth, until=until, actor=card.actor, platform=card.platform
    )
    line = next((a for row in rows for a in row["accounts"] if a["account_id"] == account_id), None)
    end = until or datetime.now(UTC)
    return AccountPage(
        account={field: getattr(card, field) for field in card.__slots__},
        growth=line,
        profile_history=audience.profile_history(session, account_id),
        recent_posts=audience.recent_posts(session, account_ids=[account_id], limit=50),
        engagement=audience.engagement_by_week(
            session, account_id, end - timedelta(days=180), end, "followers"
        ),
        runs=audience.collection_runs(session, account_id),
    )


@router.get("/accounts/{account_id}")
def api_account(
    account_id: AccountId, session: DbSession, config: Config, until: WhenQuery = None
) -> AccountPage:
    """One account: profile and its history, posts, views per post and ERR per week, runs."""
    return account_page(session, config, account_id, utc(until))


class StatusPage(TypedDict):
    """What needs attention: queue backlog, jobs, recent job runs, failing accounts, disk."""

    queue_backlog: Sequence[Mapping[str, Any]]  # monitor.queries.status.BacklogRow
    capability_backlog: Sequence[Mapping[str, Any]]  # ...status.CapabilityBacklog
    jobs: Sequence[Mapping[str, Any]]  # monitor.queries.status.JobStatus
    recent_job_runs: list[JobRunRow]
    failing_accounts: list[FailingAccount]
    media_disk: MediaDisk


def status_page_data(session: Session, config: PolmonConfig) -> StatusPage:
    return StatusPage(
        queue_backlog=backlog_report(session, datetime.now(UTC)),
        capability_backlog=capability_backlog(session, datetime.now(UTC), config.transcription),
        jobs=job_report(session, config.schedule.jobs),
        recent_job_runs=recent_job_runs(session),
        failing_accounts=failing_accounts(session),
        media_disk=media_disk(session),
    )


@router.get("/status")
def api_status(session: DbSession, config: Config) -> StatusPage:
    """The queue backlog, scheduled jobs, recent job runs, accounts failing and media disk use."""
    return status_page_data(session, config)
