"""The one interface every Whisper backend implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from monitor.transcription.audio import SAMPLE_RATE, speech_regions
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import DecodeSettings

ShouldStop = Callable[[], bool]
DETECT_SECONDS = 30.0  # Whisper detects the language on one 30 s window


class Backend(Protocol):
    """A loaded model: decode a file, detect its language, transcribe it."""

    name: str
    model: str  # the model name or path it was loaded from
    device: str
    compute_type: str

    def load_audio(self, path: Path) -> np.ndarray:
        """16 kHz mono float32 samples; CorruptMediaError when the file is not media."""
        ...

    def detect_language(self, audio: np.ndarray, *, vad: bool) -> tuple[str | None, float | None]:
        """The language code and its probability (None, None when there is no speech)."""
        ...

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None,
        prompt_terms: Sequence[str],
        settings: DecodeSettings,
        should_stop: ShouldStop | None = None,
    ) -> TranscriptResult:
        """Timed, flagged segments; raises Interrupted when should_stop() turns true."""
        ...


def detection_window(audio: np.ndarray, *, vad: bool) -> np.ndarray | None:
    """Up to 30 s of the audio to detect the language on: speech only when `vad` (None: none)."""
    if vad:
        regions = speech_regions(audio)
        if not regions:
            return None
        pieces = [audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in regions]
        audio = np.concatenate(pieces)
    return audio[: int(DETECT_SECONDS * SAMPLE_RATE)]


def hotword_text(terms: Sequence[str]) -> str | None:
    """Terms as one prompt string ("Telegram TikTok …"), or None when there are none.

    Spaces, not commas: on our espeak-ng clips the comma list made tiny.en mishear more of the
    surrounding words for the same keyword recall (see docs/benchmarks.md, Transcription).
    """
    return " ".join(terms) or None
