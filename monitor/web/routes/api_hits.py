"""`/api/hits` and `/api/hits/trends`: the hits page's reads as JSON (its filters, same names)."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.queries.hits import HitRow, TrendRow, hit_trends, list_hits
from monitor.web.deps import Config, DbSession
from monitor.web.routes.hits import Filters, Limit, TrendInterval

router = APIRouter(prefix="/api", tags=["hits"])


@router.get("/hits")
def api_hits(
    session: DbSession, config: Config, filters: Filters, limit: Limit = 100
) -> list[HitRow]:
    """Keyword hits newest first; `source` is post or transcript; `since`/`until` take
    2024-06-01, an ISO time, or 7d / 24h ago; `limit=0` lists all."""
    return list_hits(session, limit=limit or None, **filters.resolved(session, config))


@router.get("/hits/trends")
def api_hit_trends(
    session: DbSession, config: Config, filters: Filters, interval: TrendInterval = "day"
) -> list[TrendRow]:
    """Hits and distinct posts per keyword group, actor and period (UTC), oldest first."""
    return hit_trends(session, interval=interval, **filters.resolved(session, config))
