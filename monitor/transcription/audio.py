"""Decoding media to 16 kHz mono samples, the ffmpeg CLI (openai-whisper, audio filters), speech
regions."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

from monitor.transcription.errors import CorruptMediaError, ModelLoadError

SAMPLE_RATE = 16_000
_ffmpeg_lock = threading.Lock()


def check_media_file(path: Path) -> None:
    """A readable media file with a sound track, or CorruptMediaError saying what is wrong.

    Decided by PyAV's error classes and the streams it finds, never by a decoder's wording
    (which differs between the system's ffmpeg and the one imageio-ffmpeg ships).
    """
    import av

    if not path.is_file():
        raise CorruptMediaError(f"media file missing: {path} (download it again)")
    if path.stat().st_size == 0:
        raise CorruptMediaError(f"corrupt media {path}: the file is empty")
    try:
        with av.open(str(path)) as container:
            has_audio = bool(container.streams.audio)
    except av.error.FFmpegError as exc:  # also an OSError/ValueError subclass
        raise _unreadable(path, exc) from None
    if not has_audio:
        raise CorruptMediaError(f"corrupt media {path}: no audio track")


def _unreadable(path: Path, exc: BaseException) -> CorruptMediaError:
    detail = getattr(exc, "strerror", None) or str(exc)
    return CorruptMediaError(
        f"corrupt media {path}: the decoder cannot read it ({type(exc).__name__}: {detail})"
    )


def decode_with_pyav(path: Path) -> np.ndarray:
    """Samples of the first audio track, via PyAV (what faster-whisper itself uses)."""
    import av
    from faster_whisper.audio import decode_audio

    check_media_file(path)
    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except av.error.FFmpegError as exc:
        raise _unreadable(path, exc) from None
    return _non_empty(np.asarray(audio, dtype=np.float32), path)


def decode_with_ffmpeg_cli(path: Path) -> np.ndarray:
    """Samples via the ffmpeg command (what openai-whisper uses); the file is checked first."""
    import whisper

    check_media_file(path)
    ensure_ffmpeg_cli()
    try:
        audio = whisper.load_audio(str(path), sr=SAMPLE_RATE)
    except RuntimeError as exc:  # ffmpeg exited non-zero; its last line is detail only
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = f" ({lines[-1]})" if lines else ""
        message = f"corrupt media {path}: ffmpeg could not decode it{detail}"
        raise CorruptMediaError(message) from None
    return _non_empty(np.asarray(audio, dtype=np.float32), path)


def _non_empty(audio: np.ndarray, path: Path) -> np.ndarray:
    if audio.size == 0:
        raise CorruptMediaError(f"corrupt media {path}: no audio samples decoded")
    return audio


def ensure_ffmpeg_cli() -> str:
    """The ffmpeg executable openai-whisper will run: the system one, else imageio-ffmpeg's.

    imageio-ffmpeg's binary has a versioned name, so a symlink named `ffmpeg` in a private
    temporary folder is put first on PATH for this process.
    """
    with _ffmpeg_lock:
        found = shutil.which("ffmpeg")
        if found:
            return found
        try:
            import imageio_ffmpeg

            binary = imageio_ffmpeg.get_ffmpeg_exe()
        except (ImportError, RuntimeError) as exc:
            raise ModelLoadError(
                "openai-whisper needs the ffmpeg command: install it (apt-get install ffmpeg) "
                f"or the imageio-ffmpeg package ({exc})"
            ) from None
        folder = Path(tempfile.mkdtemp(prefix="polmon-ffmpeg-"))
        (folder / "ffmpeg").symlink_to(binary)
        os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
        return str(folder / "ffmpeg")


def filter_audio(audio: np.ndarray, chain: str) -> np.ndarray:
    """Samples through `ffmpeg -af chain` ([transcription] audio_filter, e.g. "dynaudnorm=f=150:
    g=15"), over pipes: float32 in and out, 16 kHz mono. A chain ffmpeg rejects, or one that
    leaves no samples, is a ModelLoadError (a configuration error, not the file's)."""
    raw = ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1"]
    command = [ensure_ffmpeg_cli(), "-nostdin", "-hide_banner", "-loglevel", "error", *raw]
    command += ["-i", "pipe:0", "-af", chain, *raw, "pipe:1"]
    data = np.ascontiguousarray(audio, dtype=np.float32).tobytes()
    done = subprocess.run(command, input=data, capture_output=True, check=False)
    out = np.frombuffer(done.stdout, dtype=np.float32).copy()
    if done.returncode != 0 or out.size == 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no samples"]
        raise ModelLoadError(f"[transcription] audio_filter {chain!r} failed: {detail[0]}")
    return out


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where the Silero VAD (shipped with faster-whisper) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions())
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]
