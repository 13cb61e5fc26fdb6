"""Hotword insertions in transcripts: a watched term written twice in a row (from the prompt)."""

from __future__ import annotations

import re

# What may stand between the two copies: spaces and punctuation, nothing spoken.
_BETWEEN = r"[\s,.;:!?…\-–—\"'“”]+"


def repeated(text: str, start: int, end: int) -> bool:
    """Whether the words text[start:end] are written again straight after (or before) themselves,
    as in "Battambang, Battambang": what a decoder copying its hotwords prompt writes."""
    piece = text[start:end]
    if not piece.strip():
        return False
    again = re.compile(
        rf"(?<!\w){re.escape(piece)}{_BETWEEN}{re.escape(piece)}(?!\w)", re.IGNORECASE
    )
    return again.search(text) is not None
