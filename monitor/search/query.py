"""Parse a search query into normalised substring tokens; excerpts around the first token."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from monitor.keywords.normalize import ZERO_WIDTH, normalize
from monitor.keywords.snippets import snippet

# The trigram index needs three characters; shorter tokens are matched with LIKE.
MIN_INDEXED_CHARS = 3
_TOKEN = re.compile(r'"([^"]+)"|(\S+)')
_STRIP = str.maketrans("", "", ZERO_WIDTH)


class EmptyQueryError(ValueError):
    """The query has nothing to search for."""


@dataclass(frozen=True)
class SearchQuery:
    """Tokens that must all occur (as case-insensitive substrings) in a matching text."""

    text: str
    tokens: tuple[str, ...]

    @property
    def indexed(self) -> tuple[str, ...]:
        return tuple(t for t in self.tokens if len(t) >= MIN_INDEXED_CHARS)

    @property
    def short(self) -> tuple[str, ...]:
        return tuple(t for t in self.tokens if len(t) < MIN_INDEXED_CHARS)


def parse_query(raw: str) -> SearchQuery:
    """Words, or "quoted phrases", normalised (NFC, no zero-width characters, single spaces)."""
    tokens = []
    for match in _TOKEN.finditer(raw):
        token = match.group(1) or match.group(2)
        token = " ".join(unicodedata.normalize("NFC", token).translate(_STRIP).split())
        if token and token not in tokens:
            tokens.append(token)
    if not tokens:
        raise EmptyQueryError("the search query is empty")
    return SearchQuery(raw, tuple(tokens))


def fts5_match(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: every indexed token as a quoted (substring) phrase."""
    return " AND ".join('"' + token.replace('"', '""') + '"' for token in query.indexed)


def like_pattern(token: str) -> str:
    """`%token%` for LIKE/ILIKE with the wildcards in `token` escaped by backslash."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def excerpt(text: str, query: SearchQuery) -> str:
    """An excerpt of `text` around the first token found, the hit marked «like this»."""
    norm = normalize(text)
    best: tuple[int, int] | None = None
    for token in query.tokens:
        pos = norm.text.find(normalize(token).text)
        if pos != -1 and (best is None or pos < best[0]):
            best = (pos, pos + len(normalize(token).text))
    if best is None:
        return snippet(text, 0, 0)
    start = norm.original_offset(best[0])
    end = norm.original_end(best[1], text)
    marked = text[:start] + "«" + text[start:end] + "»" + text[end:]
    return snippet(marked, start, end + 2)
