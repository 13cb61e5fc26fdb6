"""The text read from images (OCR), one row per photo media (see docs/schema.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base
from storage.types import BigIntPK, utcnow


class ImageText(Base):
    """What Tesseract read in one photo: the text by lines, its languages, how sure it was."""

    __tablename__ = "image_texts"
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), unique=True)
    engine: Mapped[str] = mapped_column(String(40))  # "tesseract 5.3.0"
    languages: Mapped[str] = mapped_column(String(200))  # Tesseract's form: "khm+eng"
    text: Mapped[str] = mapped_column(Text, default="")  # lines joined by newlines
    # Mean word confidence, 0..1 (None: no word read).
    confidence: Mapped[float | None] = mapped_column(Float)
    words: Mapped[int] = mapped_column(Integer, default=0)
    # Per line: {"text", "confidence", "box": [left, top, width, height]}.
    lines: Mapped[dict[str, Any] | None]
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    processing_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
