"""Make the keyword-spotting evaluation set under bench/data/kws: espeak-ng speech in noise."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import KeywordGroupConfig  # noqa: E402
from monitor.keywords.matcher import KeywordMatcher  # noqa: E402
from scripts.kws_sentences import BABBLE, NOT_SAID, NOT_SAID2, NOT_SAID3, SAID, SAID2, SAID3  # noqa: E402
from scripts.make_speech_fixtures import BITEXACT, parse_out  # noqa: E402

OUT_DIR = REPO / "bench" / "data" / "kws"
RATE = 16_000
SEED = 16
SEED2 = 1602  # the second held-out set's draws (heldout2, written after three rounds of tuning)
SEED3 = 1603  # the third (heldout3, written in the sixth round before anything ran on it)
VOICES = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc", "en+f3", "en+m3")
SPEEDS = (135, 150, 165, 180)
NOISES = ("pink", "street", "babble", "music", "brown")
SNRS_DB = (30, 20, 15, 10)


@dataclass(frozen=True)
class Clip:
    """One clip of the set and its truth."""

    name: str
    text: str
    terms: list[str]  # "group/term" of every watched term said
    voice: str
    speed: int
    noise: str
    snr_db: int
    split: str


def load_groups(path: Path) -> dict[str, KeywordGroupConfig]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: KeywordGroupConfig.model_validate(g) for name, g in data["keywords"].items()}


def run(*argv: str) -> bytes:
    return subprocess.run(argv, check=True, capture_output=True).stdout


def pcm(inputs: list[str], seconds: float | None = None) -> np.ndarray:
    """ffmpeg inputs decoded to 16 kHz mono float32 (cut to `seconds`)."""
    cut = ["-t", f"{seconds:.3f}"] if seconds is not None else []
    raw = run("ffmpeg", "-loglevel", "error", *inputs, *cut, "-ar", str(RATE), "-ac", "1",
              "-f", "s16le", "-")  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def speak(text: str, voice: str, speed: int, work: Path) -> np.ndarray:
    wav = work / "speech.wav"
    run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text)
    return pcm(["-i", str(wav)])


def noise(kind: str, seconds: float, seed: int, work: Path) -> np.ndarray:
    """`seconds` of one kind of noise, synthesised by ffmpeg (and espeak-ng for babble)."""
    lavfi = ["-f", "lavfi", "-i"]
    if kind in ("pink", "brown"):
        return pcm([*lavfi, f"anoisesrc=c={kind}:a=0.3:seed={seed}:r={RATE}"], seconds)
    if kind == "street":  # traffic rumble and a horn now and then
        rumble = pcm([*lavfi, f"anoisesrc=c=brown:a=0.5:seed={seed}:r={RATE}"], seconds)
        t = np.arange(len(rumble)) / RATE
        horn = 0.15 * np.sin(2 * np.pi * 440 * t) * ((t % 3.0) < 0.4)
        return rumble + horn.astype(np.float32)
    if kind == "music":  # a tone chord changing every second, with a beat
        expr = (
            "0.2*sin(2*PI*t*(220+55*mod(floor(t),4)))+0.15*sin(2*PI*t*277)"
            "+0.15*sin(2*PI*t*330)+0.2*sin(2*PI*t*55)*lt(mod(t,0.5),0.1)"
        )
        return pcm([*lavfi, f"aevalsrc={expr.replace(',', chr(92) + ',')}:s={RATE}"], seconds)
    if kind == "babble":
        voices = [speak(text, VOICES[(seed + i) % 4], 160, work)[::-1] for i, text in
                  enumerate(BABBLE)]  # fmt: skip
        mixed = np.zeros(int(seconds * RATE), dtype=np.float32)
        for i, voice in enumerate(voices):
            tiled = np.resize(np.roll(voice, 4000 * i), mixed.shape)
            mixed += tiled
        return mixed
    raise ValueError(kind)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1e-9


def mix(speech: np.ndarray, kind: str, snr_db: int, seed: int, work: Path) -> np.ndarray:
    """Speech with 0.6 s of noise before and after it, the noise at `snr_db` below the speech."""
    pad = int(0.6 * RATE)
    voiced = np.concatenate([np.zeros(pad, np.float32), speech, np.zeros(pad, np.float32)])
    bed = noise(kind, len(voiced) / RATE + 0.1, seed, work)[: len(voiced)]
    bed = np.pad(bed, (0, len(voiced) - len(bed)))
    gain = rms(speech) / (rms(bed) * 10 ** (snr_db / 20))
    out = voiced + gain * bed
    return out * (0.7 / max(float(np.max(np.abs(out))), 1e-9))


def encode(samples: np.ndarray, out: Path) -> None:
    """16 kHz mono Opus at 20 kb/s, bit-exact (no encoder version or time in the file)."""
    raw = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1",
         "-i", "-", "-c:a", "libopus", "-b:a", "20k", *BITEXACT, str(out)],
        input=raw, check=True, capture_output=True,
    )  # fmt: skip


def plan(groups: dict[str, KeywordGroupConfig]) -> list[Clip]:
    """Every sentence with its conditions and split, drawn from one seeded generator per set."""
    rng = random.Random(SEED)
    matcher = KeywordMatcher.for_source(groups, "transcripts")
    splits: dict[str, str] = {}
    for pool in (SAID, NOT_SAID):  # half of each pool held out
        order = list(pool)
        rng.shuffle(order)
        for i, text in enumerate(order):
            splits[text] = "dev" if i % 2 == 0 else "heldout"
    first = clips_of([*SAID, *NOT_SAID], SAID, splits, rng, matcher, 0)
    rng2 = random.Random(SEED2)  # heldout2: its own draws, so the first set's stay as they were
    second = [*SAID2, *NOT_SAID2]
    if set(second) & set(splits):
        raise SystemExit("a heldout2 sentence is in the first set")
    clips = first + clips_of(second, SAID2, dict.fromkeys(second, "heldout2"), rng2, matcher,
                             len(first))  # fmt: skip
    third = [*SAID3, *NOT_SAID3]  # heldout3: its own draws too
    if set(third) & (set(splits) | set(second)):
        raise SystemExit("a heldout3 sentence is in an earlier set")
    return clips + clips_of(third, SAID3, dict.fromkeys(third, "heldout3"), random.Random(SEED3),
                            matcher, len(clips))  # fmt: skip


def clips_of(
    sentences: list[str],
    said: tuple[str, ...],
    splits: dict[str, str],
    rng: random.Random,
    matcher: KeywordMatcher,
    first: int,
) -> list[Clip]:
    """The clips of one set, numbered from `first`, conditions drawn from `rng` and cycled."""
    clips = []
    for i, text in enumerate(sentences):
        terms = sorted({f"{m.group}/{m.term}" for m in matcher.match(text)})
        if (text in said) != bool(terms):
            raise SystemExit(f"truth and pool disagree for {text!r}: {terms}")
        clips.append(
            Clip(
                name=f"kws{first + i:03d}.ogg",
                text=text,
                terms=terms,
                voice=rng.choice(VOICES),
                speed=rng.choice(SPEEDS),
                noise=NOISES[i % len(NOISES)],
                snr_db=SNRS_DB[(i // len(NOISES)) % len(SNRS_DB)],
                split=splits[text],
            )
        )
    return clips


def noise_seed(index: int, first_set: int, second_set: int) -> int:
    """The noise bed's seed: SEED + index in the first set, SEED2 + index in heldout2, SEED3 +
    index in heldout3."""
    if index < first_set:
        return SEED + index
    if index < first_set + second_set:
        return SEED2 + index - first_set
    return SEED3 + index - first_set - second_set


def main(argv: list[str] | None = None) -> int:
    out = parse_out(argv, __doc__, OUT_DIR)
    if out is None:
        return 1
    clips = plan(load_groups(OUT_DIR / "keywords.toml"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first_set, second_set = len(SAID) + len(NOT_SAID), len(SAID2) + len(NOT_SAID2)
        for i, clip in enumerate(clips):
            speech = speak(clip.text, clip.voice, clip.speed, work)
            seed = noise_seed(i, first_set, second_set)
            encode(mix(speech, clip.noise, clip.snr_db, seed, work), out / clip.name)
    truth = {
        "seed": SEED,
        "seed2": SEED2,
        "seed3": SEED3,
        "rate": RATE,
        "clips": [asdict(c) for c in clips],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
    size = sum((out / c.name).stat().st_size for c in clips)
    said = sum(len(c.terms) for c in clips)
    print(f"{len(clips)} clips, {said} terms said, {size / 1e6:.2f} MB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
