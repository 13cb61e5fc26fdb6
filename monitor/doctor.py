"""What this installation runs on: versions of the parts that change under us, ffmpeg and
Tesseract."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# The parts whose releases change what polmon sees; yt-dlp first, it is the one users update.
PACKAGES = (
    "yt-dlp",
    "telethon",
    "faster-whisper",
    "ctranslate2",
    "openai-whisper",
    "torch",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "imageio-ffmpeg",
    "pytesseract",
    "fsspec",  # the media root as a URL (monitor/media_store.py)
    "s3fs",  # … on S3 (the s3 extra)
)
RUN_LOCK = Path(__file__).resolve().parent.parent / "requirements" / "run.lock"
YTDLP_UPGRADE = "make upgrade-ytdlp (or .venv/bin/pip install -U yt-dlp)"


@dataclass(frozen=True)
class Component:
    """One installed part: its version, the locked one where known, and a note."""

    name: str
    version: str | None
    locked: str | None = None
    note: str = ""


def locked_versions(lock: Path = RUN_LOCK) -> dict[str, str]:
    """`name -> version` pinned in a requirements lock (empty outside a source checkout)."""
    try:
        text = lock.read_text(encoding="utf-8")
    except OSError:
        return {}
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def ffmpeg() -> Component:
    """The ffmpeg polmon runs: the system's when on PATH, else the one imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    origin = "system"
    if found is None:
        try:
            import imageio_ffmpeg

            found, origin = imageio_ffmpeg.get_ffmpeg_exe(), "imageio-ffmpeg"
        except (ImportError, RuntimeError):
            return Component("ffmpeg", None, note="missing: apt-get install ffmpeg")
    try:
        result = subprocess.run(
            [found, "-version"], capture_output=True, text=True, timeout=20, check=False
        )
        words = result.stdout.split()
        version = words[2] if result.returncode == 0 and len(words) > 2 else None
    except OSError:
        version = None
    return Component("ffmpeg", version, note=f"{origin}: {found}")


def tesseract() -> Component:
    """The Tesseract OCR reads photos with, and the languages it has."""
    try:
        import pytesseract

        version = str(pytesseract.get_tesseract_version())
        languages = sorted(pytesseract.get_languages(config=""))
    except ImportError:
        return Component("tesseract", None, note="pytesseract not installed")
    except (OSError, RuntimeError):  # TesseractNotFoundError is an OSError
        return Component("tesseract", None, note="missing: apt-get install tesseract-ocr")
    return Component("tesseract", version, note=f"languages: {', '.join(languages) or 'none'}")


def components() -> list[Component]:
    """Every part in PACKAGES (installed or not), ffmpeg and Tesseract, with locked versions."""
    locked = locked_versions()
    parts = []
    for name in PACKAGES:
        version = _installed(name)
        pin = locked.get(name)
        note = ""
        if name == "yt-dlp":
            note = f"update alone: {YTDLP_UPGRADE}"
        elif version is None:
            note = "not installed"
        parts.append(Component(name, version, pin, note))
    parts.append(ffmpeg())
    parts.append(tesseract())
    return parts
