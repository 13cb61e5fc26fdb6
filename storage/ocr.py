"""Image text rows: saving what OCR read in a photo (in the caller's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ImageText, Media


class LineToSave(Protocol):
    """One line of text OCR read, with its box and confidence."""

    @property
    def text(self) -> str: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def box(self) -> tuple[int, int, int, int]: ...


class ImageTextToSave(Protocol):
    """What reading one image brings to its row (`monitor.ocr.reader.ImageReading`)."""

    @property
    def engine(self) -> str: ...
    @property
    def languages(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def words(self) -> int: ...
    @property
    def lines(self) -> Sequence[LineToSave]: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def processing_seconds(self) -> float: ...


def save_image_text(session: Session, media_id: int, result: ImageTextToSave) -> int:
    """Insert the text read in a media row's image; returns the new row's id."""
    lines: list[dict[str, Any]] = [
        {"text": line.text, "confidence": line.confidence, "box": list(line.box)}
        for line in result.lines
    ]
    row = ImageText(
        media_id=media_id,
        engine=result.engine,
        languages=result.languages,
        text=result.text,
        confidence=result.confidence,
        words=result.words,
        lines={"lines": lines} if lines else None,
        width=result.width,
        height=result.height,
        processing_seconds=result.processing_seconds,
    )
    session.add(row)
    session.flush()
    return row.id


def photo_path(session: Session, media_id: int) -> tuple[bool, str | None]:
    """(whether the media row exists, its local file) for the OCR stage's claimed row."""
    row = session.execute(select(Media.local_path).where(Media.id == media_id)).one_or_none()
    return (False, None) if row is None else (True, row.local_path)
