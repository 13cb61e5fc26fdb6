"""Which scripts write words without spaces, and what counts as a word character for boundaries."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Scripts whose words are not separated by spaces (or whose particles attach to words):
# a term in one of them matches as a substring, never as a whole word.
UNSPACED_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x0F00, 0x0FFF, "Tibetan"),
    (0x1000, 0x109F, "Myanmar"),
    (0xA9E0, 0xA9FF, "Myanmar"),
    (0xAA60, 0xAA7F, "Myanmar"),
    (0x1100, 0x11FF, "Hangul"),
    (0x1780, 0x17FF, "Khmer"),
    (0x19E0, 0x19FF, "Khmer"),
    (0x2E80, 0x2FDF, "CJK"),
    (0x3000, 0x303F, "CJK"),
    (0x3040, 0x309F, "Hiragana"),
    (0x30A0, 0x30FF, "Katakana"),
    (0x3130, 0x318F, "Hangul"),
    (0x31F0, 0x31FF, "Katakana"),
    (0x3400, 0x4DBF, "CJK"),
    (0x4E00, 0x9FFF, "CJK"),
    (0xA960, 0xA97F, "Hangul"),
    (0xAC00, 0xD7FF, "Hangul"),
    (0xF900, 0xFAFF, "CJK"),
    (0xFF66, 0xFF9F, "Katakana"),
    (0x20000, 0x3134F, "CJK"),
)


@lru_cache(maxsize=4096)
def unspaced_script(char: str) -> str | None:
    """The name of the unspaced script `char` belongs to, or None."""
    code = ord(char)
    for low, high, name in UNSPACED_RANGES:
        if low <= code <= high:
            return name
    return None


def is_unspaced(text: str) -> bool:
    """Whether `text` contains a character of an unspaced script."""
    return any(unspaced_script(ch) for ch in text)


@lru_cache(maxsize=8192)
def is_spaced_word_char(char: str) -> bool:
    """A letter, digit, mark or underscore of a script that separates words with spaces.

    A spaced-script term needs a non-word neighbour on each side to match as a whole word;
    characters of unspaced scripts count as boundaries (a Latin name glued to Khmer text).
    """
    if char == "_":
        return True
    if unspaced_script(char):
        return False
    return char.isalnum() or unicodedata.category(char).startswith("M")


@lru_cache(maxsize=8192)
def is_word_char(char: str) -> bool:
    """A letter, digit, mark or underscore of any script (for `whole_word = "always"`)."""
    return char == "_" or char.isalnum() or unicodedata.category(char).startswith("M")
