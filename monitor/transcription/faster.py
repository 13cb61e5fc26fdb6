"""The faster-whisper backend (CTranslate2): int8 on CPU, float16 on CUDA by default; on CUDA
(or with `[transcription] batched = true`) through its BatchedInferencePipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from monitor.transcription.audio import decode_with_pyav
from monitor.transcription.base import (
    ShouldStop,
    detection_window,
    hotword_text,
    writable_terms,
)
from monitor.transcription.errors import Interrupted, ModelLoadError
from monitor.transcription.keyword_verify import KeywordVerifier
from monitor.transcription.result import Segment, TranscriptResult, Word
from monitor.transcription.settings import DecodeSettings, ModelSpec


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def resolve_compute_type(compute_type: str, device: str) -> str:
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"


class FasterWhisperBackend:
    """A CTranslate2 Whisper model, loaded once; keyword terms go in as hotwords."""

    name = "faster-whisper"

    def __init__(self, spec: ModelSpec) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ModelLoadError(f"faster-whisper is not installed: {exc}") from None
        self.model = spec.model
        self.device = resolve_device(spec.device)
        self.compute_type = resolve_compute_type(spec.compute_type, self.device)
        self._batched: Any = None  # the BatchedInferencePipeline, made on first use
        try:
            self._model = WhisperModel(
                spec.model,
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=spec.threads,
                download_root=str(spec.cache_dir) if spec.cache_dir else None,
            )
        except Exception as exc:  # hub, CTranslate2 and file errors share no base class
            raise ModelLoadError(
                f"cannot load faster-whisper model {spec.model!r} on {self.device} "
                f"({self.compute_type}): {str(exc).strip().splitlines()[0] if str(exc) else exc!r}"
                " — check [transcription] model (a name to download, or a local CTranslate2 "
                "folder), device and compute_type"
            ) from None

    def load_audio(self, path: Path) -> np.ndarray:
        return decode_with_pyav(path)

    def detect_language(self, audio: np.ndarray, *, vad: bool) -> tuple[str | None, float | None]:
        if not self._model.model.is_multilingual:
            return "en", 1.0
        window = detection_window(audio, vad=vad)
        if window is None:
            return None, None
        language, probability, _all = self._model.detect_language(audio=window)
        return language, float(probability)

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None,
        prompt_terms: Sequence[str],
        settings: DecodeSettings,
        should_stop: ShouldStop | None = None,
    ) -> TranscriptResult:
        rules = settings.rules
        terms = writable_terms(
            prompt_terms,
            multilingual=self._model.model.is_multilingual,
            count_tokens=self._count_tokens,
        )
        common: dict[str, Any] = {
            "language": language,
            "beam_size": settings.beam_size,
            "condition_on_previous_text": settings.condition_on_previous_text,
            "word_timestamps": settings.word_timestamps,
            "hotwords": hotword_text(terms),
            "no_speech_threshold": rules.no_speech_threshold,
            "log_prob_threshold": rules.logprob_threshold,
            "compression_ratio_threshold": rules.compression_ratio_threshold,
        }
        verifier = None
        if self.batched(settings):
            # The pipeline cuts the audio at the speech regions VAD finds and decodes them
            # batch_size at a time: VAD is always on here (without it, a file longer than
            # 30 s has no regions to batch). keyword_verify scores the sequential path's
            # windows only.
            pieces, info = self._pipeline().transcribe(
                audio, vad_filter=True, batch_size=settings.batch_size, **common
            )
        else:
            if settings.keyword_verify and terms:
                verifier = KeywordVerifier(self._model, terms, settings.keyword_verify_min_llr)
            pieces, info = self._model.transcribe(audio, vad_filter=settings.vad_filter, **common)
        duration = float(info.duration)
        segments: list[Segment] = []
        for piece in pieces:  # a generator: decoding happens as we iterate
            [segment] = rules.apply([_segment(piece)], duration)
            segments += verifier.add(segment) if verifier else [segment]
            if should_stop is not None and should_stop():
                raise Interrupted("stopped in the middle of a file")
        if verifier:
            segments += verifier.finish()
        return TranscriptResult(
            language=info.language,
            language_probability=float(info.language_probability),
            segments=tuple(segments),
            duration=duration,
            backend=self.name,
            model=self.model,
            prompt_terms=tuple(terms),
        )

    def batched(self, settings: DecodeSettings) -> bool:
        """Whether files go through the batched pipeline: as configured, else on CUDA."""
        return settings.batched if settings.batched is not None else self.device == "cuda"

    def _pipeline(self) -> Any:
        if self._batched is None:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(model=self._model)
        return self._batched

    def _count_tokens(self, text: str) -> int:
        return len(self._model.hf_tokenizer.encode(text, add_special_tokens=False).ids)


def _segment(piece: Any) -> Segment:
    words = None
    if piece.words is not None:
        words = tuple(
            Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
            for w in piece.words
        )
    return Segment(
        start=float(piece.start),
        end=float(piece.end),
        text=piece.text.strip(),
        avg_logprob=float(piece.avg_logprob),
        no_speech_prob=float(piece.no_speech_prob),
        compression_ratio=float(piece.compression_ratio),
        words=words,
    )
