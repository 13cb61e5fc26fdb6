"""`/api/search`: the search page's results as JSON (same parameters)."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.queries.search_page import SearchRow
from monitor.web.deps import DbSession
from monitor.web.routes.search import Filters

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", responses={400: {"description": "a query that cannot be searched"}})
def api_search(session: DbSession, filters: Filters) -> list[SearchRow]:
    """Posts and transcript segments matching `q`, best first; `parts` is the snippet cut
    into stretches, `match` where a searched term occurs (zero-width characters ignored)."""
    return filters.run(session)
