"""`/search?q=…`: full-text search over posts, transcripts and image text (as `polmon search`),
highlighted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from collectors.records import PLATFORMS
from monitor.queries.post_page import web_link
from monitor.queries.search import QueryError
from monitor.queries.search_page import SEARCH_COLUMNS, SearchRow, search_page
from monitor.queries.selection import UnknownSelection, actor_name
from monitor.web.deps import DbSession, bad_request, render
from monitor.web.export import ExportFormat, export_response
from monitor.web.routes.hits import no_nul, platform_of, when

router = APIRouter()

SearchIn = Literal["all", "posts", "transcripts", "images"]


@dataclass(frozen=True)
class SearchFilters:
    """The search as typed in the URL: the query and its filters (empty: any)."""

    q: str = ""
    where: SearchIn = "all"
    actor: str | None = None
    platform: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 50

    def query(self, **extra: Any) -> str:
        values = {("in" if key == "where" else key): value for key, value in self.__dict__.items()}
        values.update(extra)
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    def run(self, session: DbSession) -> list[SearchRow]:
        """The results; 400 on a query that cannot be searched, an unknown actor or time."""
        no_nul(q=self.q, actor=self.actor)
        try:
            return search_page(
                session,
                self.q,
                where=self.where,
                actor=actor_name(session, self.actor or None),
                platform=platform_of(self.platform),
                since=when(self.since, "since"),
                until=when(self.until, "until"),
                limit=self.limit,
            )
        except (QueryError, UnknownSelection) as exc:
            raise bad_request(str(exc)) from None


def search_filters(
    q: Annotated[str, Query(max_length=1000, description='words, "phrases", a OR b, -not')] = "",
    where: Annotated[SearchIn, Query(alias="in")] = "all",
    actor: Annotated[str | None, Query(max_length=500)] = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[str | None, Query(max_length=60)] = None,
    until: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> SearchFilters:
    return SearchFilters(q, where, actor, platform, since, until, limit)


Filters = Annotated[SearchFilters, Depends(search_filters)]


@router.get("/search", include_in_schema=False)
def search_view(
    request: Request,
    session: DbSession,
    filters: Filters,
    fmt: Annotated[ExportFormat | None, Query(alias="format")] = None,
) -> Response:
    """The search form and its results; `format=csv|json` downloads them."""
    rows: list[SearchRow] = []
    error = None
    if filters.q.strip() or fmt:
        try:
            rows = filters.run(session)
        except HTTPException as exc:
            if fmt:
                raise
            error = exc.detail
    if fmt:
        return export_response(rows, SEARCH_COLUMNS, fmt, "search")
    return render(
        request,
        "search.html",
        status_code=400 if error else 200,
        filters=filters,
        rows=rows,
        error=error,
        platforms=PLATFORMS,
        web_link=web_link,
        csv_query=filters.query(format="csv"),
        json_query=filters.query(format="json"),
    )
