"""A short, single-line excerpt of a text around a hit."""

from __future__ import annotations

import re

SNIPPET_CONTEXT = 80
_SPACES = re.compile(r"\s+")


def snippet(text: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """Up to `context` characters each side of text[start:end], cut at spaces where possible."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0:
        space = text.find(" ", left, start)
        if space != -1 and space - left < context // 2:
            left = space + 1
    if right < len(text):
        space = text.rfind(" ", end, right)
        if space != -1 and right - space < context // 2:
            right = space
    body = _SPACES.sub(" ", text[left:right]).strip()
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")
