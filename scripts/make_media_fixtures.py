"""Generate the tiny media clips the download tests serve (tone + colour video, audio, voice).

Run: python scripts/make_media_fixtures.py [OUT_DIR]  (default tests/fixtures/media).
Uses the ffmpeg binary shipped by imageio-ffmpeg; output is bit-exact for one ffmpeg build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "media"
EXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]
EXACT_AUDIO = ["-flags:a", "+bitexact"]


def _video(colour: str, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"color=c={colour}:s=96x64:r=10:d={seconds}"]


def _tone(hertz: int, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={hertz}:sample_rate=16000:duration={seconds}"]


H264 = ["-c:v", "libx264", "-preset", "veryslow", "-crf", "40", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "24k", "-ac", "1"]

CLIPS: dict[str, list[str]] = {
    # A short "speech" video: colour frames and a tone track, muxed MP4 (like TikTok's).
    "clip_a.mp4": [
        *_video("0x3355aa", 3),
        *_tone(440, 3),
        *H264,
        *AAC,
        "-shortest",
        "-movflags",
        "+faststart",
    ],
    # Different content (colour, pitch, length): another video.
    "clip_b.mp4": [
        *_video("0xaa5533", 2),
        *_tone(660, 2),
        *H264,
        *AAC,
        "-shortest",
        "-movflags",
        "+faststart",
    ],
    # Audio only (a YouTube-style m4a).
    "tone.m4a": [*_tone(550, 2), *AAC, "-vn"],
    # A Telegram-style voice note: Opus in Ogg.
    "voice.ogg": [*_tone(330, 2), "-c:a", "libopus", "-b:a", "16k", "-ac", "1"],
    # A video without any sound: nothing to transcribe.
    "silent.mp4": [*_video("0x22aa22", 1), *H264, "-an"],
}


def make(out_dir: Path = OUT) -> list[Path]:
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, args in CLIPS.items():
        target = out_dir / name
        audio_flags = EXACT_AUDIO if "-an" not in args else []
        command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args]
        command += [*EXACT, *audio_flags, str(target)]
        subprocess.run(command, check=True)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(f"{path}  {path.stat().st_size} bytes")
