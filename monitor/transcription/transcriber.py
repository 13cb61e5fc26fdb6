"""One file to a TranscriptResult: decode once, detect the language, route it to a model."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from monitor.config import PolmonConfig
from monitor.transcription.audio import filter_audio
from monitor.transcription.base import Backend, ShouldStop
from monitor.transcription.models import load_backend
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import DecodeSettings, ModelSpec, model_spec


@dataclass(frozen=True)
class Prepared:
    """A decoded file and the language it is to be transcribed in (None: the model's guess)."""

    audio: np.ndarray
    language: str | None
    probability: float | None
    measured: bool  # detected (now, or by an earlier worker), not given as a hint
    started: float  # time.perf_counter() when preparing began


class Transcriber:
    """The configured backend and model, plus [transcription.language_models] routes.

    Without a language hint and with routes configured, the default model detects the language
    on the first 30 s of speech; a routed language is then transcribed by its own model (e.g.
    Khmer by a fine-tuned CTranslate2 model), anything else by the default model. `prepare`
    (decode, detect) and `decode` are apart so that a worker can hand back a file whose
    language needs what it lacks (monitor.capabilities) before the costly decode.
    """

    def __init__(self, config: PolmonConfig) -> None:
        t = config.transcription
        self.settings = DecodeSettings.from_config(config)
        self.default_spec = model_spec(config)
        self.routes: dict[str, ModelSpec] = {
            language: model_spec(config, model) for language, model in t.language_models.items()
        }
        self.language_hint = t.language or None
        self.audio_filter = t.audio_filter

    def default_backend(self) -> Backend:
        return load_backend(self.default_spec)

    def prepare(
        self,
        audio_path: Path,
        language_hint: str | None = None,
        *,
        detected: tuple[str, float | None] | None = None,
        detect: bool = False,
    ) -> Prepared:
        """Decode the file and settle its language: the hint, else `detected` (measured
        earlier, by a worker that handed the row back), else detected now on the first 30 s
        when routes are configured, the backend needs it, or `detect` (a worker that must
        know whether it can take the language)."""
        started = time.perf_counter()
        default = self.default_backend()
        audio = default.load_audio(Path(audio_path))
        if self.audio_filter:  # [transcription] audio_filter: before detection and decoding
            audio = filter_audio(audio, self.audio_filter)
        language = language_hint or self.language_hint
        if language is not None:
            return Prepared(audio, language, None, measured=False, started=started)
        if detected is not None:
            return Prepared(audio, detected[0], detected[1], measured=True, started=started)
        if detect or self.routes or default.name == "openai-whisper":
            language, probability = default.detect_language(audio, vad=self.settings.vad_filter)
            return Prepared(audio, language, probability, measured=True, started=started)
        return Prepared(audio, None, None, measured=False, started=started)

    def decode(
        self,
        prepared: Prepared,
        prompt_terms: Sequence[str] = (),
        *,
        should_stop: ShouldStop | None = None,
    ) -> TranscriptResult:
        """Transcribe a prepared file with its language's routed model, else the default."""
        language = prepared.language
        backend = (
            load_backend(self.routes[language])
            if language in self.routes
            else self.default_backend()
        )
        result = backend.transcribe(
            prepared.audio,
            language=language,
            prompt_terms=tuple(prompt_terms),
            settings=self.settings,
            should_stop=should_stop,
        )
        if prepared.measured:
            result = replace(result, language=language, language_probability=prepared.probability)
        elif language is not None:  # a hint: nothing was measured
            result = replace(result, language_probability=None)
        return replace(result, processing_seconds=time.perf_counter() - prepared.started)

    def transcribe(
        self,
        audio_path: Path,
        language_hint: str | None = None,
        prompt_terms: Sequence[str] = (),
        *,
        should_stop: ShouldStop | None = None,
    ) -> TranscriptResult:
        prepared = self.prepare(audio_path, language_hint)
        return self.decode(prepared, prompt_terms, should_stop=should_stop)


def transcribe(
    audio_path: Path,
    language_hint: str | None = None,
    prompt_terms: Sequence[str] = (),
    *,
    config: PolmonConfig,
) -> TranscriptResult:
    """Transcribe one file with the configured backend (models stay loaded for the next call)."""
    return Transcriber(config).transcribe(audio_path, language_hint, prompt_terms)
