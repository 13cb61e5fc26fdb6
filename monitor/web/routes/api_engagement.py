"""`/api/engagement`: `polmon engagement`'s view curves, typical curves and flags as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from typing_extensions import TypedDict

from monitor.engagement.report import EngagementRow, RuleRow, TypicalRow, engagement_report
from monitor.queries.selection import UnknownSelection, actor_name, find_account_ids
from monitor.web.deps import Config, DbSession, bad_request
from monitor.web.routes.hits import no_nul, platform_of, when

router = APIRouter(prefix="/api", tags=["engagement"])

Text = Annotated[str | None, Query(max_length=500)]
When = Annotated[
    str | None, Query(max_length=60, description="2024-06-01, an ISO time, or 7d / 24h ago")
]


class EngagementPage(TypedDict):
    """The posts (newest first), their accounts' typical curves, and the rule that flagged."""

    posts: list[EngagementRow]
    typical: list[TypicalRow]
    rule: RuleRow


@router.get("/engagement", responses={400: {"description": "an unknown name or a bad time"}})
def api_engagement(
    session: DbSession,
    config: Config,
    actor: Text = None,
    account: Text = None,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    since: When = None,
    until: When = None,
    flagged: bool = False,
    limit: Annotated[
        int, Query(ge=0, le=100_000, description="At most this many posts (0: all).")
    ] = 50,
) -> EngagementPage:
    """Each post's views, forwards and reactions at 1h/6h/24h/7d after publication, views
    against its account's typical curve (the median of its latest posts at the same age), and
    the flag `boosted`, `suppressed` or `mixed`; `flagged=true` lists only flagged posts."""
    no_nul(actor=actor, account=account)
    start, end = when(since, "since"), when(until, "until")
    if start is not None and end is not None and start >= end:
        raise bad_request("since: must be before until")
    chosen_platform = platform_of(platform)
    try:
        account_ids = find_account_ids(session, account or None, platform=chosen_platform)
        actor_stored = actor_name(session, actor or None)
    except UnknownSelection as exc:
        raise bad_request(str(exc)) from None
    report = engagement_report(
        session,
        config.engagement,
        account_ids=account_ids,
        actor=actor_stored,
        platform=chosen_platform,
        since=start,
        until=end,
        limit=limit or None,
        flagged_only=flagged,
    )
    return EngagementPage(posts=report.posts, typical=report.typical, rule=report.rule)
