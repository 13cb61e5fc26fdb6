"""`/actors/<id>`: the actor's interactive growth chart (data from the API), events and posts."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from monitor.queries.events import list_events
from monitor.web.deps import Config, DbSession, render
from monitor.web.growth_chart import RESOLUTIONS, Resolution
from monitor.web.growth_view import change_keys
from monitor.web.routes.api_growth import (
    ActorId,
    MetricQuery,
    WhenQuery,
    actor_summary,
    find_actor_or_404,
    utc,
    window,
)

router = APIRouter()
# Accounts listed on the page unless ?accounts=all (an actor may have hundreds).
ACTOR_ACCOUNTS_SHOWN = 50


@router.get("/actors/{actor_id}", include_in_schema=False)
def actor_page(
    request: Request,
    actor_id: ActorId,
    session: DbSession,
    config: Config,
    since: WhenQuery = None,
    until: WhenQuery = None,
    resolution: Resolution = "auto",
    metric: MetricQuery = "followers",
    accounts: Literal["all"] | None = None,
) -> Response:
    """The page; its chart script reads `/api/actors/<id>/growth` with the same query."""
    start, end = window(since, until)
    card = find_actor_or_404(session, actor_id)
    summary = actor_summary(session, config, card, utc(until))
    chart_query = {
        k: v
        for k, v in {
            "since": start.isoformat() if start else "",
            "until": end.isoformat() if end else "",
            "resolution": resolution,
            "metric": metric,
        }.items()
        if v
    }
    events = list_events(session, actor=card.name, limit=100)
    return render(
        request,
        "actor.html",
        summary=summary,
        events=events,
        change_keys=change_keys(),
        chart_api=f"/api/actors/{actor_id}/growth?{urlencode(chart_query)}",
        resolutions=RESOLUTIONS,
        accounts_shown=None if accounts == "all" else ACTOR_ACCOUNTS_SHOWN,
        filters={
            "since": start.date().isoformat() if start else "",
            "until": end.date().isoformat() if end else "",
            "resolution": resolution,
            "metric": metric,
        },
    )
