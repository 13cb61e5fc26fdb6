"""Parse a search query (words, "phrases", OR, -exclusions); excerpts around the first match."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from collectors.errors import UserError
from monitor.keywords.normalize import ZERO_WIDTH, normalize
from monitor.keywords.snippets import snippet

# The trigram index needs three characters; shorter terms are matched with LIKE.
MIN_INDEXED_CHARS = 3
# A "phrase" (a leading `-` excludes it), or a word (`-word` excludes it, `OR` joins two terms).
_TOKEN = re.compile(r'(-?)"([^"]+)"|(\S+)')
_STRIP = str.maketrans("", "", ZERO_WIDTH)
OR = "OR"


class QueryError(UserError, ValueError):
    """The query cannot be searched for; the message says why, in one line."""


class EmptyQueryError(QueryError):
    """The query has nothing to search for."""


@dataclass(frozen=True)
class SearchQuery:
    """What a matching text contains, as case-insensitive substrings.

    Every group in `groups` (one of its alternatives: `a OR b` is one group of two), and none
    of `excluded`.
    """

    text: str
    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every term to find, in query order (for snippets and ranking)."""
        return tuple(term for group in self.groups for term in group)

    @property
    def indexed_groups(self) -> tuple[tuple[str, ...], ...]:
        """Groups the trigram index can find: every alternative has three characters or more."""
        return tuple(g for g in self.groups if all(len(t) >= MIN_INDEXED_CHARS for t in g))

    @property
    def scanned_groups(self) -> tuple[tuple[str, ...], ...]:
        """Groups with a term too short for trigrams, matched by scanning the text."""
        return tuple(g for g in self.groups if g not in self.indexed_groups)

    @property
    def scanned_tokens(self) -> tuple[str, ...]:
        return tuple(term for group in self.scanned_groups for term in group)


def _normalised(term: str) -> str:
    return " ".join(unicodedata.normalize("NFC", term).translate(_STRIP).split())


def parse_query(raw: str) -> SearchQuery:
    """Terms (words or "quoted phrases") that must all occur; `a OR b`: either; `-c`: not c.

    Terms are normalised (NFC, no zero-width characters, single spaces). `OR` binds the terms
    on either side of it (`a b OR c` is a and (b or c)); a lowercase `or` is a word. A `-` inside
    or alone is literal (`anti-corruption`, `-`).
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False  # an OR was read: the next term joins the last group
    after_term = False  # the last thing read was a term to find (what an OR may follow)
    for match in _TOKEN.finditer(raw):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if word == OR:
            if not after_term:
                raise QueryError(f"OR joins two terms to find, as in 'arrest OR detain': {raw!r}")
            joining, after_term = True, False
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = True, word[1:]
        term = _normalised(phrase if phrase is not None else word)
        if not term:
            continue
        if negated:
            if joining:
                raise QueryError(f"OR joins two terms to find, not an exclusion: {raw!r}")
            if term not in excluded:
                excluded.append(term)
            after_term = False
            continue
        if joining:
            if term not in groups[-1]:
                groups[-1].append(term)
        elif [term] not in groups:
            groups.append([term])
        joining, after_term = False, True
    if joining:
        raise QueryError(f"OR joins two terms to find, as in 'arrest OR detain': {raw!r}")
    if not groups:
        if excluded:
            raise QueryError("the search query only excludes (-term): add a term to find")
        raise EmptyQueryError("the search query is empty")
    return SearchQuery(raw, tuple(tuple(g) for g in groups), tuple(excluded))


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_match(query: SearchQuery) -> str:
    """An FTS5 MATCH expression for the indexed groups: `("a" OR "b") AND "c"` (substrings)."""
    return " AND ".join(
        "(" + " OR ".join(_fts5_phrase(term) for term in group) + ")"
        for group in query.indexed_groups
    )


def fts5_term(term: str) -> str:
    """An FTS5 MATCH expression for one term, as a substring."""
    return _fts5_phrase(term)


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
