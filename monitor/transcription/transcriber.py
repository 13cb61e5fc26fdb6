"""One file to a TranscriptResult: decode once, detect the language, route it to a model."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from monitor.config import PolmonConfig
from monitor.transcription.base import Backend, ShouldStop
from monitor.transcription.models import load_backend
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import DecodeSettings, ModelSpec, model_spec


class Transcriber:
    """The configured backend and model, plus [transcription.language_models] routes.

    Without a language hint and with routes configured, the default model detects the language
    on the first 30 s of speech; a routed language is then transcribed by its own model (e.g.
    Khmer by a fine-tuned CTranslate2 model), anything else by the default model.
    """

    def __init__(self, config: PolmonConfig) -> None:
        t = config.transcription
        self.settings = DecodeSettings.from_config(config)
        self.default_spec = model_spec(config)
        self.routes: dict[str, ModelSpec] = {
            language: model_spec(config, model) for language, model in t.language_models.items()
        }
        self.language_hint = t.language or None

    def default_backend(self) -> Backend:
        return load_backend(self.default_spec)

    def transcribe(
        self,
        audio_path: Path,
        language_hint: str | None = None,
        prompt_terms: Sequence[str] = (),
        *,
        should_stop: ShouldStop | None = None,
    ) -> TranscriptResult:
        started = time.perf_counter()
        default = self.default_backend()
        audio = default.load_audio(Path(audio_path))
        language = language_hint or self.language_hint
        probability: float | None = None
        detected = False
        if language is None and (self.routes or default.name == "openai-whisper"):
            language, probability = default.detect_language(audio, vad=self.settings.vad_filter)
            detected = True
        backend = load_backend(self.routes[language]) if language in self.routes else default
        result = backend.transcribe(
            audio,
            language=language,
            prompt_terms=tuple(prompt_terms),
            settings=self.settings,
            should_stop=should_stop,
        )
        if detected:
            result = replace(result, language=language, language_probability=probability)
        elif language is not None:  # a hint: nothing was measured
            result = replace(result, language_probability=None)
        return replace(result, processing_seconds=time.perf_counter() - started)


def transcribe(
    audio_path: Path,
    language_hint: str | None = None,
    prompt_terms: Sequence[str] = (),
    *,
    config: PolmonConfig,
) -> TranscriptResult:
    """Transcribe one file with the configured backend (models stay loaded for the next call)."""
    return Transcriber(config).transcribe(audio_path, language_hint, prompt_terms)
