"""A bench trial: watched terms matched to transcript word runs by espeak-ng phonemes."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.kws_spotters import Found, Spotter, polmon_hits
from monitor.config import PolmonConfig
from monitor.keywords.fuzzy import (
    WORD,
    FuzzyOptions,
    eligible,
    fuzzy_options,
    similarity,
    word_spans,
)
from monitor.keywords.live import matcher_for
from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.terms import TermSpec
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber

_AUDIO_OUTPUT_SYNCHRONOUS = 0x02
_DONT_EXIT = 0x8000  # espeakINITIALIZE_DONT_EXIT: return an error, do not exit the process
_IPA_SEPARATED = 0x02 | (ord("_") << 8)  # IPA, "_" between phonemes
_STRESS = str.maketrans("", "", "ˈˌ")
_VOWEL_CHARS = set("aeiouyæɑɒɐəɛɜɪʊʌɔøœɯɵɘɤᵻɚɝ")
# Consonants a listener (or Whisper) confuses: voicing pairs, nasals, liquids; cost near_sub.
_NEAR = (
    {"p", "b"}, {"t", "d", "ɾ"}, {"k", "ɡ"}, {"f", "v"}, {"s", "z"}, {"θ", "ð", "t", "d"},
    {"ʃ", "ʒ", "tʃ", "dʒ"}, {"m", "n", "ŋ"}, {"l", "ɹ", "ɾ", "ɫ"}, {"w", "v"}, {"j", "i"},
)  # fmt: skip


class Phonemizer:
    """English words to IPA phonemes with libespeak-ng (ctypes), cached per word."""

    def __init__(self, voice: str = "en-us") -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self._lib = ctypes.CDLL(name)
        if self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _DONT_EXIT) < 0:
            raise RuntimeError("espeak-ng did not initialise")
        if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice!r}")
        self._lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self._lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        self.word = functools.lru_cache(maxsize=65_536)(self._word)

    def _word(self, text: str) -> tuple[str, ...]:
        buf = ctypes.create_string_buffer(text.encode())
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        phones: list[str] = []
        while ptr.value:
            out = self._lib.espeak_TextToPhonemes(ctypes.byref(ptr), 0, _IPA_SEPARATED)
            if out:
                for chunk in out.decode().translate(_STRESS).split():
                    phones.extend(p for p in chunk.split("_") if p)
        return tuple(phones)

    def words(self, words: Iterable[str]) -> tuple[str, ...]:
        return tuple(p for w in words for p in self.word(w))


def is_vowel(phone: str) -> bool:
    return phone[0] in _VOWEL_CHARS


@functools.lru_cache(maxsize=4096)
def sub_cost(a: str, b: str, vowel_sub: float, near_sub: float) -> float:
    """What replacing phoneme `a` by `b` costs: 0 equal, `vowel_sub` vowel for vowel,
    `near_sub` within a group of confusable consonants, else 1."""
    if a == b:
        return 0.0
    if is_vowel(a) and is_vowel(b):
        return vowel_sub
    if any(a in g and b in g for g in _NEAR):
        return near_sub
    return 1.0


def phone_similarity(
    a: tuple[str, ...], b: tuple[str, ...], vowel_sub: float, near_sub: float, vowel_indel: float
) -> float:
    """1 - weighted edit distance / the longer sequence's length (1.0: the same phonemes)."""
    if not a or not b:
        return 0.0
    indel_a = [vowel_indel if is_vowel(p) else 1.0 for p in a]
    indel_b = [vowel_indel if is_vowel(p) else 1.0 for p in b]
    prev = [0.0]
    for cost in indel_b:
        prev.append(prev[-1] + cost)
    for i, pa in enumerate(a):
        row = [prev[0] + indel_a[i]]
        for j, pb in enumerate(b):
            row.append(
                min(
                    prev[j] + sub_cost(pa, pb, vowel_sub, near_sub),
                    prev[j + 1] + indel_a[i],
                    row[j] + indel_b[j],
                )
            )
        prev = row
    return max(0.0, 1.0 - prev[-1] / max(len(a), len(b)))


@dataclass(frozen=True, slots=True)
class PhonemeOptions:
    """How terms are matched by sound: the floor, how the phoneme score combines with the
    spelling score (phon: alone; avg: their mean; max: max(spelling, mean)), the terms."""

    min_score: float = 0.8
    combine: str = "phon"
    min_letters: int = 6
    extra_words: int = 1  # word runs of the term's words - 1 .. + extra_words
    vowel_sub: float = 0.5
    near_sub: float = 0.5
    vowel_indel: float = 1.0
    min_spelling: float = 0.0  # a run whose spelling is this far off is no match


@dataclass(frozen=True, slots=True)
class PhonemeHit:
    spec: TermSpec
    start: int
    end: int
    score: float


