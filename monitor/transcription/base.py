"""The one interface every Whisper backend implements."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from monitor.transcription.audio import SAMPLE_RATE, speech_regions
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import DecodeSettings

ShouldStop = Callable[[], bool]
DETECT_SECONDS = 30.0  # Whisper detects the language on one 30 s window
# Hotwords past this many tokens are left out: faster-whisper cuts the prompt at 223, mid-term.
HOTWORD_TOKENS = 200
HOTWORD_SEPARATOR = ", "  # see hotword_text


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


def latin_script(term: str) -> bool:
    """Whether every letter of `term` is Latin (what an English-only model can write)."""
    return all(unicodedata.name(c, "").startswith("LATIN") for c in term if c.isalpha())


def writable_terms(
    terms: Sequence[str],
    *,
    multilingual: bool,
    count_tokens: Callable[[str], int] | None = None,
    max_tokens: int = HOTWORD_TOKENS,
) -> list[str]:
    """The terms a model can use as hotwords: only Latin-script ones for an English-only model
    (Khmer would only waste the prompt), in order, whole terms up to `max_tokens` in all."""
    kept: list[str] = []
    used = 0
    for term in terms:
        if not multilingual and not latin_script(term):
            continue
        cost = count_tokens(HOTWORD_SEPARATOR + term) if count_tokens else len(term.split()) * 2
        if used + cost > max_tokens:
            continue
        kept.append(term)
        used += cost
    return kept


def hotword_text(terms: Sequence[str]) -> str | None:
    """Terms as one prompt string ("Telegram, TikTok, …"), or None when there are none.

    Commas: on the keyword-spotting set's development half tiny.en found 67 % of the terms said
    with the comma list and 52 % with spaces, at the same precision (docs/benchmarks.md,
    Keyword spotting); an earlier trial on four clips saw spaces mishear fewer other words.
    """
    return HOTWORD_SEPARATOR.join(terms) or None
