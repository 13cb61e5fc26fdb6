"""Make the committed speech clips under tests/fixtures/speech with espeak-ng and ffmpeg."""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "speech"
RATE = 16_000
# Bit-exact output: no encoder version or creation time in the files, so re-running changes nothing.
BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]


@dataclass(frozen=True)
class Clip:
    """One fixture: spoken text (or none), the voice and speed, and what surrounds it."""

    name: str
    text: str | None
    voice: str = "en-us"
    words_per_minute: int = 150
    lead_in: str | None = None  # an ffmpeg lavfi source played before the speech
    seconds: float | None = None  # length of lead_in, or of the whole clip without text


CLIPS = (
    Clip("plain.wav", "The minister spoke about the new budget for schools and hospitals."),
    # Stock tiny.en hears "not to tell a dream and take talk" here; with the keyword terms as
    # hotwords it writes "Telegram and TikTok" (checked at int8 and float32, 1 and 2 threads).
    Clip("hotwords.wav", "He said that Telegram and TikTok spread rumours."),
    Clip(
        "noise_then_speech.m4a",
        "Voting starts at seven in the morning.",
        lead_in="anoisesrc=c=pink:a=0.02:seed=7:r=16000",
        seconds=3.0,
    ),
    Clip("silence.m4a", None, lead_in="anullsrc=r=16000:cl=mono", seconds=6.0),
)


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def speak(clip: Clip, wav: Path) -> None:
    assert clip.text is not None
    run("espeak-ng", "-v", clip.voice, "-s", str(clip.words_per_minute), "-w", str(wav), clip.text)


def encode(inputs: list[str], filter_graph: str | None, out: Path) -> None:
    """Mix/convert `inputs` to 16 kHz mono: WAV (PCM) or M4A (AAC, 32 kb/s)."""
    codec = ["-c:a", "pcm_s16le"] if out.suffix == ".wav" else ["-c:a", "aac", "-b:a", "32k"]
    graph = ["-filter_complex", filter_graph] if filter_graph else []
    run("ffmpeg", "-y", "-loglevel", "error", *inputs, *graph, "-ar", str(RATE), "-ac", "1",
        *codec, *BITEXACT, str(out))  # fmt: skip


def make_clip(clip: Clip, out_dir: Path, work: Path) -> Path:
    out = out_dir / clip.name
    if clip.text is None:
        encode(["-f", "lavfi", "-t", str(clip.seconds), "-i", str(clip.lead_in)], None, out)
        return out
    speech = work / f"{Path(clip.name).stem}.speech.wav"
    speak(clip, speech)
    if clip.lead_in is None:
        encode(["-i", str(speech)], None, out)
        return out
    lead = ["-f", "lavfi", "-t", str(clip.seconds), "-i", clip.lead_in]
    graph = "[0:a]aresample=16000[a];[1:a]aresample=16000[b];[a][b]concat=n=2:v=0:a=1"
    encode([*lead, "-i", str(speech)], graph, out)
    return out


def make_corrupt(out_dir: Path) -> Path:
    """An .mp4 that is not media: an MP4-like box header followed by seeded random bytes."""
    rng = random.Random(5)
    body = b"\x00\x00\x00\x18ftypisom" + bytes(rng.randrange(256) for _ in range(4000))
    out = out_dir / "corrupt.mp4"
    out.write_bytes(body)
    return out


def parse_out(argv: list[str] | None, description: str | None, default: Path) -> Path | None:
    """The --out folder; None (after saying so) when espeak-ng or ffmpeg is missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=default, help="output folder")
    out: Path = parser.parse_args(argv).out
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        print(f"missing: {', '.join(missing)} (apt-get install espeak-ng ffmpeg)", file=sys.stderr)
        return None
    return out


def main(argv: list[str] | None = None) -> int:
    out = parse_out(argv, __doc__, OUT_DIR)
    if out is None:
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        made = [make_clip(clip, out, Path(tmp)) for clip in CLIPS]
    made.append(make_corrupt(out))
    for path in made:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        print(f"{path.name:24} {path.stat().st_size:>7} bytes  sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
