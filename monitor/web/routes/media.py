"""`/media/<id>`: a downloaded media file by its media id only, with HTTP Range for seeking;
from a folder through Starlette's `FileResponse`, from an object store by ranged reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from starlette.responses import FileResponse, Response, StreamingResponse

from monitor.media_store import MediaKeyError, MediaStore, store_for
from monitor.queries.media import MediaUnavailable, StoredMedia, inside, stored_media
from monitor.web.deps import Config, DbSession

router = APIRouter()
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 1 << 20
_HEADERS = {"cache-control": "private, max-age=3600", "accept-ranges": "bytes"}


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
    request: Request,
    session: DbSession,
    config: Config,
    media_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> Response:
    """The file of the media row: its key comes from the database and must lie in the media
    root; ranges (`Range: bytes=0-99`, `bytes=-100`) are answered with 206."""
    missing = HTTPException(status_code=404, detail=f"no file for media {media_id}")
    try:
        found = stored_media(session, media_id)
        store = store_for(config)
        if store.remote and store.legacy_path(found.key) is None:
            return _from_store(store, found, request.headers.get("range"), missing)
        # a folder, or a row from before keys: a file on this machine inside the media root
        root = config.media_dir if store.remote else store.root
        path = inside(root, found.key)
    except (MediaUnavailable, MediaKeyError):
        raise missing from None
    if not path.is_file():
        raise missing
    return FileResponse(
        path,
        media_type=found.content_type,
        content_disposition_type="inline",
        headers={"cache-control": _HEADERS["cache-control"]},
    )


def _from_store(
    store: MediaStore, found: StoredMedia, asked: str | None, missing: HTTPException
) -> Response:
    """The object's bytes, all or one range (several ranges: the whole object, as RFC 9110
    allows), read from the store in chunks."""
    try:
        size = store.size(found.key)
    except FileNotFoundError:
        raise missing from None
    start, end = 0, size - 1
    status = 200
    if asked and (match := _RANGE.match(asked.strip())):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start = max(size - int(last), 0)
        if not (first or last) or start >= size or start > end:
            return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
        status = 206
    headers = dict(_HEADERS, **{"content-length": str(end - start + 1)})
    headers["content-disposition"] = "inline"
    if status == 206:
        headers["content-range"] = f"bytes {start}-{end}/{size}"
    handle = store.open(found.key)
    return StreamingResponse(
        _chunks(handle, start, end - start + 1),
        status_code=status,
        media_type=found.content_type,
        headers=headers,
    )


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0 and (block := handle.read(min(_CHUNK, length))):
            length -= len(block)
            yield block
