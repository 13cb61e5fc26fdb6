"""Make the demo's spoken video clips (monitor/demo/media) with espeak-ng and ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "monitor" / "demo" / "media"
BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]

# What the demo's videos say: a few watched keywords, spoken slowly enough for tiny.en.
CLIPS = {
    "speech1.mp4": "Today I warn the traitors. We will arrest anyone who joins the opposition.",
    "speech2.mp4": "Follow me on Telegram and TikTok, not on Facebook.",
    "speech3.mp4": "The police will arrest the traitors who attack our country.",
}


def make(name: str, text: str, folder: Path) -> None:
    wav = folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), text], check=True)
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", "color=c=0x1f3b5a:s=160x120:r=5",
            "-i", str(wav),
            "-shortest", "-c:v", "libx264", "-preset", "veryslow", "-crf", "40",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k", "-ar", "16000", "-ac", "1",
            *BITEXACT, "-movflags", "+faststart", str(OUT_DIR / name),
        ],
        check=True,
    )  # fmt: skip


def main() -> None:
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"install the Debian packages first: apt-get install -y {' '.join(missing)}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in CLIPS.items():
            make(name, text, Path(folder))
            print(f"{OUT_DIR / name}: {(OUT_DIR / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
