"""Fifth-round trials: an ffmpeg audio front end before polmon decodes; fused decode ensembles."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import ctranslate2
import numpy as np

from bench.kws_spotters import SEED, Found, Spotter, polmon_hits
from monitor.config import PolmonConfig
from monitor.keywords.fuzzy import fuzzy_options
from monitor.keywords.live import matcher_for
from monitor.transcription.audio import SAMPLE_RATE, filter_audio
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber

# --configs names (polmon+front=KEY, members of polmon+fuse=RULE:KEY/KEY) -> ffmpeg -af chains
# applied to the 16 kHz mono float samples polmon decodes; "raw" is polmon's own audio.
FRONT_ENDS: dict[str, str] = {
    "hp100": "highpass=f=100",
    "band5k": "highpass=f=100,lowpass=f=5000",
    "band4k": "highpass=f=100,lowpass=f=4000",
    "dn12": "afftdn=nr=12:nf=-50",  # ffmpeg's defaults
    "dn24": "afftdn=nr=24:nf=-40",  # stronger: twice the reduction, a higher floor
    "dn12-track": "afftdn=nr=12:nf=-50:tn=1",  # tracks the noise floor as it changes
    "dynaudnorm": "dynaudnorm=f=150:g=15",  # 150 ms frames, a 15-frame gain smoother
    "dynaudnorm-default": "dynaudnorm",  # ffmpeg's defaults: 500 ms frames, 31-frame smoother
    "dynaudnorm-short": "dynaudnorm=f=100:g=7",
    "speechnorm": "speechnorm=e=6.25:r=0.00001:l=1",
    "loudnorm": "loudnorm=I=-20:TP=-2:LRA=11",
    "speed0.9": f"asetrate={SAMPLE_RATE * 9 // 10},aresample={SAMPLE_RATE}",  # slower, lower
    "speed1.1": f"asetrate={SAMPLE_RATE * 11 // 10},aresample={SAMPLE_RATE}",  # faster, higher
    "tempo0.9": "atempo=0.9",  # slower, same pitch
    "tempo1.1": "atempo=1.1",
}


def ffmpeg_filter(chain: str) -> Callable[[np.ndarray], np.ndarray]:
    """Samples through `ffmpeg -af chain` (polmon's [transcription] audio_filter)."""
    return lambda audio: filter_audio(audio, chain)


class Decodes:
    """Each member decode's hits per clip, kept so that fusion rows over the same members reuse
    them; a reused decode's CPU and wall seconds (measured when it ran) are charged again."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, Path], tuple[Found, str, float, float]] = {}
        self.charged_cpu = 0.0
        self.charged_wall = 0.0

    def take(self) -> tuple[float, float]:
        """CPU and wall seconds charged for reused decodes since the last take."""
        charged = self.charged_cpu, self.charged_wall
        self.charged_cpu = self.charged_wall = 0.0
        return charged

    def get(self, key: str, path: Path, spot: Spotter) -> tuple[Found, str]:
        if (key, path) in self.kept:
            found, heard, cpu, wall = self.kept[(key, path)]
            self.charged_cpu += cpu
            self.charged_wall += wall
            return found, heard
        ctranslate2.set_random_seed(SEED)  # as a row of its own would decode it
        started, cpu_started = time.perf_counter(), cpu_seconds()
        found, heard = spot(path)
        self.kept[(key, path)] = (
            found,
            heard,
            cpu_seconds() - cpu_started,
            time.perf_counter() - started,
        )
        return found, heard


DECODES = Decodes()


def cpu_seconds() -> float:
    """This process's CPU seconds plus its finished children's (ffmpeg), all threads."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def fronted(config: PolmonConfig, key: str, identity: str | None = None) -> Spotter:
    """polmon with its decoded samples passed through the front end `key` ("raw": none); with
    `identity` (the configuration's overrides) its decodes are kept in DECODES for fused rows."""
    transcriber = Transcriber(config)
    terms = prompt_terms(config)
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))
    front = None if key == "raw" else ffmpeg_filter(FRONT_ENDS[key])

    def spot(path: Path) -> tuple[Found, str]:
        found, heard, _result = polmon_hits(transcriber, terms, matcher, path, front)
        return found, heard

    if identity is None:
        return spot
    return lambda path: DECODES.get(f"{key}@{identity}", path, spot)


def fuse(rule: str, decodes: list[Found]) -> Found:
    """One clip's hits from several decodes' (the first is the reference decode):
    union: any decode's; vote2: held by 2+ decodes; first+vote2: the first's, and any held by
    2+; exact+vote2: exact in any, or held by 2+. A fused hit is exact if exact in any."""
    votes: dict[str, int] = {}
    exact: set[str] = set()
    for found in decodes:
        for term, approximate in found.items():
            votes[term] = votes.get(term, 0) + 1
            if not approximate:
                exact.add(term)
    first = decodes[0]
    keep = {
        "union": lambda t: True,
        "vote2": lambda t: votes[t] >= 2,
        "first+vote2": lambda t: t in first or votes[t] >= 2,
        "exact+vote2": lambda t: t in exact or votes[t] >= 2,
    }[rule]
    return {t: t not in exact for t in votes if keep(t)}


def fused(config: PolmonConfig, spec: str, identity: str) -> Spotter:
    """`spec` = RULE:KEY/KEY[/KEY], e.g. "vote2:raw/dn12/speed0.9": each member decoded by
    `fronted` (kept in DECODES under `identity`, the configuration's overrides), hits fused."""
    rule, _colon, keys = spec.partition(":")
    members = [fronted(config, key, identity) for key in keys.split("/")]

    def spot(path: Path) -> tuple[Found, str]:
        results = [member(path) for member in members]
        heard = " || ".join(h for _found, h in results)
        return fuse(rule, [found for found, _heard in results]), heard

    return spot
