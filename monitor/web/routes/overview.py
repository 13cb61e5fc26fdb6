"""`/`: every actor with its accounts, audience, changes, flags and a sparkline; CSV/JSON export."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from collectors.records import PLATFORMS
from monitor.growth import SUMMARY_COLUMNS, summary_rows
from monitor.web.deps import Config, DbSession, render
from monitor.web.export import ExportFormat
from monitor.web.export import export_response as export
from monitor.web.growth_view import (
    FLAG_KINDS,
    OVERVIEW_ACCOUNTS_SHOWN,
    SORT_KEYS,
    change_keys,
    sparkline_points,
)
from monitor.web.routes.api_growth import (
    CountryQuery,
    DaysQuery,
    FlagQuery,
    MetricQuery,
    PlatformQuery,
    SortQuery,
    WhenQuery,
    overview_rows,
)

router = APIRouter()


def query_link(request: Request, **changes: object) -> str:
    """This page's URL with some query parameters changed (None or "" removes one)."""
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else request.url.path


@router.get("/", include_in_schema=False)
def overview_page(
    request: Request,
    session: DbSession,
    config: Config,
    platform: PlatformQuery = None,
    country: CountryQuery = None,
    flag: FlagQuery = None,
    sort: SortQuery = "-latest",
    days: DaysQuery = 90,
    until: WhenQuery = None,
    metric: MetricQuery = "followers",
    format: ExportFormat | None = None,
) -> Response:
    """The overview; `?format=csv|json` downloads `polmon growth --format csv`'s rows."""
    report, rows = overview_rows(
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
    if format is not None:
        return export(summary_rows(report), SUMMARY_COLUMNS, format, "overview")
    return render(
        request,
        "overview.html",
        rows=rows,
        report=report,
        filters={
            "platform": platform or "",
            "country": country or "",
            "flag": flag or "",
            "sort": sort,
            "days": days,
            "until": until.date().isoformat() if until else "",
            "metric": metric,
        },
        flag_kinds=FLAG_KINDS,
        sort_keys=SORT_KEYS,
        change_keys=change_keys(),
        platforms=PLATFORMS,
        sparkline=sparkline_points,
        shown=OVERVIEW_ACCOUNTS_SHOWN,
        link=lambda **changes: query_link(request, **changes),
    )
