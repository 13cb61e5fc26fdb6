"""`[ocr]`: reading the text in downloaded photos with Tesseract."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from collectors.settings import NonNegativeInt, PositiveFloat, PositiveInt, Section

# A Tesseract language (traineddata) name: eng, khm, chi_sim, script/Khmer.
_LANGUAGE = re.compile(r"[A-Za-z0-9_]+(/[A-Za-z0-9_]+)?")


class OcrConfig(Section):
    enabled: bool = True  # false: photos wait in `pending`, neither downloaded nor read
    # Tesseract traineddata names, read together.
    languages: list[str] = Field(default_factory=lambda: ["khm", "eng"])
    max_image_mb: PositiveFloat = 20.0  # a larger download is skipped
    max_image_pixels: PositiveInt = 40_000_000  # a larger picture is skipped unread
    min_word_confidence: NonNegativeInt = 30  # words read less surely (0..100) are dropped
    timeout_seconds: PositiveInt = 120  # one image's Tesseract run
    requests_per_second: PositiveFloat = 1.0  # photo downloads, per host
    lease_seconds: PositiveInt = 300
    max_attempts: PositiveInt = 3

    @field_validator("languages")
    @classmethod
    def _language_names(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one Tesseract language (e.g. khm, eng)")
        for name in value:
            if not _LANGUAGE.fullmatch(name):
                raise ValueError(f"{name!r} is not a Tesseract language name (e.g. khm, eng)")
        return value

    @property
    def tesseract_languages(self) -> str:
        """The languages as Tesseract's `-l` takes them: khm+eng."""
        return "+".join(self.languages)

    @property
    def max_image_bytes(self) -> int:
        return int(self.max_image_mb * 1024 * 1024)
