"""One pass over a text for every term of every group: literal engines, regex terms, exclusions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitor.config import KeywordGroupConfig
from monitor.keywords.engines import DEFAULT_ENGINE, EngineName, LiteralEngine, make_engine
from monitor.keywords.fuzzy import FuzzyFinder, FuzzyOptions
from monitor.keywords.insertions import repeated
from monitor.keywords.normalize import Normalized, normalize
from monitor.keywords.terms import GroupSpec, Source, TermSpec, compile_groups


@dataclass(frozen=True, slots=True)
class Match:
    """The first occurrence of one term of one group; offsets index the original text.

    `approximate` marks a fuzzy match (a close word sequence, not the term itself), with its
    similarity `score` in 0..1; exact matches have approximate False and score None.
    """

    group: str
    term: str
    start: int
    end: int
    approximate: bool = False
    score: float | None = None


class _LiteralSet:
    """Literal specs matched on one normalised view of the text (folded or case-preserving)."""

    def __init__(self, specs: list[TermSpec], engine: EngineName) -> None:
        self.specs = specs
        self.engine: LiteralEngine = make_engine([s.pattern for s in specs], engine)


class KeywordMatcher:
    """Finds the terms of many groups in a text; built once per keyword config and source."""

    def __init__(
        self,
        groups: Iterable[GroupSpec],
        engine: EngineName = DEFAULT_ENGINE,
        fuzzy: FuzzyOptions | None = None,
    ) -> None:
        self.groups = tuple(groups)
        literal_folded: list[TermSpec] = []
        literal_cased: list[TermSpec] = []
        self.regex_specs: list[TermSpec] = []
        for group in self.groups:
            for spec in (*group.terms, *group.excludes):
                if spec.is_regex:
                    self.regex_specs.append(spec)
                elif spec.case_sensitive:
                    literal_cased.append(spec)
                else:
                    literal_folded.append(spec)
        self._folded = _LiteralSet(literal_folded, engine) if literal_folded else None
        self._cased = _LiteralSet(literal_cased, engine) if literal_cased else None
        self._needs_cased = bool(literal_cased or self.regex_specs)
        fuzzy_specs = [t for g in self.groups if g.fuzzy for t in g.terms]
        self._fuzzy = FuzzyFinder(fuzzy_specs, fuzzy) if fuzzy and fuzzy_specs else None
        self._drop_repeats = bool(fuzzy and fuzzy.drop_repeats)

    @classmethod
    def for_source(
        cls,
        groups: Mapping[str, KeywordGroupConfig],
        source: Source,
        engine: EngineName = DEFAULT_ENGINE,
        fuzzy: FuzzyOptions | None = None,
    ) -> KeywordMatcher:
        return cls((g for g in compile_groups(groups) if g.searches(source)), engine, fuzzy)

    @property
    def empty(self) -> bool:
        return not self.groups

    def match(self, text: str | None) -> list[Match]:
        """The first whole occurrence of each term, unless its group's exclusion occurs; with
        fuzzy options, then the closest word sequence of each term not found exactly
        (`approximate`, with its score), never inside the words of an exact match."""
        if not text or not self.groups:
            return []
        found: dict[tuple[str, str], tuple[int, int, Normalized]] = {}
        excluded: set[str] = set()
        if self._folded is not None:
            self._scan(normalize(text), self._folded, found, excluded)
        if self._needs_cased:
            cased = normalize(text, casefold=False)
            if self._cased is not None:
                self._scan(cased, self._cased, found, excluded)
            self._scan_regex(cased, found, excluded)
        matches = []
        for (group, term), (start, end, norm) in found.items():
            if group in excluded:
                continue
            orig_start = norm.original_offset(start)
            orig_end = max(orig_start + 1, norm.original_end(end, text))
            if self._drop_repeats and repeated(text, orig_start, orig_end):
                continue  # "Battambang, Battambang": copied from the hotwords, not heard
            matches.append(Match(group, term, orig_start, orig_end))
        if self._fuzzy is not None:
            exact = [(m.start, m.end) for m in matches]
            skip = set(found) | {(g.name, t.term) for g in self.groups if g.name in excluded
                                 for t in g.terms}  # fmt: skip
            for near in self._fuzzy.find(text, exact, skip):
                spec = near.spec
                matches.append(Match(spec.group, spec.term, near.start, near.end, True, near.score))
        matches.sort(key=lambda m: (m.start, m.group, m.term))
        return matches

    @staticmethod
    def _scan(
        norm: Normalized,
        literals: _LiteralSet,
        found: dict[tuple[str, str], tuple[int, int, Normalized]],
        excluded: set[str],
    ) -> None:
        text = norm.text
        specs = literals.specs
        for start, end, payloads in literals.engine.find(text):
            for index in payloads:
                spec = specs[index]
                if spec.exclude:
                    if spec.group not in excluded and spec.boundary_ok(text, start, end):
                        excluded.add(spec.group)
                    continue
                key = (spec.group, spec.term)
                if key in found or not spec.boundary_ok(text, start, end):
                    continue
                found[key] = (start, end, norm)

    def _scan_regex(
        self,
        norm: Normalized,
        found: dict[tuple[str, str], tuple[int, int, Normalized]],
        excluded: set[str],
    ) -> None:
        text = norm.text
        for spec in self.regex_specs:
            key = (spec.group, spec.term)
            if key in found or spec.regex is None:
                continue
            for start, end in spec.regex.candidates(text):
                if end > start and spec.boundary_ok(text, start, end):
                    found[key] = (start, end, norm)
                    break
