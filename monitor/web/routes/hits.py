"""`/hits`: keyword hits filtered from the URL, a chart of hits over time per group, CSV/JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from collectors.records import PLATFORMS
from monitor.growth.series import Interval
from monitor.queries.hit_page import hit_choices
from monitor.queries.hits import HIT_COLUMNS, list_hits
from monitor.queries.post_page import web_link
from monitor.queries.selection import UnknownSelection, actor_name, group_name
from monitor.timeparse import parse_when
from monitor.web.deps import Config, DbSession, bad_request, render
from monitor.web.export import ExportFormat, export_response

router = APIRouter()

Source = Literal["post", "comment", "poll", "transcript", "image_text"]
Text = Annotated[str | None, Query(max_length=500)]
HIT_SOURCES: tuple[Source, ...] = ("post", "comment", "poll", "transcript", "image_text")
# How the page names each source kind (others are shown as stored).
SOURCE_LABELS = {
    "post": "post text",
    "comment": "comment",
    "poll": "poll",
    "transcript": "transcript",
}


def when(value: str | None, name: str) -> datetime | None:
    """A `since`/`until` query value (2024-06-01, an ISO time, or 7d / 24h ago); 400 if not one."""
    if not value or not value.strip():
        return None
    try:
        return parse_when(value)
    except ValueError as exc:
        raise bad_request(f"{name}: {exc}") from None
    except OverflowError:
        raise bad_request(f"{name}: {value!r} is out of range") from None


def no_nul(**values: str | None) -> None:
    """400 for a text holding a NUL character (no stored text has one; PostgreSQL refuses it)."""
    for name, value in values.items():
        if value and "\x00" in value:
            raise bad_request(f"{name}: a NUL character cannot be searched for")


def confidence_of(value: str | None) -> float | None:
    """A `min_confidence` query value: 0..1 (or a percentage, 70 or 70%); 400 if not one."""
    if not value or not value.strip():
        return None
    text = value.strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        raise bad_request("min_confidence: a number from 0 to 1 (or a percentage)") from None
    if number > 1 or value.strip().endswith("%"):
        number /= 100
    if not 0 <= number <= 1:
        raise bad_request("min_confidence: a number from 0 to 1 (or a percentage)")
    return number


def platform_of(value: str | None) -> str | None:
    if not value:
        return None
    if value not in PLATFORMS:
        raise bad_request(f"platform: one of {', '.join(PLATFORMS)}")
    return value


@dataclass(frozen=True)
class HitFilters:
    """The hit filters as typed in the URL (empty values mean "any")."""

    group: str | None = None
    term: str | None = None
    actor: str | None = None
    platform: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    min_confidence: str | None = None
    approximate: str | None = None  # "exclude": leave approximate hits out

    def query(self, **extra: Any) -> str:
        """These filters (and `extra`) as a URL query string, empty values left out."""
        values = {**self.__dict__, **extra}
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    def resolved(self, session: DbSession, config: Config) -> dict[str, Any]:
        """Keyword arguments of `list_hits` / `hit_trends`; 400 on an unknown name or time."""
        no_nul(group=self.group, term=self.term, actor=self.actor)
        if self.source and self.source not in HIT_SOURCES:
            raise bad_request(f"source: one of {', '.join(HIT_SOURCES)}")
        if self.approximate and self.approximate not in ("include", "exclude"):
            raise bad_request("approximate: include or exclude")
        try:
            group = group_name(session, config.keywords, self.group or None)
            actor = actor_name(session, self.actor or None)
        except UnknownSelection as exc:
            raise bad_request(str(exc)) from None
        return {
            "group": group,
            "term": self.term or None,
            "source": self.source or None,
            "actor": actor,
            "platform": platform_of(self.platform),
            "since": when(self.since, "since"),
            "until": when(self.until, "until"),
            "min_confidence": confidence_of(self.min_confidence),
            "include_approximate": self.approximate != "exclude",
        }


def hit_filters(
    group: Text = None,
    term: Text = None,
    actor: Text = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    source: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[str | None, Query(max_length=60)] = None,
    until: Annotated[str | None, Query(max_length=60)] = None,
    min_confidence: Annotated[
        str | None,
        Query(max_length=20, description="0..1 or a percentage; exact text hits always pass."),
    ] = None,
    approximate: Annotated[
        str | None, Query(max_length=20, description="include (default) or exclude.")
    ] = None,
) -> HitFilters:
    return HitFilters(
        group, term, actor, platform, source, since, until, min_confidence, approximate
    )


Filters = Annotated[HitFilters, Depends(hit_filters)]
Limit = Annotated[int, Query(ge=0, le=100_000, description="At most this many hits (0: all).")]
TrendInterval = Annotated[Interval, Query()]


@router.get("/hits", include_in_schema=False)
def hits_page(
    request: Request,
    session: DbSession,
    config: Config,
    filters: Filters,
    interval: TrendInterval = "day",
    limit: Limit = 100,
    fmt: Annotated[ExportFormat | None, Query(alias="format")] = None,
) -> Response:
    """Hits newest first, the filters in the URL; `format=csv|json` downloads what is shown."""
    try:
        rows = list_hits(session, limit=limit or None, **filters.resolved(session, config))
    except HTTPException as exc:
        if fmt:
            raise
        return render(
            request,
            "hits.html",
            status_code=exc.status_code,
            error=exc.detail,
            **_page_context(session, config, filters, interval, limit, []),
        )
    if fmt:
        return export_response(rows, HIT_COLUMNS, fmt, "hits")
    return render(
        request,
        "hits.html",
        error=None,
        **_page_context(session, config, filters, interval, limit, rows),
    )


def _page_context(
    session: DbSession,
    config: Config,
    filters: HitFilters,
    interval: Interval,
    limit: int,
    rows: list[Any],
) -> dict[str, Any]:
    return {
        "filters": filters,
        "interval": interval,
        "limit": limit,
        "rows": rows,
        "choices": hit_choices(session, config.keywords),
        "platforms": PLATFORMS,
        "sources": HIT_SOURCES,
        "source_labels": SOURCE_LABELS,
        "intervals": ("day", "week", "month"),
        "csv_query": filters.query(limit=limit, format="csv"),
        "json_query": filters.query(limit=limit, format="json"),
        "trends_query": filters.query(interval=interval),
        "web_link": web_link,
    }
