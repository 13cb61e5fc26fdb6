"""Downloaded media files: safe names, ffmpeg probing, sha256, audio extraction."""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from collectors.video.ytdlp import ffmpeg_location

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #\d+:\d+.*?:\s*(Video|Audio):\s*([\w-]+)(.*)$", re.M)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Audio codec -> the container it is copied into (no re-encoding).
AUDIO_CONTAINERS = {
    "aac": "m4a",
    "alac": "m4a",
    "mp3": "mp3",
    "opus": "opus",
    "vorbis": "ogg",
    "flac": "flac",
}
MIME_TYPES = {
    "mp4": "video/mp4",
    "m4a": "audio/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "mka": "audio/x-matroska",
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "flac": "audio/flac",
    "mov": "video/quicktime",
    "wav": "audio/wav",
    # photos (monitor/download/photo.py names them by the format Pillow recognises)
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
}


@dataclass(frozen=True)
class MediaProbe:
    """What ffmpeg sees in a file: its length and whether it has picture and sound."""

    duration_seconds: float | None
    has_video: bool
    has_audio: bool
    audio_codec: str | None


def safe_part(value: str, *, limit: int = 80) -> str:
    """A file-name part of letters, digits, `_` and `-` only (never `/`, `..` or spaces)."""
    cleaned = _UNSAFE.sub("_", value).strip("_")[:limit]
    return cleaned or "x"


def media_stem(platform: str, post_platform_id: str, media_id: int) -> str:
    """`<platform>/<post id>_<media id>`: the name of a media file, made of ids only."""
    return f"{safe_part(platform, limit=20)}/{safe_part(post_platform_id)}_{int(media_id)}"


def parse_ffmpeg_probe(text: str) -> MediaProbe:
    """Duration and streams from `ffmpeg -i FILE`'s report (ffprobe is not always there)."""
    duration = None
    if match := _DURATION.search(text):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    has_video = has_audio = False
    audio_codec = None
    for kind, codec, rest in _STREAM.findall(text):
        if kind == "Video" and "attached pic" not in rest:
            has_video = True
        elif kind == "Audio":
            has_audio = True
            audio_codec = audio_codec or codec.lower()
    return MediaProbe(duration, has_video, has_audio, audio_codec)


def probe(path: Path) -> MediaProbe:
    result = subprocess.run(
        [ffmpeg_location(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        timeout=120,
    )
    return parse_ffmpeg_probe(result.stderr)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def mime_type(path: Path) -> str | None:
    return MIME_TYPES.get(path.suffix.lower().lstrip("."))


def extract_audio(path: Path, media: MediaProbe) -> Path | None:
    """Copy the first audio track out of a video (no re-encoding), if that makes it smaller.

    Returns the audio file (the video is then removed), or None when the file has no
    picture to drop, no sound, or the audio file would not be smaller.
    """
    if not (media.has_video and media.has_audio):
        return None
    container = AUDIO_CONTAINERS.get(media.audio_codec or "", "mka")
    target = path.with_suffix(f".{container}")
    if target == path:
        return None
    command = [ffmpeg_location(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    command += ["-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "copy"]
    command += ["-map_metadata", "-1", "-fflags", "+bitexact", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0 or not target.exists():
        target.unlink(missing_ok=True)
        return None
    if target.stat().st_size >= path.stat().st_size:
        target.unlink()
        return None
    path.unlink()
    return target


def remove_leftovers(directory: Path, stem_name: str) -> None:
    """Delete the files an interrupted attempt left (`<stem>.part`, `<stem>.f137.mp4`…)."""
    if directory.is_dir():
        for leftover in directory.glob(f"{stem_name}.*"):
            leftover.unlink(missing_ok=True)


# What yt-dlp writes while a download runs; a killed downloader leaves them behind.
PARTIAL_SUFFIXES = (".part", ".ytdl", ".temp")


def remove_abandoned_parts(media_dir: Path, older_than_seconds: float) -> int:
    """Delete partial download files untouched for `older_than_seconds`; returns how many.

    A running download writes its .part file continuously (and renews its lease), so one this
    old belongs to a downloader that died.
    """
    if not media_dir.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for platform_dir in media_dir.iterdir():
        if not platform_dir.is_dir() or platform_dir.is_symlink():
            continue
        for leftover in platform_dir.iterdir():
            if leftover.name.endswith(PARTIAL_SUFFIXES) and leftover.lstat().st_mtime < cutoff:
                leftover.unlink(missing_ok=True)
                removed += 1
    return removed
