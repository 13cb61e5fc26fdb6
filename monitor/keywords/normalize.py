"""Text normalisation for matching (NFC, casefold, zero-width removal) with offsets mapped back."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

# Zero-width spaces and joiners common in Khmer and other unspaced scripts.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Characters that start a rewrite: whitespace other than a plain space, and zero-width ones
# (one character class, so the scan runs at C speed; a double space is found with `in`).
_SPECIAL = re.compile(
    "[\t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    + ZERO_WIDTH
    + "]"
)
_RUN = re.compile(rf"[\s{ZERO_WIDTH}]*")
_ZERO_WIDTH_ONLY = re.compile(rf"[{ZERO_WIDTH}]+")


@dataclass(slots=True)
class OffsetMap:
    """Maps positions in a normalised text back to the original: piecewise, by breakpoints.

    Position `p` maps to `orig[i] + (p - norm[i])` for the last breakpoint `i` with `norm[i] <= p`.
    An empty map is the identity.
    """

    norm: list[int] = field(default_factory=list)
    orig: list[int] = field(default_factory=list)

    def add(self, norm_pos: int, orig_pos: int) -> None:
        if self.norm and self.norm[-1] == norm_pos:
            self.orig[-1] = orig_pos
        else:
            self.norm.append(norm_pos)
            self.orig.append(orig_pos)

    def __call__(self, pos: int) -> int:
        i = bisect_right(self.norm, pos) - 1
        if i < 0:
            return pos
        return self.orig[i] + (pos - self.norm[i])


@dataclass(slots=True)
class Normalized:
    """A normalised text and the maps back to the original (applied last stage first)."""

    text: str
    stages: tuple[OffsetMap, ...] = ()

    def original_offset(self, pos: int) -> int:
        """Where the character at normalised `pos` starts in the original text."""
        for stage in reversed(self.stages):
            pos = stage(pos)
        return pos

    def original_end(self, end: int, original: str) -> int:
        """Where a span ending (exclusively) at normalised `end` ends in `original`."""
        if end <= 0:
            return 0
        pos = self.original_offset(end - 1) + 1
        while pos < len(original) and unicodedata.combining(original[pos]):
            pos += 1  # keep a decomposed accent with its letter
        return pos


def _per_char(text: str, transform: str) -> tuple[str, OffsetMap]:
    """Apply NFC (grapheme by grapheme) or casefold (char by char), recording length changes."""
    pieces: list[str] = []
    mapping = OffsetMap()
    out_pos = 0
    if transform == "casefold":
        chunks = [(i, ch) for i, ch in enumerate(text)]
    else:
        chunks = list(_composition_chunks(text))
    for orig_pos, chunk in chunks:
        piece = chunk.casefold() if transform == "casefold" else unicodedata.normalize("NFC", chunk)
        mapping.add(out_pos, orig_pos)
        pieces.append(piece)
        out_pos += len(piece)
    return "".join(pieces), mapping


def _composition_chunks(text: str) -> list[tuple[int, str]]:
    """Split `text` where NFC cannot join neighbours: before starters that do not compose."""
    chunks: list[tuple[int, str]] = []
    start = 0
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.combining(ch):
            continue
        if len(unicodedata.normalize("NFC", text[i - 1] + ch)) == 1:
            continue  # composes with the previous character (e.g. Hangul jamo)
        chunks.append((start, text[start:i]))
        start = i
    if text:
        chunks.append((start, text[start:]))
    return chunks


def _next_run(text: str, pos: int) -> tuple[int, int] | None:
    """The next run of whitespace/zero-width characters from `pos` that is not one plain space."""
    special = _SPECIAL.search(text, pos)
    double = text.find("  ", pos)
    candidates = [p for p in (special.start() if special else -1, double) if p != -1]
    if not candidates:
        return None
    start = min(candidates)
    if start > pos and text[start - 1] == " ":
        start -= 1  # a space just before a newline or zero-width character joins the run
    match = _RUN.match(text, start)
    return start, match.end() if match else start + 1


def _rewrite_spacing(text: str) -> tuple[str, OffsetMap | None]:
    """Drop zero-width characters and collapse whitespace runs to one space."""
    run = _next_run(text, 0)
    if run is None:
        return text, None
    pieces: list[str] = []
    mapping = OffsetMap()
    last = 0
    out_pos = 0
    while run is not None:
        start, end = run
        pieces.append(text[last:start])
        out_pos += start - last
        replacement = "" if _ZERO_WIDTH_ONLY.fullmatch(text, start, end) else " "
        if replacement:
            mapping.add(out_pos, start)
            out_pos += 1
        pieces.append(replacement)
        mapping.add(out_pos, end)
        last = end
        run = _next_run(text, end)
    pieces.append(text[last:])
    return "".join(pieces), mapping


def normalize(text: str, *, casefold: bool = True) -> Normalized:
    """NFC, zero-width removal, whitespace collapsing and (optionally) casefolding of `text`."""
    stages: list[OffsetMap] = []
    if not unicodedata.is_normalized("NFC", text):
        text, nfc_map = _per_char(text, "nfc")
        stages.append(nfc_map)
    text, spacing_map = _rewrite_spacing(text)
    if spacing_map is not None:
        stages.append(spacing_map)
    if casefold:
        folded = text.casefold()
        if len(folded) != len(text):  # some character expanded (ß -> ss): map char by char
            folded, fold_map = _per_char(text, "casefold")
            stages.append(fold_map)
        if not unicodedata.is_normalized("NFC", folded):
            folded = unicodedata.normalize("NFC", folded)  # rare; offsets stay approximate
        text = folded
    return Normalized(text, tuple(stages))


def normalize_term(term: str, *, casefold: bool = True) -> str:
    """A keyword term normalised exactly as texts are (leading/trailing space removed)."""
    return normalize(term.strip(), casefold=casefold).text.strip()
