"""`/accounts/<id>`: profile and its history, posts, views per post and ERR by week, runs."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from monitor.queries import audience
from monitor.queries.posts import POST_COLUMNS, list_posts
from monitor.web.deps import Config, DbSession, render
from monitor.web.export import ExportFormat, export_response
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
    format: ExportFormat | None = None,
) -> Response:
    """The page twin of `/api/accounts/<id>`; `?format=csv|json` downloads every post of the
    account in `polmon posts --format csv|json`'s shape (latest capture, versions, seen)."""
    if format is not None:
        if audience.find_account(session, account_id) is None:
            raise HTTPException(404, "no such account")
        rows = list_posts(session, account_ids=[account_id], limit=None)
        return export_response(rows, POST_COLUMNS, format, f"account-{account_id}-posts")
    page = account_page(session, config, account_id, utc(until))
    return render(
        request, "account.html", page=page, change_keys=change_keys(), sparkline=sparkline_points
    )
