"""Two ways to find every occurrence of many literal patterns in one pass over a text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

import ahocorasick

Trie = dict[str, "Trie"]
EngineName = Literal["aho-corasick", "regex"]
# The faster engine on bench/bench_matching.py (see docs/benchmarks.md).
DEFAULT_ENGINE: EngineName = "aho-corasick"


class LiteralEngine(Protocol):
    """Finds all (possibly overlapping) occurrences of its patterns."""

    def find(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """Yield (start, end, payloads) for each occurrence; payloads index the patterns' owners."""
        ...


def _payloads_by_pattern(patterns: Sequence[str]) -> dict[str, tuple[int, ...]]:
    owners: dict[str, list[int]] = {}
    for index, pattern in enumerate(patterns):
        owners.setdefault(pattern, []).append(index)
    return {pattern: tuple(indexes) for pattern, indexes in owners.items()}


class AhoCorasickEngine:
    """pyahocorasick's automaton: linear in the text, whatever the number of terms."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for pattern, payloads in _payloads_by_pattern(patterns).items():
            self._automaton.add_word(pattern, (len(pattern), payloads))
        self._empty = not patterns
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        if self._empty:
            return
        for end_index, (length, payloads) in self._automaton.iter(text):
            yield end_index + 1 - length, end_index + 1, payloads


def trie_pattern(patterns: Sequence[str]) -> str:
    """One regular expression matching the longest of `patterns` at a position (a trie)."""
    root: Trie = {}
    for pattern in patterns:
        node = root
        for char in pattern:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_regex(root)


def _node_regex(node: Trie) -> str:
    branches = []
    for char in sorted(k for k in node if k):
        child = node[char]
        tail = char
        # Follow single-child chains without nesting groups (keeps recursion shallow).
        while len(child) == 1 and "" not in child:
            ((next_char, child),) = child.items()
            tail += next_char
        branches.append(re.escape(tail) + _node_regex(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body


class RegexEngine:
    """One compiled trie alternation behind a lookahead, so overlapping terms are all found."""

    def __init__(self, patterns: Sequence[str]) -> None:
        owners = _payloads_by_pattern(patterns)
        self._owners = owners
        self._regex = re.compile("(?=(" + trie_pattern(list(owners)) + "))") if owners else None
        # Patterns that are prefixes of a longer pattern also occur where the longer one does.
        self._at_position: dict[str, tuple[tuple[int, tuple[int, ...]], ...]] = {}
        for pattern in owners:
            found = [
                (length, owners[pattern[:length]])
                for length in range(1, len(pattern) + 1)
                if pattern[:length] in owners
            ]
            self._at_position[pattern] = tuple(found)

    def find(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        if self._regex is None:
            return
        for match in self._regex.finditer(text):
            start = match.start()
            for length, payloads in self._at_position[match.group(1)]:
                yield start, start + length, payloads


def make_engine(patterns: Sequence[str], engine: EngineName = DEFAULT_ENGINE) -> LiteralEngine:
    if engine == "regex":
        return RegexEngine(patterns)
    return AhoCorasickEngine(patterns)
