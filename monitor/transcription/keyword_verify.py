"""A second pass that scores keyword terms the 1-best missed ([transcription] keyword_verify).

faster-whisper decodes with the terms as hotwords; this pass reuses each 30 s window's encoder
output (recorded from CTranslate2's generate() calls), decodes the window again without the
hotwords, and for every term close in spelling or sound to a word run of the heard text or of
that plain decode, force-decodes (CTranslate2 Whisper.align) the text with the run replaced by
the term. A term whose log-likelihood ratio against the text it replaces reaches `min_llr` is
spotted. Calibrated on the keyword-spotting set's development half (docs/benchmarks.md,
"Beyond the 1-best"): LLR >= 18 without the hotwords.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from monitor.keywords.fuzzy import close_spans
from monitor.transcription.result import Segment, SpottedTerm

SHORTLIST_SCORE = 0.5  # the fuzzy score a word run needs for a term to be tried there
SHORTLIST_LETTERS = 3  # terms with fewer letters are never tried
SPANS_PER_TERM = 2
CANDIDATES = 24  # at most this many (term, run) pairs scored per segment
MARGIN_FRAMES = 50  # encoder frames (1 s) kept past the 1-best's last timestamp
_WORD = re.compile(r"\S+")


@dataclass
class Call:
    """One generate() call faster-whisper made: the encoder output, prompt and result."""

    encoded: Any
    prompt: list[int]
    result: Any


class RecordingWhisper:
    """Stands in for WhisperModel.model and records each generate() call of this thread."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._local = threading.local()

    @property
    def calls(self) -> list[Call]:
        if not hasattr(self._local, "calls"):
            self._local.calls = []
        calls: list[Call] = self._local.calls
        return calls

    def generate(self, features: Any, prompts: Any, **kwargs: Any) -> Any:
        results = self.inner.generate(features, prompts, **kwargs)
        self.calls.append(Call(features, list(prompts[0]), results[0]))
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def recorder(whisper_model: Any) -> RecordingWhisper:
    """The recorder around a faster_whisper.WhisperModel's CTranslate2 model (installed once)."""
    current = whisper_model.model
    if not isinstance(current, RecordingWhisper):
        current = RecordingWhisper(current)
        whisper_model.model = current
    return current


@dataclass(frozen=True)
class Candidate:
    term: str
    text: str  # the source text with a word run replaced by the term
    source: int  # 0: the heard text, 1: the plain decode
    start: int  # the run in the source text
    end: int
    similarity: float


