"""Matching variants on polmon's transcripts of the keyword-spotting set, each clip decoded once."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import ctranslate2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.keyword_spotting import Score, default_model, parse_overrides  # noqa: E402
from bench.kws_phoneme import PhonemeOptions, phoneme_finder, with_phonemes  # noqa: E402
from bench.kws_spotters import DATA, SEED, Found, keyword_config  # noqa: E402
from monitor.keywords.fuzzy import FuzzyOptions, fuzzy_options  # noqa: E402
from monitor.keywords.hitrows import hit_rows  # noqa: E402
from monitor.keywords.live import matcher_for, segment_sources  # noqa: E402
from monitor.keywords.matcher import KeywordMatcher  # noqa: E402
from monitor.queries.keyword_sources import SegmentText  # noqa: E402
from monitor.transcription.settings import prompt_terms  # noqa: E402
from monitor.transcription.transcriber import Transcriber  # noqa: E402


def transcripts(clips: list[dict[str, Any]], config: Any, cache: Path | None) -> dict[str, Any]:
    """Each clip's segments as polmon stores them (from `cache` when it holds them)."""
    if cache is not None and cache.exists():
        return dict(json.loads(cache.read_text(encoding="utf-8")))
    transcriber = Transcriber(config)
    terms = prompt_terms(config)
    out: dict[str, Any] = {"seconds": 0.0, "clips": {}}
    for clip in clips:
        ctranslate2.set_random_seed(SEED)
        started = time.perf_counter()
        result = transcriber.transcribe(DATA / clip["name"], prompt_terms=terms)
        out["seconds"] += time.perf_counter() - started
        out["clips"][clip["name"]] = [
            [s.text, s.start, s.is_hallucination, s.avg_logprob, s.words_doc()]
            for s in result.segments
        ]
    if cache is not None:
        cache.write_text(json.dumps(out), encoding="utf-8")
    return out


def found_in(segments: list[list[Any]], matcher: KeywordMatcher) -> Found:
    stored = [SegmentText(i, *seg) for i, seg in enumerate(segments)]
    sources = segment_sources(stored, post_id=0, url=None, platform="", published_at=None)
    found: Found = {}
    for row in hit_rows(matcher, sources):
        key = f"{row['group_name']}/{row['term']}"
        found[key] = found.get(key, True) and bool(row["approximate"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev",), default="dev")  # tuning only
    parser.add_argument("--set", action="append", default=[], help="[transcription] key=value")
    parser.add_argument("--cache", type=Path, help="the transcripts' JSON (made when absent)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="FuzzyOptions fields as key=value;key=value (one row each; polmon's own row first)",
    )
    parser.add_argument(
        "--phoneme",
        action="append",
        default=[],
        help="PhonemeOptions fields as key=value;key=value (one row each: polmon's own matching "
        "and phoneme hits of the terms it lacks; bench/kws_phoneme.py)",
    )
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    truth = json.loads((DATA / "truth.json").read_text(encoding="utf-8"))
    clips = [c for c in truth["clips"] if c["split"] == args.split]
    config = keyword_config(default_model(), 2, **parse_overrides(args.set))
    heard = transcripts(clips, config, args.cache)
    base = fuzzy_options(config)
    print("| matching | found | recall | precision | F1 | approximate TP/FP | matching s |")
    print("|---|---|---|---|---|---|---|")
    rows = [("", v) for v in ["", *args.variant]] + [(p, "") for p in args.phoneme]
    for phoneme, variant in rows:
        fields = parse_overrides(variant.split(";")) if variant else {}
        options = replace(base or FuzzyOptions(), **fields) if base or fields else None
        matcher = matcher_for(config.keywords, "transcripts", fuzzy=options)
        sounds = PhonemeOptions(**parse_overrides(phoneme.split(";"))) if phoneme else None
        finder = phoneme_finder(matcher, sounds) if sounds else None
        score = Score()
        for clip in clips:
            segments = heard["clips"][clip["name"]]
            started = time.perf_counter()
            found = found_in(segments, matcher)
            if finder is not None:
                texts = [None if s[2] else s[0] for s in segments]  # hallucinations: no text
                found = with_phonemes(found, texts, matcher, finder)
            score.seconds += time.perf_counter() - started
            score.audio = 1.0
            text = " | ".join(s[0] for s in segments)
            score.add(set(clip["terms"]), found, clip["name"], text)
        row = score.row(f"phoneme {phoneme}" if phoneme else variant or "polmon (as configured)")
        print(row.rsplit("|", 3)[0] + f"| {score.seconds:.2f} |", flush=True)
        if args.misses:
            print("\n".join(f"    {line}" for line in score.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
