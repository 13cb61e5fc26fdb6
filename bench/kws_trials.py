"""The second-pass trials of the keyword-spotting bench: N-best terms, shortlisted terms scored
against the audio, hotword hits verified against a decode without hotwords (kws_second_pass)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.kws_spotters import Found, Spotter, polmon_hits
from monitor.config import PolmonConfig
from monitor.keywords.fuzzy import fuzzy_options
from monitor.keywords.live import matcher_for
from monitor.keywords.matcher import KeywordMatcher
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber


@dataclass
class SecondPass:
    """Trial thresholds of the passes beyond the 1-best (None: that pass is off)."""

    nbest_margin: float | None = None  # (a) a term in another hypothesis scoring >= this
    score_min: float | None = None  # (b) a shortlisted term's log-likelihood ratio >= this
    verify_min: float | None = None  # (c) a hit kept if heard without hotwords or LLR >= this
    bar: float = 0.5  # (b) the fuzzy score a span needs to be tried
    limit: int = 24  # (b) at most this many (term, span) candidates per segment
    with_prompt: bool = False  # (b) score with the hotwords prompt (else without)
    verify_prompt: bool = True  # (c) score with the hotwords prompt (else without)
    nbest: int = 5
    evidence: list[dict[str, Any]] = field(default_factory=list)  # per clip, for --dump
    seconds: dict[str, float] = field(default_factory=dict)  # per pass


# The second-pass trials, with the thresholds calibrated on the development half
# (docs/benchmarks.md, "Beyond the 1-best"); --nbest-margin, --score-min, --verify-min override.
SECOND_PASS: dict[str, dict[str, Any]] = {
    "polmon+nbest": {"nbest_margin": -0.06},
    "polmon+score": {"score_min": 16.0, "with_prompt": True, "limit": 16},
    "polmon+score-plain": {"score_min": 18.0, "with_prompt": False, "limit": 24},
    "polmon+verify": {"verify_min": -55.0},
    "polmon+nbest+verify": {"nbest_margin": -0.06, "verify_min": -55.0},
}


def verify_hits(
    sp: Any,
    model: Any,
    call: Any,
    tokenizer: Any,
    matcher: KeywordMatcher,
    heard: str,
    plain: str,
    prompt: bool,
) -> list[tuple[str, float]]:
    """(c) each hit of `heard` not in the plain decode: log p(heard) - log p(heard with the
    hit's words as the plain decode wrote them), force-decoded with (or without) the hotwords."""
    plain_terms = {(m.group, m.term) for m in matcher.match(plain)}
    todo = []
    for m in matcher.match(heard):
        if (m.group, m.term) in plain_terms:
            continue
        alternative = sp.local_alternative(heard, plain, m.start, m.end)
        if alternative is not None:
            todo.append((f"{m.group}/{m.term}", alternative))
    if not todo:
        return []
    llrs = sp.verify_local(model, call, tokenizer, heard, [a for _k, a in todo], prompt)
    return [(k, llr) for (k, _a), llr in zip(todo, llrs, strict=True)]


def second_pass(config: PolmonConfig, passes: SecondPass) -> Spotter:
    """polmon, then (a) terms of the N-best, (b) shortlisted terms scored against the audio,
    (c) hotword hits verified against a decode without hotwords; every pass timed apart."""
    import kws_second_pass as sp
    from faster_whisper.tokenizer import Tokenizer

    transcriber = Transcriber(config)
    whisper = transcriber.default_backend()._model  # type: ignore[attr-defined]
    recorder = sp.install(whisper, nbest=passes.nbest if passes.nbest_margin is not None else 1)
    model = recorder.inner
    tokenizer = Tokenizer(whisper.hf_tokenizer, model.is_multilingual, "transcribe", "en")
    terms = prompt_terms(config)
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))
    exact = matcher_for(config.keywords, "transcripts")
    finder = sp.low_bar_finder(exact, passes.bar, 3)

    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        passes.seconds[name] = passes.seconds.get(name, 0.0) + now - started
        return now

    def spot(path: Path) -> tuple[Found, str]:
        recorder.calls.clear()
        recorder.nbest = passes.nbest if passes.nbest_margin is not None else 1
        try:
            return spot_passes(path)
        finally:
            recorder.nbest = 1
            recorder.calls.clear()

    def spot_passes(path: Path) -> tuple[Found, str]:
        t = time.perf_counter()
        found, heard, result = polmon_hits(transcriber, terms, matcher, path)
        t = timed("transcribe", t)
        clip: dict[str, Any] = {"clip": path.name, "found": dict(found), "segments": []}
        added: Found = {}
        for seg in result.segments:
            call = sp.call_for(recorder.calls, tokenizer, seg.text)
            if seg.is_hallucination or call is None:
                continue
            ev: dict[str, Any] = {"text": seg.text}
            seg_terms = {f"{m.group}/{m.term}" for m in matcher.match(seg.text)}
            if passes.nbest_margin is not None:
                ev["nbest"] = sp.nbest_terms(call, tokenizer, matcher, seg_terms)
                added |= {k: True for k, v in ev["nbest"].items() if v >= passes.nbest_margin}
                t = timed("nbest", t)
            if passes.verify_min is not None or passes.score_min is not None:
                plain = ""
                if passes.verify_min is not None or not passes.with_prompt:
                    plain = sp.text_of(tokenizer, sp.plain_decode(model, call, tokenizer, 5))
                ev["plain"] = plain
                ev["heard_plain"] = sorted(f"{m.group}/{m.term}" for m in matcher.match(plain))
                ev["seg_terms"] = sorted(seg_terms)
                t = timed("plain decode", t)
                limit = passes.limit if passes.score_min is not None else 0
                ev["verify_llr"], ev["scored"], ev["raw"] = sp.score_terms(
                    model,
                    call,
                    tokenizer,
                    seg.text,
                    plain,
                    exact,
                    finder,
                    limit,
                    passes.with_prompt,
                )
                if passes.score_min is not None:
                    added |= {k: True for k, v in ev["scored"].items() if v >= passes.score_min}
                if passes.verify_min is not None:
                    ev["verify"] = verify_hits(
                        sp, model, call, tokenizer, matcher, seg.text, plain, passes.verify_prompt
                    )
                    for key, llr in ev["verify"]:
                        if key not in ev["heard_plain"] and llr < passes.verify_min:
                            found.pop(key, None)
                t = timed("score", t)
            clip["segments"].append(ev)
        passes.evidence.append(clip)
        for key, approx in added.items():
            found.setdefault(key, approx)
        return found, heard

    return spot