class KeywordVerifier:
    """Scores shortlisted terms in the segments of one transcription (faster-whisper only).

    Segments are added in order as faster-whisper yields them; a window (the segments decoded
    from one 30 s window) is scored once the next window starts (or at `finish`), so only the
    current window's encoder output is kept. The window's segment texts are joined and scored
    on its audio; a spotted term goes to the segment its word run starts in.
    """

    def __init__(
        self, whisper_model: Any, terms: Sequence[str], min_llr: float, beam_size: int = 5
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.recorder = recorder(whisper_model)
        self.recorder.calls.clear()
        self.model = self.recorder.inner
        multilingual = bool(self.model.is_multilingual)
        self.tokenizer = Tokenizer(whisper_model.hf_tokenizer, multilingual, "transcribe", "en")
        self.terms = [t for t in terms if sum(c.isalpha() for c in t) >= SHORTLIST_LETTERS]
        self.min_llr = min_llr
        self.beam_size = beam_size
        self._window: list[Segment] = []
        self._call: Call | None = None

    def add(self, segment: Segment) -> list[Segment]:
        """Take the next segment; returns the segments of a window finished by it."""
        calls = self.recorder.calls
        call = self._call_for(calls, segment.text) if not segment.is_hallucination else None
        done: list[Segment] = []
        if call is not None and call is not self._call:
            done = self.finish()
            self._call = call
            del calls[: calls.index(call)]  # older windows are done with
        self._window.append(segment)
        return done

    def finish(self) -> list[Segment]:
        """The segments of the window in progress, scored; the recorded calls are dropped."""
        window, call = self._window, self._call
        self._window, self._call = [], None
        if call is None or not self.terms:
            return window
        members = [i for i, s in enumerate(window) if not s.is_hallucination and s.text]
        offsets, at = [], 0
        for i in members:
            offsets.append(at)
            at += len(window[i].text) + 1
        heard = " ".join(window[i].text for i in members)
        found: dict[int, list[SpottedTerm]] = {}
        for term in self._spot_window(heard, call, self.terms):
            k = max(j for j, o in enumerate(offsets) if o <= term.start)
            start, end = term.start - offsets[k], term.end - offsets[k]
            end = max(start, min(end, len(window[members[k]].text)))
            found.setdefault(members[k], []).append(replace(term, start=start, end=end))
        for i, spotted in found.items():
            window[i] = replace(window[i], spotted=tuple(spotted))
        return window

    def _text(self, ids: Sequence[int]) -> str:
        return str(self.tokenizer.decode([t for t in ids if t < self.tokenizer.eot])).strip()

    def _call_for(self, calls: Sequence[Call], text: str) -> Call | None:
        for call in reversed(calls):
            if text and text in self._text(call.result.sequences_ids[0]):
                return call
        return None

    def _spot_window(self, heard: str, call: Call, terms: Sequence[str]) -> list[SpottedTerm]:
        encoded = self._cut(call)
        plain = self._plain_decode(call)
        cands = _candidates(heard, terms, 0)
        if plain and plain != heard:
            seen = {c.text for c in cands}
            cands += [c for c in _candidates(plain, terms, 1) if c.text not in seen]
        cands = sorted(cands, key=lambda c: -c.similarity)[:CANDIDATES]
        if not cands:
            return []
        references = [heard, plain or heard]
        scores = self._logprobs(encoded, [*references, *(c.text for c in cands)])
        best: dict[str, SpottedTerm] = {}
        for cand, score in zip(cands, scores[2:], strict=True):
            llr = score - scores[cand.source]
            if llr < self.min_llr or (cand.term in best and best[cand.term].llr >= llr):
                continue
            start, end = cand.start, cand.end
            if cand.source == 1:
                start, end = heard_span(heard, plain, start, end)
            best[cand.term] = SpottedTerm(cand.term, start, end, cand.similarity, llr)
        return sorted(best.values(), key=lambda s: s.start)

    def _cut(self, call: Call) -> np.ndarray:
        """The window's encoder output up to the 1-best's last timestamp (+1 s)."""
        begin = self.tokenizer.timestamp_begin
        stamps = [t - begin for t in call.result.sequences_ids[0] if t >= begin]
        frames = min(1500, (max(stamps) if stamps else 1500) + MARGIN_FRAMES)
        return np.asarray(call.encoded)[:, :frames]

    def _plain_decode(self, call: Call) -> str:
        result = self.model.generate(
            call.encoded,
            [list(self.tokenizer.sot_sequence)],
            beam_size=self.beam_size,
            return_scores=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        return self._text(result.sequences_ids[0])

    def _logprobs(self, encoded: np.ndarray, texts: Sequence[str]) -> list[float]:
        """Each text's summed token log-probability (with its end), force-decoded without the
        hotwords, in one align() batch."""
        import ctranslate2

        tok = self.tokenizer
        seqs = [tok.encode(" " + text) for text in texts]
        batch = np.ascontiguousarray(np.repeat(encoded, len(seqs), axis=0))
        results = self.model.align(
            ctranslate2.StorageView.from_array(batch),
            [*tok.sot_sequence, tok.no_timestamps],
            seqs,
            [encoded.shape[1] * 2] * len(seqs),
        )
        return [sum(math.log(max(p, 1e-12)) for p in r.text_token_probs) for r in results]


def _candidates(text: str, terms: Sequence[str], source: int) -> list[Candidate]:
    """Terms not written in `text`, each in its closest word runs of it."""
    folded = text.casefold()
    missing = [
        t for t in terms if not re.search(rf"(?<!\w){re.escape(t.casefold())}(?!\w)", folded)
    ]
    return [
        Candidate(term, text[:start] + term + text[end:], source, start, end, score)
        for term, score, start, end in close_spans(missing, text, SHORTLIST_SCORE, SPANS_PER_TERM)
    ]


def heard_span(heard: str, plain: str, start: int, end: int) -> tuple[int, int]:
    """Where plain[start:end] lies in `heard`: the words the word alignment pairs it with (the
    nearest heard word where the heard text has none there)."""
    hs = [(m.start(), m.end()) for m in _WORD.finditer(heard)]
    ps = [(m.start(), m.end()) for m in _WORD.finditer(plain)]
    if not hs:
        return 0, 0
    inside = [i for i, (a, b) in enumerate(ps) if a < end and start < b]
    first, last = (inside[0], inside[-1]) if inside else (0, 0)
    words = difflib.SequenceMatcher(
        None,
        [heard[a:b].casefold() for a, b in hs],
        [plain[a:b].casefold() for a, b in ps],
        autojunk=False,
    )
    lo: int | None = None
    hi: int | None = None
    for tag, i1, i2, j1, j2 in words.get_opcodes():
        if not (j1 <= last and first < max(j2, j1 + 1)):
            continue
        if tag == "equal":  # word for word: only the words inside the run
            a, b = i1 + max(j1, first) - j1, i1 + min(j2 - 1, last) - j1
        else:
            a = min(i1, len(hs) - 1)
            b = max(min(i2, len(hs)) - 1, a)
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    if lo is None or hi is None:
        return hs[0]
    return hs[lo][0], hs[hi][1]
