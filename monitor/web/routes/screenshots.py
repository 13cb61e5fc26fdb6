"""`/screenshots/<id>`: a stored screenshot (PNG) by its id, from the evidence folder."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from starlette.responses import FileResponse

from monitor.queries.screenshots import screenshot_key
from monitor.screenshots.files import evidence_dir, screenshot_path
from monitor.web.deps import Config, DbSession

router = APIRouter()


@router.get(
    "/screenshots/{screenshot_id}",
    tags=["screenshots"],
    response_class=FileResponse,
    responses={
        200: {"content": {"image/png": {}}, "description": "the PNG"},
        404: {"description": "no stored file for this screenshot id"},
    },
)
def screenshot(
    session: DbSession,
    config: Config,
    screenshot_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> FileResponse:
    """The screenshot's PNG; its key comes from the database and must lie in the evidence
    folder's `screenshots/`."""
    key = screenshot_key(session, screenshot_id)
    path = None if key is None else screenshot_path(evidence_dir(config), key)
    if path is None:
        raise HTTPException(status_code=404, detail=f"no file for screenshot {screenshot_id}")
    return FileResponse(
        path,
        media_type="image/png",
        content_disposition_type="inline",
        headers={"cache-control": "private, max-age=3600"},
    )
