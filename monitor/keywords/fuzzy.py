"""Approximate matching of names and phrases in transcripts: close word sequences, scored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from monitor.config import PolmonConfig
from monitor.keywords.normalize import normalize, normalize_term
from monitor.keywords.numbers import number_words
from monitor.keywords.phonetic import phonetic_key
from monitor.keywords.scripts import is_spaced_word_char
from monitor.keywords.terms import TermSpec

WORD = re.compile(r"\d{1,3}(?:,\d{3})+|[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
# Sounds a listener (or Whisper) confuses, folded to one letter; then vowels and h collapse.
_SOUNDS = (("ph", "f"), ("ck", "k"), ("kh", "k"), ("th", "t"), ("c", "k"), ("q", "k"), ("x", "ks"),
           ("z", "s"), ("w", "v"), ("y", "i"), ("j", "g"))  # fmt: skip
_VOWELS = re.compile(r"[aeiou]+")


@dataclass(frozen=True, slots=True)
class FuzzyOptions:
    """[transcription] keyword_fuzzy*: whether, how close, and from how many letters."""

    min_score: float = 0.75
    min_letters: int = 6
    drop_repeats: bool = True  # a term written twice in a row is a hotword insertion: no hit
    phonetic: bool = True  # the sound key is phonetic_key's (Metaphone-like), not sound_key's


def fuzzy_options(config: PolmonConfig) -> FuzzyOptions | None:
    """The transcript matcher's fuzzy settings (None: fuzzy matching is off)."""
    t = config.transcription
    if not t.keyword_fuzzy:
        return None
    return FuzzyOptions(
        t.keyword_fuzzy_min_score,
        t.keyword_fuzzy_min_letters,
        drop_repeats=t.keyword_drop_repeats,
        phonetic=t.keyword_fuzzy_phonetic,
    )


def sound_key(word: str) -> str:
    """A rough phonetic key of Latin-script text: confusable consonants folded, vowels as one."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c)
    )
    for pair, single in _SOUNDS:
        plain = plain.replace(pair, single)
    plain = plain.replace("h", "")
    plain = _VOWELS.sub("a", plain)
    return re.sub(r"(.)\1+", r"\1", plain)


def pattern_bits(pattern: str) -> dict[str, int]:
    """Each character's positions in `pattern` as bits (the table `distance` reads)."""
    bits: dict[str, int] = {}
    for i, char in enumerate(pattern):
        bits[char] = bits.get(char, 0) | (1 << i)
    return bits


def distance(pattern: str, text: str, bits: dict[str, int] | None = None) -> int:
    """Levenshtein distance by Myers' bit-parallel algorithm (one pass over `text`)."""
    if not pattern or not text:
        return len(pattern) + len(text)
    peq = bits if bits is not None else pattern_bits(pattern)
    full = (1 << len(pattern)) - 1
    last = 1 << (len(pattern) - 1)
    pv, mv, score = full, 0, len(pattern)
    for char in text:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = (ph << 1) | 1
        pv = ((mh << 1) | ~(xv | ph)) & full
        mv = ph & xv & full
    return score


def similarity(a: str, b: str, bits: dict[str, int] | None = None) -> float:
    """1 - Levenshtein distance / the longer length (1.0: equal); `bits`: pattern_bits(a)."""
    longest = max(len(a), len(b))
    return 1.0 - distance(a, b, bits) / longest if longest else 1.0


@dataclass(frozen=True, slots=True)
class _Term:
    spec: TermSpec
    words: int
    squashed: str
    key: str
    squashed_bits: dict[str, int]
    key_bits: dict[str, int]


@dataclass(frozen=True, slots=True)
class Approximate:
    """A close word sequence for one term; offsets index the original text."""

    spec: TermSpec
    start: int
    end: int
    score: float


def eligible(spec: TermSpec, options: FuzzyOptions) -> bool:
    """Literal terms of spaced scripts with at least `min_letters` letters (not "bat", not
    Khmer, not regular expressions)."""
    if spec.is_regex or spec.exclude:
        return False
    letters = [c for c in spec.pattern if c.isalnum()]
    return len(letters) >= options.min_letters and all(is_spaced_word_char(c) for c in letters)


