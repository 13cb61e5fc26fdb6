"""Keyword spotting beyond the 1-best (bench trials): N-best hypotheses, term scoring, verify."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ctranslate2
import numpy as np

from monitor.keywords.fuzzy import FuzzyFinder, FuzzyOptions, _windows, similarity
from monitor.keywords.matcher import KeywordMatcher

FRAMES_PER_TOKEN = 2  # mel frames per encoder frame


@dataclass
class Call:
    """One ctranslate2 generate() call faster-whisper made: its input and result."""

    encoded: Any  # StorageView [1, 1500, d]
    prompt: list[int]
    result: Any
    kwargs: dict[str, Any]


@dataclass
class RecordingWhisper:
    """Stands in for WhisperModel.model: records each generate() call; `nbest` > 1 asks beam
    search for that many hypotheses (the first is the same 1-best)."""

    inner: Any
    nbest: int = 1
    calls: list[Call] = field(default_factory=list)

    def generate(self, features: Any, prompts: Any, **kwargs: Any) -> Any:
        if self.nbest > 1 and kwargs.get("beam_size", 1) > 1:
            kwargs["num_hypotheses"] = min(self.nbest, kwargs["beam_size"])
        results = self.inner.generate(features, prompts, **kwargs)
        self.calls.append(Call(features, list(prompts[0]), results[0], kwargs))
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def install(whisper_model: Any, nbest: int = 1) -> RecordingWhisper:
    """Wrap a faster_whisper.WhisperModel's ctranslate2 model (once) and return the recorder."""
    current = whisper_model.model
    if isinstance(current, RecordingWhisper):
        current.nbest = nbest
        return current
    recorder = RecordingWhisper(current, nbest)
    whisper_model.model = recorder
    return recorder


def text_of(tokenizer: Any, ids: Sequence[int]) -> str:
    return tokenizer.decode([t for t in ids if t < tokenizer.eot]).strip()


def call_for(calls: list[Call], tokenizer: Any, text: str) -> Call | None:
    """The latest recorded call whose 1-best holds `text` (a segment of its window)."""
    for call in reversed(calls):
        if text and text in text_of(tokenizer, call.result.sequences_ids[0]):
            return call
    return None


def truncated(encoded: Any, frames: int) -> Any:
    """The encoder output cut to its first `frames` frames (the rest is padding)."""
    array = np.asarray(encoded)
    return array[:, : max(1, min(frames, array.shape[1]))]


def sequence_logprobs(
    model: Any, encoded: np.ndarray, start: list[int], sequences: list[list[int]]
) -> list[float]:
    """Sum of log p(token) of each sequence (and its end) after `start`, one align() batch."""
    batch = ctranslate2.StorageView.from_array(
        np.ascontiguousarray(np.repeat(encoded, len(sequences), axis=0))
    )
    frames = encoded.shape[1] * FRAMES_PER_TOKEN
    results = model.align(batch, start, sequences, [frames] * len(sequences))
    return [float(sum(math.log(max(p, 1e-12)) for p in r.text_token_probs)) for r in results]


@dataclass(frozen=True)
class Candidate:
    group: str
    term: str
    text: str  # the segment with the span replaced by the term
    similarity: float
    source: int = 0  # the text the span is in: 0 the heard 1-best, 1 the plain decode


def spans(term: Any, windows: Any, floor: float, per_term: int) -> list[tuple[float, int, int]]:
    """The `per_term` word runs closest to `term` (FuzzyFinder's score), at least `floor`."""
    slack = int(2 * (1 - floor) * len(term.squashed))
    lengths = range(len(term.squashed) - slack, len(term.squashed) + slack + 1)
    found = []
    for size in {max(1, term.words - 1), term.words, term.words + 1}:
        for window in (w for n in lengths for w in windows.get((size, n), ())):
            raw = similarity(term.squashed, window.squashed, term.squashed_bits)
            sound = similarity(term.key, window.key, term.key_bits)
            score = max(raw, (raw + sound) / 2)
            if score >= floor:
                found.append((round(score, 3), window.start, window.end))
    found.sort(key=lambda f: -f[0])
    return found[:per_term]


