"""A downloaded media file found by its media id: its key (or legacy path) from the database
row, and a content type safe to serve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.errors import PolmonError
from monitor.media_files import MIME_TYPES
from storage.models import Media

_MAX_LINKS = 20  # duplicate_of_id hops followed before giving up
_SERVED_PREFIXES = ("audio/", "video/", "image/")
FALLBACK_TYPE = "application/octet-stream"


class MediaUnavailable(PolmonError, LookupError):
    """No playable file for this media id: no such row, never downloaded, or the file is gone."""


class MediaOutsideFolder(MediaUnavailable):
    """The row's path points outside the media folder (refused, never served)."""


@dataclass(frozen=True)
class StoredMedia:
    """A file to serve: its key in the media store (or a legacy absolute path) and type."""

    media_id: int
    key: str
    content_type: str


def content_type(stored: str | None, path: PurePath) -> str:
    """The stored MIME type, else the one of the file's suffix, as long as it is audio, video
    or a raster image; anything else (text/html, SVG, which can hold script…) is served as an
    opaque download type."""
    chosen = (stored or MIME_TYPES.get(path.suffix.lower().lstrip("."), "")).strip().lower()
    if chosen.startswith(_SERVED_PREFIXES) and "svg" not in chosen and "xml" not in chosen:
        return chosen
    return FALLBACK_TYPE


def inside(folder: Path, stored_path: str) -> Path:
    """`stored_path` (relative ones lie under `folder`) resolved, symlinks followed; refused
    with MediaOutsideFolder unless the result lies inside `folder`."""
    base = folder.expanduser().resolve()
    path = Path(stored_path).expanduser()
    resolved = (path if path.is_absolute() else base / path).resolve()
    if not resolved.is_relative_to(base):
        raise MediaOutsideFolder(f"media path {stored_path!r} lies outside the media folder")
    return resolved


def stored_media(session: Session, media_id: int) -> StoredMedia:
    """The stored file of media `media_id` (a copy's original file when the row shares one);
    whether it is there is the media store's business (`monitor/web/routes/media.py`)."""
    current: int | None = media_id
    seen: set[int] = set()
    while current is not None and current not in seen and len(seen) < _MAX_LINKS:
        seen.add(current)
        row = session.execute(
            select(Media.local_path, Media.mime_type, Media.duplicate_of_id).where(
                Media.id == current
            )
        ).one_or_none()
        if row is None:
            break
        if row.local_path:
            key = row.local_path
            return StoredMedia(media_id, key, content_type(row.mime_type, PurePosixPath(key)))
        current = row.duplicate_of_id
    raise MediaUnavailable(f"media {media_id} has no downloaded file")