def word_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Words of normalised text (numbers in digits spelled out) with their spans in `text`."""
    norm = normalize(text)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in WORD.finditer(norm.text):
        token = m.group()
        spoken = number_words(token) if _NUMBER.fullmatch(token) else None
        for word in spoken.split() if spoken else [token]:
            words.append(word)
            spans.append((norm.original_offset(m.start()), norm.original_end(m.end(), text)))
    return words, spans


class FuzzyFinder:
    """Finds, for each eligible term, its closest word sequence in a text scoring >= min_score."""

    def __init__(self, specs: Iterable[TermSpec], options: FuzzyOptions) -> None:
        self.options = options
        self.key = phonetic_key if options.phonetic else sound_key
        self.terms = []
        for spec in specs:
            if eligible(spec, options):
                words = WORD.findall(spec.pattern)
                squashed = "".join(words)
                key = self.key(squashed)
                self.terms.append(
                    _Term(
                        spec, len(words), squashed, key, pattern_bits(squashed), pattern_bits(key)
                    )
                )

        self.longest = max((t.words + 1 for t in self.terms), default=0)

    def find(
        self, text: str, exact: list[tuple[int, int]], skip: set[tuple[str, str]]
    ) -> list[Approximate]:
        """Close matches of terms not in `skip`: none inside the span of an `exact` match (its
        words are explained) nor overlapping a better approximate match of another term."""
        if not self.terms:
            return []
        windows = _windows(text, self.longest, self.key)
        candidates: list[Approximate] = []
        for term in self.terms:
            if (term.spec.group, term.spec.term) in skip:
                continue
            best = self._best(term, windows)
            # An approximate match shares no word with an exact one.
            if best is not None and not any(best.start < e and s < best.end for s, e in exact):
                candidates.append(best)
        candidates.sort(key=lambda a: (-a.score, a.start))
        accepted: list[Approximate] = []
        for cand in candidates:
            if all(
                a.spec.pattern == cand.spec.pattern or cand.end <= a.start or a.end <= cand.start
                for a in accepted
            ):
                accepted.append(cand)
        return accepted

    def _best(self, term: _Term, windows: _Windows) -> Approximate | None:
        floor = self.options.min_score
        slack = int(2 * (1 - floor) * len(term.squashed))
        lengths = range(len(term.squashed) - slack, len(term.squashed) + slack + 1)
        best: Approximate | None = None
        for size in {max(1, term.words - 1), term.words, term.words + 1}:
            for window in (w for n in lengths for w in windows.get((size, n), ())):
                raw = similarity(term.squashed, window.squashed, term.squashed_bits)
                if raw < 2 * floor - 1:  # too far even if they sounded the same
                    continue
                sound = similarity(term.key, window.key, term.key_bits)
                score = max(raw, (raw + sound) / 2)
                if score >= floor and (best is None or score > best.score):
                    best = Approximate(term.spec, window.start, window.end, round(score, 3))
        return best


@dataclass(frozen=True, slots=True)
class _Window:
    """A run of consecutive words of the text, squashed together, with its sound key."""

    squashed: str
    key: str
    start: int
    end: int


_Windows = dict[tuple[int, int], list[_Window]]


def _windows(text: str, longest: int, key: Callable[[str], str] = sound_key) -> _Windows:
    """Every run of 1..`longest` words of `text`, by (number of words, squashed length)."""
    words, spans = word_spans(text)
    keys = [key(w) for w in words]
    runs: _Windows = {}
    for size in range(1, longest + 1):
        for i in range(len(words) - size + 1):
            squashed = "".join(words[i : i + size])
            window = _Window(
                squashed, "".join(keys[i : i + size]), spans[i][0], spans[i + size - 1][1]
            )
            runs.setdefault((size, len(squashed)), []).append(window)
    return runs


def close_spans(
    terms: Iterable[str], text: str, floor: float, per_term: int
) -> list[tuple[str, float, int, int]]:
    """For each term, up to `per_term` word runs of `text` (term's words ± 1) scoring at least
    `floor` (the finder's spelling-and-sound score): (term, score, start, end), best first."""
    found: list[tuple[str, float, int, int]] = []
    words = {term: WORD.findall(normalize_term(term)) for term in terms}
    longest = max((len(w) + 1 for w in words.values()), default=0)
    windows = _windows(text, longest)
    for term, term_words in words.items():
        squashed = "".join(term_words)
        if not squashed:
            continue
        key, bits = sound_key(squashed), pattern_bits(squashed)
        key_bits = pattern_bits(key)
        slack = int(2 * (1 - floor) * len(squashed))
        runs: list[tuple[str, float, int, int]] = []
        for size in {max(1, len(term_words) - 1), len(term_words), len(term_words) + 1}:
            for n in range(len(squashed) - slack, len(squashed) + slack + 1):
                for window in windows.get((size, n), ()):
                    raw = similarity(squashed, window.squashed, bits)
                    score = max(raw, (raw + similarity(key, window.key, key_bits)) / 2)
                    if score >= floor:
                        runs.append((term, round(score, 3), window.start, window.end))
        runs.sort(key=lambda r: -r[1])
        found.extend(runs[:per_term])
    return found