def candidates(
    text: str,
    matcher: KeywordMatcher,
    finder: FuzzyFinder,
    limit: int,
    per_term: int = 2,
    source: int = 0,
) -> list[Candidate]:
    """Terms not in `text` whose fuzzy score against some word span passes the finder's low
    bar, each with the text where that span is replaced by the term; the best `limit`."""
    found = {(m.group, m.term) for m in matcher.match(text)}
    windows = _windows(text, finder.longest)
    out = []
    for term in finder.terms:
        if (term.spec.group, term.spec.term) in found:
            continue
        for score, start, end in spans(term, windows, finder.options.min_score, per_term):
            new = text[:start] + term.spec.term + text[end:]
            out.append(Candidate(term.spec.group, term.spec.term, new, score, source))
    out.sort(key=lambda c: -c.similarity)
    return out[:limit]


def low_bar_finder(matcher: KeywordMatcher, min_score: float, min_letters: int) -> FuzzyFinder:
    specs = [t for g in matcher.groups for t in g.terms]
    return FuzzyFinder(specs, FuzzyOptions(min_score, min_letters))


def content_frames(tokenizer: Any, ids: Sequence[int], margin: int = 50) -> int:
    """Encoder frames up to the last timestamp the 1-best wrote, plus `margin` (1 s)."""
    stamps = [t - tokenizer.timestamp_begin for t in ids if t >= tokenizer.timestamp_begin]
    return min(1500, (max(stamps) if stamps else 1500) + margin)


def plain_start(tokenizer: Any) -> list[int]:
    """The decoder's start without the hotwords: <|startoftranscript|><|en|>… <|notimestamps|>."""
    return [*tokenizer.sot_sequence, tokenizer.no_timestamps]


def nbest_terms(
    call: Call, tokenizer: Any, matcher: KeywordMatcher, best_terms: set[str]
) -> dict[str, float]:
    """Terms found in the other hypotheses of `call` but not the 1-best, each with its
    hypothesis' score minus the 1-best's (length-normalised log-probabilities)."""
    scores = list(call.result.scores)
    out: dict[str, float] = {}
    for ids, score in zip(call.result.sequences_ids[1:], scores[1:], strict=False):
        for m in matcher.match(text_of(tokenizer, ids)):
            key = f"{m.group}/{m.term}"
            if key not in best_terms:
                out[key] = max(out.get(key, -1e9), float(score - scores[0]))
    return out


