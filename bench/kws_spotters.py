"""The spotters the keyword-spotting bench compares: stock faster-whisper, polmon as it was and as
it is, and the trials that check one decode against another."""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np

from monitor.config import PolmonConfig, parse_config
from monitor.keywords.fuzzy import fuzzy_options
from monitor.keywords.hitrows import hit_rows
from monitor.keywords.live import matcher_for, segment_sources
from monitor.keywords.matcher import KeywordMatcher
from monitor.queries.keyword_sources import SegmentText
from monitor.transcription.audio import decode_with_pyav
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber

DATA = Path(__file__).resolve().parent / "data" / "kws"
SEED = 16
Found = dict[str, bool]  # "group/term" found in a clip -> approximate only
Spotter = Callable[[Path], tuple[Found, str]]


def keyword_config(model: str, threads: int, **transcription: Any) -> PolmonConfig:
    data = tomllib.loads((DATA / "keywords.toml").read_text(encoding="utf-8"))
    data["transcription"] = {"model": model, "threads": threads, **transcription}
    return parse_config(data, Path(tempfile.gettempdir()) / "polmon-kws.toml")  # its data dir


def exact_terms(matcher: KeywordMatcher, texts: Iterable[str]) -> Found:
    return {f"{m.group}/{m.term}": False for text in texts for m in matcher.match(text)}


def all_terms(config: PolmonConfig) -> list[str]:
    return [t for group in config.keywords.values() for t in dict.fromkeys(group.terms)]


def stock(config: PolmonConfig, hotwords: str | None) -> Spotter:
    """faster-whisper as its README calls it (optionally with hotwords); every segment matched."""
    from faster_whisper import WhisperModel

    model = WhisperModel(config.transcription.model, compute_type="int8", cpu_threads=2)
    matcher = matcher_for(config.keywords, "transcripts")

    def spot(path: Path) -> tuple[Found, str]:
        segments, _info = model.transcribe(decode_with_pyav(path), beam_size=5, hotwords=hotwords)
        texts = [s.text for s in segments]
        return exact_terms(matcher, texts), " | ".join(texts)

    return spot


def polmon_main(config: PolmonConfig) -> Spotter:
    """polmon as on e6c736d: every term space-joined as hotwords, VAD, segments below
    avg_logprob -1 or otherwise flagged skipped, exact matching only."""
    from faster_whisper import WhisperModel

    t = config.transcription
    model = WhisperModel(t.model, compute_type="int8", cpu_threads=t.threads)
    matcher = matcher_for(config.keywords, "transcripts")
    hotwords = " ".join(dict.fromkeys(all_terms(config)))

    def spot(path: Path) -> tuple[Found, str]:
        segments, _info = model.transcribe(
            decode_with_pyav(path),
            beam_size=5,
            vad_filter=True,
            condition_on_previous_text=False,
            hotwords=hotwords,
            no_speech_threshold=0.6,
            log_prob_threshold=-1.0,
            compression_ratio_threshold=2.4,
        )
        kept = []
        for s in segments:
            silent = s.no_speech_prob > 0.6 and s.avg_logprob < -0.5
            if not (s.avg_logprob < -1.0 or silent or s.compression_ratio > 2.4):
                kept.append(s.text)
        return exact_terms(matcher, kept), " | ".join(kept)

    return spot


def polmon(config: PolmonConfig, *, reverse: bool = False, names_only: bool = False) -> Spotter:
    """polmon now: the Transcriber and the transcript matching the pipeline runs (trials:
    `reverse` the hotwords in the opposite order; `names_only` only capitalised terms)."""
    transcriber = Transcriber(config)
    terms = prompt_terms(config)[:: -1 if reverse else 1]
    if names_only:
        terms = tuple(t for t in terms if any(c.isupper() for c in t))
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))

    def spot(path: Path) -> tuple[Found, str]:
        found, heard, _result = polmon_hits(transcriber, terms, matcher, path)
        return found, heard

    return spot


def polmon_hits(
    transcriber: Transcriber,
    terms: tuple[str, ...],
    matcher: KeywordMatcher,
    path: Path,
    front: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[Found, str, TranscriptResult]:
    """What polmon stores and matches for one file: its hits, the text heard, the result
    (`front`: a trial, the decoded samples passed through it before transcribing)."""
    prepared = transcriber.prepare(path)
    if front is not None:
        prepared = replace(prepared, audio=front(prepared.audio))
    result = transcriber.decode(prepared, terms)
    stored = [
        SegmentText(i, s.text, s.start, s.is_hallucination, s.avg_logprob, s.words_doc())
        for i, s in enumerate(result.segments)
    ]
    sources = segment_sources(stored, post_id=0, url=None, platform="", published_at=None)
    found: Found = {}
    for row in hit_rows(matcher, sources):
        key = f"{row['group_name']}/{row['term']}"
        found[key] = found.get(key, True) and bool(row["approximate"])
    heard = " | ".join(f"{s.text} [{s.avg_logprob:.2f}]" for s in result.segments)
    return found, heard, result


def checked(first: Spotter, second: Spotter) -> Spotter:
    """A trial (not in polmon): `first`'s hits kept only where `second` finds the term too
    (exactly or approximately) in the same clip; both decodes are timed."""

    def spot(path: Path) -> tuple[Found, str]:
        found, heard = first(path)
        ctranslate2.set_random_seed(SEED)
        check, heard_again = second(path)
        return {t: a for t, a in found.items() if t in check}, f"{heard} || {heard_again}"

    return spot


def without_hotwords(config: PolmonConfig) -> PolmonConfig:
    transcription = config.transcription.model_copy(update={"hotwords": False})
    return config.model_copy(update={"transcription": transcription})


def united(first: Spotter, second: Spotter) -> Spotter:
    """A trial (not in polmon): the hits of either decode (exact where either is exact)."""

    def spot(path: Path) -> tuple[Found, str]:
        found, heard = first(path)
        ctranslate2.set_random_seed(SEED)
        more, heard_again = second(path)
        both = {t: found.get(t, True) and more.get(t, True) for t in found.keys() | more.keys()}
        return both, f"{heard} || {heard_again}"

    return spot
