"""A post's screenshots (the web post page) and one screenshot's stored file key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from storage.models import PostVersion, Screenshot


class ScreenshotRow(TypedDict):
    """A screenshot of a post: `page` (the platform's page at `url`) or `rendered_version`
    (polmon's rendering of a stored version, for a deleted post), with its file's sha256."""

    id: int
    kind: str
    url: str | None
    captured_at: datetime
    sha256: str
    size_bytes: int
    width: int
    height: int
    version_seen_at: datetime | None


def post_screenshots(session: Session, post_id: int) -> list[ScreenshotRow]:
    """The post's screenshots, newest first."""
    rows = session.execute(
        select(Screenshot, PostVersion.seen_at)
        .outerjoin(PostVersion, PostVersion.id == Screenshot.post_version_id)
        .where(Screenshot.post_id == post_id)
        .order_by(Screenshot.captured_at.desc(), Screenshot.id.desc())
    ).all()
    return [
        ScreenshotRow(
            id=shot.id,
            kind=shot.kind,
            url=shot.url,
            captured_at=shot.captured_at,
            sha256=shot.sha256,
            size_bytes=shot.size_bytes,
            width=shot.width,
            height=shot.height,
            version_seen_at=seen_at,
        )
        for shot, seen_at in rows
    ]


def screenshot_key(session: Session, screenshot_id: int) -> str | None:
    """The stored file key (relative to the evidence folder) of a screenshot, or None."""
    return session.scalar(select(Screenshot.storage_key).where(Screenshot.id == screenshot_id))
