"""`/media/<id>`: a downloaded media file by its media id only, with HTTP Range for seeking."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from starlette.responses import FileResponse

from monitor.queries.media import MediaUnavailable, media_file
from monitor.web.deps import Config, DbSession

router = APIRouter()


@router.get(
    "/media/{media_id}",
    tags=["media"],
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/*": {}, "video/*": {}}, "description": "the whole file"},
        206: {"description": "the byte range asked for (Range: bytes=…)"},
        404: {"description": "no downloaded file for this media id"},
        416: {"description": "a range outside the file"},
    },
)
def media(
    session: DbSession, config: Config, media_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> FileResponse:
    """The file of the media row: its path comes from the database and must lie in the
    media folder; ranges (`Range: bytes=0-99`, `bytes=-100`) are answered with 206."""
    try:
        found = media_file(session, media_id, config.media_dir)
    except MediaUnavailable:
        raise HTTPException(status_code=404, detail=f"no file for media {media_id}") from None
    return FileResponse(
        found.path,
        media_type=found.content_type,
        content_disposition_type="inline",
        headers={"cache-control": "private, max-age=3600"},
    )
