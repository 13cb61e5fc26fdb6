"""`/api/engagement`: `polmon engagement`'s view curves, typical curves and flags as JSON."""

from __future__ import annotations

from fastapi import APIRouter
from typing_extensions import TypedDict

from monitor.engagement.report import EngagementRow, RuleRow, TypicalRow
from monitor.web.deps import Config, DbSession
from monitor.web.routes.engagement import Filters, Limit

router = APIRouter(prefix="/api", tags=["engagement"])


class EngagementPage(TypedDict):
    """The posts (newest first), their accounts' typical curves, and the rule that flagged."""

    posts: list[EngagementRow]
    typical: list[TypicalRow]
    rule: RuleRow


@router.get("/engagement", responses={400: {"description": "an unknown name or a bad time"}})
def api_engagement(
    session: DbSession, config: Config, filters: Filters, limit: Limit = 50
) -> EngagementPage:
    """Each post's views, forwards and reactions at 1h/6h/24h/7d after publication, its views
    against its account's typical curve (the median of its latest posts at the same age), and
    the flag `boosted`, `suppressed` or `mixed`; `flagged=true` lists only flagged posts;
    `since`/`until` take 2024-06-01, an ISO time, or 7d / 24h ago; `limit=0` lists all."""
    report = filters.report(session, config, limit)
    return EngagementPage(posts=report.posts, typical=report.typical, rule=report.rule)
