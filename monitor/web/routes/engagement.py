"""`/engagement`: view curves by age against each account's typical curve, flags; CSV/JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from collectors.records import PLATFORMS
from monitor.engagement.curves import AGE_LABELS
from monitor.engagement.report import ENGAGEMENT_COLUMNS, EngagementReport, engagement_report
from monitor.queries.selection import UnknownSelection, actor_name, find_account_ids
from monitor.web.deps import Config, DbSession, bad_request, render
from monitor.web.export import ExportFormat, export_response
from monitor.web.routes.hits import no_nul, platform_of, when

router = APIRouter()

Text = Annotated[str | None, Query(max_length=500)]
When = Annotated[
    str | None, Query(max_length=60, description="2024-06-01, an ISO time, or 7d / 24h ago")
]
Limit = Annotated[int, Query(ge=0, le=100_000, description="At most this many posts (0: all).")]


@dataclass(frozen=True)
class EngagementFilters:
    """The filters as typed in the URL (empty values mean "any")."""

    actor: str | None = None
    account: str | None = None
    platform: str | None = None
    since: str | None = None
    until: str | None = None
    flagged: bool = False

    def query(self, **extra: Any) -> str:
        values = {**self.__dict__, "flagged": "true" if self.flagged else None, **extra}
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    def report(self, session: DbSession, config: Config, limit: int) -> EngagementReport:
        """`engagement_report` for these filters; 400 on an unknown name or a bad time."""
        no_nul(actor=self.actor, account=self.account)
        start, end = when(self.since, "since"), when(self.until, "until")
        if start is not None and end is not None and start >= end:
            raise bad_request("since: must be before until")
        platform = platform_of(self.platform)
        try:
            account_ids = find_account_ids(session, self.account or None, platform=platform)
            actor = actor_name(session, self.actor or None)
        except UnknownSelection as exc:
            raise bad_request(str(exc)) from None
        return engagement_report(
            session,
            config.engagement,
            account_ids=account_ids,
            actor=actor,
            platform=platform,
            since=start,
            until=end,
            limit=limit or None,
            flagged_only=self.flagged,
        )


def engagement_filters(
    actor: Text = None,
    account: Annotated[str | None, Query(max_length=500, description="handle or URL")] = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    since: When = None,
    until: When = None,
    flagged: Annotated[bool, Query(description="only boosted, suppressed or mixed")] = False,
) -> EngagementFilters:
    return EngagementFilters(actor, account, platform, since, until, flagged)


Filters = Annotated[EngagementFilters, Depends(engagement_filters)]


@router.get("/engagement", include_in_schema=False)
def engagement_page(
    request: Request,
    session: DbSession,
    config: Config,
    filters: Filters,
    limit: Limit = 50,
    fmt: Annotated[ExportFormat | None, Query(alias="format")] = None,
) -> Response:
    """The posts' curves and the typical ones; `format=csv|json` downloads the posts' rows."""
    error = None
    try:
        report: EngagementReport | None = filters.report(session, config, limit)
    except HTTPException as exc:
        if fmt:
            raise
        report, error = None, exc.detail
    if fmt and report is not None:
        return export_response(report.posts, ENGAGEMENT_COLUMNS, fmt, "engagement")
    return render(
        request,
        "engagement.html",
        status_code=400 if error else 200,
        error=error,
        report=report,
        filters=filters,
        limit=limit,
        ages=AGE_LABELS,
        platforms=PLATFORMS,
        rule=config.engagement,
        csv_query=filters.query(limit=limit, format="csv"),
        json_query=filters.query(limit=limit, format="json"),
        api_query=filters.query(limit=limit),
    )
