"""Keyword groups from config compiled into term specs: normalised pattern and boundary rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from collectors.errors import UserError
from monitor.config import KeywordGroupConfig
from monitor.keywords.normalize import normalize_term
from monitor.keywords.scripts import is_spaced_word_char, is_word_char
from monitor.user_regex import UserRegex, UserRegexError, compile_user_regex

# Bump when matching rules change, so the next rescan re-matches every group.
MATCHING_VERSION = 2
Source = Literal["posts", "transcripts"]
WholeWord = Literal["auto", "always", "never"]


class KeywordConfigError(UserError, ValueError):
    """A keyword term that cannot be used (an invalid regular expression, an empty term)."""


@dataclass(frozen=True, slots=True)
class TermSpec:
    """One term (or exclusion) of one group, ready to match."""

    group: str
    term: str  # as configured: what hits store
    pattern: str  # normalised literal, or the regex source
    is_regex: bool
    case_sensitive: bool
    whole_word: WholeWord
    exclude: bool
    regex: UserRegex | None = None
    # For literals, decided once from the pattern's edge characters (regexes: per match).
    check_left: bool = False
    check_right: bool = False

    def __post_init__(self) -> None:
        if not self.is_regex:
            left, right = self.checks_edges(self.pattern)
            object.__setattr__(self, "check_left", left)
            object.__setattr__(self, "check_right", right)

    def checks_edges(self, matched: str) -> tuple[bool, bool]:
        """Whether the left and right edges of `matched` need a word boundary."""
        if self.whole_word == "never" or not matched:
            return False, False
        if self.whole_word == "always":
            return is_word_char(matched[0]), is_word_char(matched[-1])
        return is_spaced_word_char(matched[0]), is_spaced_word_char(matched[-1])

    def boundary_ok(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] stands as a whole word where this term requires it."""
        if self.is_regex:
            left, right = self.checks_edges(text[start:end])
        else:
            left, right = self.check_left, self.check_right
        if not (left or right):
            return True
        neighbour = is_word_char if self.whole_word == "always" else is_spaced_word_char
        if left and start > 0 and neighbour(text[start - 1]):
            return False
        return not (right and end < len(text) and neighbour(text[end]))


@dataclass(frozen=True, slots=True)
class GroupSpec:
    name: str
    search_in: str
    terms: tuple[TermSpec, ...]
    excludes: tuple[TermSpec, ...]
    fuzzy: bool = True  # approximate matches allowed (where the matcher has fuzzy options)

    def searches(self, source: Source) -> bool:
        return self.search_in in ("both", source)


def _spec(group: str, term: str, cfg: KeywordGroupConfig, *, exclude: bool) -> TermSpec | None:
    if not term.strip():
        return None
    if cfg.regex and not exclude:
        try:
            compiled: UserRegex | None = compile_user_regex(term, case_sensitive=cfg.case_sensitive)
        except UserRegexError as exc:
            raise KeywordConfigError(f"keywords.{group}: term {exc}") from None
        pattern = term
    else:
        compiled = None
        pattern = normalize_term(term, casefold=not cfg.case_sensitive)
        if not pattern:
            return None
    return TermSpec(
        group=group,
        term=term,
        pattern=pattern,
        is_regex=compiled is not None,
        case_sensitive=cfg.case_sensitive,
        whole_word=cfg.whole_word,
        exclude=exclude,
        regex=compiled,
    )


def compile_groups(groups: Mapping[str, KeywordGroupConfig]) -> tuple[GroupSpec, ...]:
    """Term specs of every group (exclusions are always literal, never regular expressions)."""
    compiled = []
    for name, cfg in groups.items():
        terms = tuple(
            spec
            for term in dict.fromkeys(cfg.terms)
            if (spec := _spec(name, term, cfg, exclude=False)) is not None
        )
        excludes = tuple(
            spec
            for term in dict.fromkeys(cfg.exclude)
            if (spec := _spec(name, term, cfg, exclude=True)) is not None
        )
        compiled.append(GroupSpec(name, cfg.search_in, terms, excludes, cfg.fuzzy))
    return tuple(compiled)


def group_fingerprint(cfg: KeywordGroupConfig, matching: str = "") -> str:
    """A hash of what decides a group's hits (hotwords aside) and of the global `matching`
    settings (fuzzy matching's): rescans rerun changed groups."""
    fields = {**cfg.model_dump(exclude={"hotwords"}), "version": MATCHING_VERSION}
    if matching:
        fields["matching"] = matching
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
