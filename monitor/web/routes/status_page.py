"""`/status`: queue backlog, scheduled jobs and their recent runs, failing accounts, media disk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from monitor.web.deps import Config, DbSession, render
from monitor.web.export import ExportFormat, export_response
from monitor.web.routes.api_growth import status_page_data

router = APIRouter()
FAILING_COLUMNS = (
    "actor",
    "platform",
    "handle",
    "account_status",
    "started_at",
    "status",
    "failures_in_a_row",
    "error",
)


@router.get("/status", include_in_schema=False)
def status_view(
    request: Request,
    session: DbSession,
    config: Config,
    format: ExportFormat | None = None,
) -> Response:
    """The page twin of `/api/status`; `?format=csv|json` exports the failing accounts."""
    data = status_page_data(session, config)
    if format is not None:
        return export_response(
            data["failing_accounts"], FAILING_COLUMNS, format, "failing-accounts"
        )
    return render(request, "status.html", data=data)