@dataclass
class PhonemeFinder:
    """For each eligible term, the word run of a text closest to it in phonemes."""

    specs: Iterable[TermSpec]
    options: PhonemeOptions
    phonemizer: Phonemizer
    terms: list[tuple[TermSpec, int, str, tuple[str, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for spec in self.specs:
            if eligible(spec, FuzzyOptions(min_letters=self.options.min_letters)):
                words = WORD.findall(spec.pattern.casefold())
                phones = self.phonemizer.words(words)
                self.terms.append((spec, len(words), "".join(words), phones))

    def find(self, text: str, blocked: list[tuple[int, int]], skip: set[str]) -> list[PhonemeHit]:
        """Best runs scoring >= min_score for terms not in `skip` ("group/term"), none sharing
        a word with a `blocked` span (a hit already there) nor with a better phoneme hit."""
        o = self.options
        words, spans = word_spans(text)
        words = [w.casefold() for w in words]
        phones = [self.phonemizer.word(w) for w in words]
        candidates: list[PhonemeHit] = []
        for spec, size, squashed, term_phones in self.terms:
            if f"{spec.group}/{spec.term}" in skip:
                continue
            best: PhonemeHit | None = None
            for n in range(max(1, size - 1), size + o.extra_words + 1):
                for i in range(len(words) - n + 1):
                    start, end = spans[i][0], spans[i + n - 1][1]
                    if any(start < e and s < end for s, e in blocked):
                        continue
                    run = tuple(p for ph in phones[i : i + n] for p in ph)
                    if not 0.5 <= len(run) / max(len(term_phones), 1) <= 2.0:
                        continue
                    score = self.score(squashed, "".join(words[i : i + n]), term_phones, run)
                    if score >= o.min_score and (best is None or score > best.score):
                        best = PhonemeHit(spec, start, end, round(score, 3))
            if best is not None:
                candidates.append(best)
        candidates.sort(key=lambda h: (-h.score, h.start))
        accepted: list[PhonemeHit] = []
        for cand in candidates:
            if all(cand.end <= a.start or a.end <= cand.start for a in accepted):
                accepted.append(cand)
        return accepted

    def score(
        self, term: str, run: str, term_phones: tuple[str, ...], phones: tuple[str, ...]
    ) -> float:
        o = self.options
        spelling = similarity(term, run)
        if spelling < o.min_spelling:
            return 0.0
        phon = _cached_similarity(term_phones, phones, o.vowel_sub, o.near_sub, o.vowel_indel)
        if o.combine == "phon":
            return phon
        if o.combine == "avg":
            return (spelling + phon) / 2
        return max(spelling, (spelling + phon) / 2)


_cached_similarity = functools.lru_cache(maxsize=262_144)(phone_similarity)


def with_phonemes(
    found: dict[str, bool],
    texts: Iterable[str | None],
    matcher: KeywordMatcher,
    finder: PhonemeFinder,
) -> dict[str, bool]:
    """`found` (polmon's hits of a clip: term -> approximate only) and the phoneme hits of the
    terms it lacks in `texts` (approximate), none over the words of one of `matcher`'s hits
    nor over a term written in the text that polmon dropped (a repeat: a hotword insertion)."""
    out = dict(found)
    exact = KeywordMatcher(matcher.groups)  # no fuzzy options: repeats are not dropped
    for text in texts:
        if not text:
            continue
        written = exact.match(text)
        blocked = [(m.start, m.end) for m in [*matcher.match(text), *written]]
        skip = set(out) | {f"{m.group}/{m.term}" for m in written}
        for hit in finder.find(text, blocked, skip):
            out[f"{hit.spec.group}/{hit.spec.term}"] = True
    return out


def phoneme_finder(matcher: KeywordMatcher, options: PhonemeOptions) -> PhonemeFinder:
    """A finder for the fuzzy-matched terms of `matcher`'s groups."""
    specs = [t for g in matcher.groups if g.fuzzy for t in g.terms]
    return PhonemeFinder(specs, options, _phonemizer())


@functools.cache
def _phonemizer() -> Phonemizer:
    return Phonemizer()


# polmon+phoneme=KEY rows of bench/keyword_spotting.py (chosen on the development half).
PRESETS: dict[str, PhonemeOptions] = {
    "p80l7": PhonemeOptions(min_score=0.8, min_letters=7),  # dev: +1 term, no false hit
    "p80l6": PhonemeOptions(min_score=0.8, min_letters=6),  # dev: +1 term, 1 false hit
    "p75l6": PhonemeOptions(min_score=0.75, min_letters=6),  # dev: +2 terms, 2 false hits
}


def phonemed(config: PolmonConfig, key: str) -> Spotter:
    """polmon's decode and matching, then the phoneme hits (PRESETS[key]) of terms it lacks."""
    transcriber = Transcriber(config)
    terms = prompt_terms(config)
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))
    finder = phoneme_finder(matcher, PRESETS[key])

    def spot(path: Path) -> tuple[Found, str]:
        found, heard, result = polmon_hits(transcriber, terms, matcher, path)
        texts = [None if s.is_hallucination else s.text for s in result.segments]
        return with_phonemes(found, texts, matcher, finder), heard

    return spot
