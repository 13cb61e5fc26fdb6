"""`/accounts/<id>`: profile and its history, posts, views per post and ERR by week, runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from monitor.web.deps import Config, DbSession, render
from monitor.web.growth_view import change_keys, sparkline_points
from monitor.web.routes.api_growth import AccountId, WhenQuery, account_page, utc

router = APIRouter()


@router.get("/accounts/{account_id}", include_in_schema=False)
def account_view(
    request: Request,
    account_id: AccountId,
    session: DbSession,
    config: Config,
    until: WhenQuery = None,
) -> Response:
    """The page twin of `/api/accounts/<id>`."""
    page = account_page(session, config, account_id, utc(until))
    return render(
        request, "account.html", page=page, change_keys=change_keys(), sparkline=sparkline_points
    )