def score_terms(
    model: Any,
    call: Call,
    tokenizer: Any,
    heard: str,
    plain: str,
    matcher: KeywordMatcher,
    finder: FuzzyFinder,
    limit: int,
    with_prompt: bool = False,
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """(b) One align() batch: each shortlisted term's log-likelihood ratio, the text with a
    close span replaced by the term against the reference, and log p(heard) - log p(plain).

    Without the hotwords (`with_prompt` false) terms are tried in the spans of the heard 1-best
    and of the plain decode (the model's own best without them), each against the text it
    replaces a span of; with the hotwords prompt only in the heard 1-best (`plain` is "").
    Also returns every candidate's score (for --dump)."""
    cands = candidates(heard, matcher, finder, limit) if limit else []
    if limit and plain and plain != heard and not with_prompt:
        more = candidates(plain, matcher, finder, limit, source=1)
        seen = {c.text for c in cands}
        cands = sorted(cands + [c for c in more if c.text not in seen], key=lambda c: -c.similarity)
        cands = cands[:limit]
    encoded = truncated(call.encoded, content_frames(tokenizer, call.result.sequences_ids[0]))
    texts = [heard, plain or heard] + [c.text for c in cands]
    seqs = [tokenizer.encode(" " + text) for text in texts]
    start = [*call.prompt, tokenizer.no_timestamps] if with_prompt else plain_start(tokenizer)
    lps = sequence_logprobs(model, encoded, start, seqs)
    llr: dict[str, float] = {}
    sim: dict[str, float] = {}
    for c, lp in zip(cands, lps[2:], strict=True):
        key = f"{c.group}/{c.term}"
        if lp - lps[c.source] > llr.get(key, -1e9):
            llr[key] = lp - lps[c.source]
            sim[key] = c.similarity
    raw = {
        "heard": heard,
        "plain": plain,
        "lp": lps[:2],
        "cands": [
            {
                "key": f"{c.group}/{c.term}",
                "text": c.text,
                "sim": c.similarity,
                "lp": lp,
                "tokens": len(s),
            }
            for c, lp, s in zip(cands, lps[2:], seqs[2:], strict=True)
        ],
        "tokens": [len(seqs[0]), len(seqs[1])],
        "llr": llr,
        "similarity": sim,
    }
    return lps[0] - lps[1], llr, raw


def plain_decode(model: Any, call: Call, tokenizer: Any, beam_size: int) -> list[int]:
    """The window decoded again without the hotwords (beam search, timestamps as usual)."""
    result = model.generate(
        call.encoded,
        [list(tokenizer.sot_sequence)],
        beam_size=beam_size,
        max_length=448,
        return_scores=True,
        suppress_blank=True,
        suppress_tokens=[-1],
    )[0]
    return list(result.sequences_ids[0])


def _word_spans(text: str) -> list[tuple[int, int]]:
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def local_alternative(heard: str, plain: str, start: int, end: int) -> str | None:
    """`heard` with the words around heard[start:end] replaced by what the plain decode wrote
    in their place (word alignment), or None when the plain decode wrote the same words."""
    import difflib

    hs, ps = _word_spans(heard), _word_spans(plain)
    hw = [heard[a:b].strip(",.?!").casefold() for a, b in hs]
    pw = [plain[a:b].strip(",.?!").casefold() for a, b in ps]
    first = next((i for i, (a, b) in enumerate(hs) if b > start), len(hs))
    last = max((i for i, (a, b) in enumerate(hs) if a < end), default=first)
    lo, hi, plo, phi = first, last + 1, None, None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, hw, pw, autojunk=False).get_opcodes():
        if (i1 <= last and i2 > first) or (i1 == i2 and first <= i1 <= last + 1):
            if tag == "equal":
                # the part of an equal run inside the span maps one to one
                a, b = max(i1, first), min(i2, last + 1)
                ja, jb = j1 + (a - i1), j1 + (b - i1)
            else:
                a, b, ja, jb = i1, i2, j1, j2
            lo, hi = min(lo, a), max(hi, b)
            plo = ja if plo is None else min(plo, ja)
            phi = jb if phi is None else max(phi, jb)
    if plo is None or phi is None:
        return None
    if hw[lo:hi] == pw[plo:phi]:
        return None
    left = heard[: hs[lo][0]] if lo < len(hs) else heard
    right = heard[hs[hi - 1][1] :] if hi - 1 < len(hs) else ""
    middle = plain[ps[plo][0] : ps[phi - 1][1]] if phi > plo else ""
    return (left + middle + right).replace("  ", " ").strip()


def verify_local(
    model: Any, call: Call, tokenizer: Any, heard: str, alternatives: list[str], prompt: bool
) -> list[float]:
    """log p(heard) - log p(alternative) for each alternative, with or without the hotwords."""
    encoded = truncated(call.encoded, content_frames(tokenizer, call.result.sequences_ids[0]))
    seqs = [tokenizer.encode(" " + t) for t in [heard, *alternatives]]
    start = [*call.prompt, tokenizer.no_timestamps] if prompt else plain_start(tokenizer)
    lps = sequence_logprobs(model, encoded, start, seqs)
    return [lps[0] - lp for lp in lps[1:]]
