"""Hit rows from matches: one row per (group, term, source) the matcher finds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.keywords.matcher import KeywordMatcher, Match
from monitor.keywords.snippets import snippet


@dataclass(frozen=True, slots=True)
class SourceText:
    """One text to match: a post's text or a transcript segment, with what its hits record."""

    source_key: str  # "post:<id>", "poll:<id>", "segment:<id>" or "image:<media id>"
    source_kind: str  # "post" (title and text), "comment", "poll", "transcript", "image_text"
    post_id: int
    segment_id: int | None
    text: str | None
    link: str | None
    published_at: datetime | None
    start_seconds: float | None = None
    # 0..1, how sure the words were heard (a transcript segment's confidence); None for text.
    confidence: float | None = None
    # Each heard word's place in `text` and time, when word timestamps were kept.
    words: tuple[WordSpan, ...] | None = None
    # The link at a given second (a hit's first word), where the source is timed.
    link_at: Callable[[float], str | None] | None = None
    # Terms a second pass scored as said though the text does not hold them
    # ([transcription] keyword_verify): {"term", "start", "end", "similarity", "llr"} each.
    spotted: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class WordSpan:
    """One heard word: where it is in the segment's text and the second it starts at."""

    start: int
    end: int
    seconds: float


def word_spans(text: str, doc: dict[str, Any] | None) -> tuple[WordSpan, ...] | None:
    """Where each word of a stored words document lies in the segment's text, in order."""
    if not doc or not doc.get("words"):
        return None
    spans = []
    pos = 0
    for word in doc["words"]:
        piece = str(word.get("word", "")).strip()
        at = text.find(piece, pos) if piece else -1
        if at < 0 or word.get("start") is None:
            continue
        spans.append(WordSpan(at, at + len(piece), float(word["start"])))
        pos = at + len(piece)
    return tuple(spans) or None


def _matched_words(source: SourceText, match: Match) -> list[WordSpan]:
    return [w for w in source.words or () if w.start < match.end and match.start < w.end]


def hit_confidence(source: SourceText, match: Match) -> float | None:
    """How sure the hit is, 0..1: the segment's confidence, times the similarity score of an
    approximate match.

    Not the matched words' probabilities: faster-whisper computes those in its alignment pass
    without the hotwords, so a name the hotwords made it hear scores near 0 there (0.001 for a
    correctly heard "Hun Sen" on the keyword-spotting set) while its segment scores 0.6.
    """
    heard = source.confidence
    if match.approximate and match.score is not None:
        heard = match.score * (1.0 if heard is None else heard)
    return None if heard is None else round(heard, 3)


def post_text(title: str | None, text: str | None) -> str:
    """What a post's hits are found in: its title and text, a newline between them."""
    return "\n".join(part for part in (title, text) if part)


def spotted_matches(
    matcher: KeywordMatcher, spotted: Iterable[dict[str, Any]], found: set[tuple[str, str]]
) -> list[Match]:
    """Approximate matches of the literal terms a second pass spotted, for every group that
    watches the term, unless that group's term is already matched in the source."""
    matches = []
    for item in spotted:
        wanted = str(item.get("term", "")).casefold()
        for group in matcher.groups:
            for spec in group.terms:
                key = (spec.group, spec.term)
                if spec.is_regex or spec.term.casefold() != wanted or key in found:
                    continue
                found.add(key)
                score = float(item.get("similarity", 0.0))
                start, end = int(item.get("start", 0)), int(item.get("end", 0))
                matches.append(Match(spec.group, spec.term, start, end, True, score))
    return matches


def hit_rows(matcher: KeywordMatcher, sources: Iterable[SourceText]) -> list[dict[str, Any]]:
    """One row per (group, term, source) the matcher finds (and the second pass spotted)."""
    rows = []
    for source in sources:
        if not source.text:
            continue
        matches = matcher.match(source.text)
        if source.spotted:
            found = {(m.group, m.term) for m in matches}
            matches = matches + spotted_matches(matcher, source.spotted, found)
        for match in matches:
            start_seconds, link = source.start_seconds, source.link
            inside = _matched_words(source, match)
            if inside and source.link_at is not None:  # the second the term was said
                start_seconds = inside[0].seconds
                link = source.link_at(start_seconds)
            rows.append(
                {
                    "group_name": match.group,
                    "term": match.term,
                    "source_key": source.source_key,
                    "source_kind": source.source_kind,
                    "post_id": source.post_id,
                    "segment_id": source.segment_id,
                    "snippet": snippet(source.text, match.start, match.end),
                    "char_offset": match.start,
                    "start_seconds": start_seconds,
                    "link": link,
                    "published_at": source.published_at,
                    "confidence": hit_confidence(source, match),
                    "approximate": match.approximate,
                }
            )
    return rows
