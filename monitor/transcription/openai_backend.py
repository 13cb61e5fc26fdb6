"""The openai-whisper backend (PyTorch; the `openai-whisper` extra; decodes with the ffmpeg CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from monitor.transcription.audio import decode_with_ffmpeg_cli, speech_regions
from monitor.transcription.base import ShouldStop, detection_window, hotword_text
from monitor.transcription.errors import ModelLoadError
from monitor.transcription.result import HallucinationRules, Segment, TranscriptResult, Word
from monitor.transcription.settings import DecodeSettings, ModelSpec

COMPUTE_TYPES = ("auto", "float32", "float16")
HOP_LENGTH = 160  # samples per mel frame in Whisper (10 ms at 16 kHz)
FRAMES_PER_SECOND = 100


class OpenAIWhisperBackend:
    """The original Whisper; terms go in as an initial prompt carried into every window.

    It has no VAD of its own: with vad_filter on, the Silero VAD bundled with faster-whisper finds
    the speech and only those spans are decoded (`clip_timestamps`), times staying on the file's
    own timeline. It cannot be interrupted mid-file: a stop request waits for the file to end.
    """

    name = "openai-whisper"

    def __init__(self, spec: ModelSpec) -> None:
        try:
            import torch
            import whisper
        except ImportError:
            raise ModelLoadError(
                "openai-whisper is not installed: pip install 'polmon[openai-whisper]' "
                "or set [transcription] backend = 'faster-whisper'"
            ) from None
        if spec.compute_type not in COMPUTE_TYPES:
            raise ModelLoadError(
                f"openai-whisper runs compute_type auto, float32 or float16, not "
                f"{spec.compute_type!r} (int8 is faster-whisper's)"
            )
        self.model = spec.model
        auto_cuda = spec.device == "auto" and torch.cuda.is_available()
        self.device = "cuda" if auto_cuda else ("cpu" if spec.device == "auto" else spec.device)
        half = spec.compute_type == "float16" or (
            spec.compute_type == "auto" and self.device == "cuda"
        )
        if half and self.device != "cuda":
            raise ModelLoadError("openai-whisper runs float16 only on cuda; use float32 on cpu")
        self.compute_type = "float16" if half else "float32"
        if spec.threads:
            torch.set_num_threads(spec.threads)
        try:
            self._model = whisper.load_model(
                spec.model,
                device=self.device,
                download_root=str(spec.cache_dir) if spec.cache_dir else None,
            )
        except Exception as exc:  # unknown names, bad checkpoints and network errors
            raise ModelLoadError(
                f"cannot load openai-whisper model {spec.model!r} on {self.device}: {exc} — "
                "check [transcription] model (a name to download, or a local .pt checkpoint)"
            ) from None

    def load_audio(self, path: Path) -> np.ndarray:
        return decode_with_ffmpeg_cli(path)

    def detect_language(self, audio: np.ndarray, *, vad: bool) -> tuple[str | None, float | None]:
        import whisper

        if not self._model.is_multilingual:
            return "en", 1.0
        window = detection_window(audio, vad=vad)
        if window is None:
            return None, None
        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(window), self._model.dims.n_mels)
        _tokens, probs = self._model.detect_language(mel.to(self._model.device))
        language = max(probs, key=probs.get)
        return str(language), float(probs[language])

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None,
        prompt_terms: Sequence[str],
        settings: DecodeSettings,
        should_stop: ShouldStop | None = None,  # not consulted: a file runs to its end
    ) -> TranscriptResult:
        duration = len(audio) / 16_000
        rules = settings.rules
        clips = "0"
        if settings.vad_filter:
            clips = clip_timestamps(speech_regions(audio), len(audio))
            if not clips:  # nothing to hear: no text, and nothing to hallucinate
                return self._result(language, None, [], duration, prompt_terms, rules)
        prompt = hotword_text(prompt_terms)
        output = self._model.transcribe(
            audio,
            language=language,
            beam_size=settings.beam_size,
            condition_on_previous_text=settings.condition_on_previous_text,
            initial_prompt=prompt,
            carry_initial_prompt=prompt is not None,
            word_timestamps=settings.word_timestamps,
            no_speech_threshold=rules.no_speech_threshold,
            logprob_threshold=rules.logprob_threshold,
            compression_ratio_threshold=rules.compression_ratio_threshold,
            clip_timestamps=clips,
            fp16=self.compute_type == "float16",
            verbose=None,
        )
        segments = [_segment(piece) for piece in output["segments"]]
        probability = 1.0 if language else None
        return self._result(
            output.get("language") or language, probability, segments, duration, prompt_terms, rules
        )

    def _result(
        self,
        language: str | None,
        probability: float | None,
        segments: list[Segment],
        duration: float,
        prompt_terms: Sequence[str],
        rules: HallucinationRules,
    ) -> TranscriptResult:
        return TranscriptResult(
            language=language,
            language_probability=probability,
            segments=rules.apply(segments, duration),
            duration=duration,
            backend=self.name,
            model=self.model,
            prompt_terms=tuple(prompt_terms),
        )


def clip_timestamps(regions: list[tuple[float, float]], samples: int) -> str:
    """VAD spans as openai-whisper's clip_timestamps, ends clamped to the last mel frame.

    A clip ending past the audio's last 10 ms frame makes whisper re-decode an empty window
    forever (seek stops one frame short of the clip end), so ends are cut to that frame.
    """
    last = (samples // HOP_LENGTH) / FRAMES_PER_SECOND
    spans = [(start, min(end, last)) for start, end in regions if start < last]
    return ",".join(f"{start:.2f},{end:.2f}" for start, end in spans if end > start)


def _segment(piece: dict[str, Any]) -> Segment:
    words = None
    if piece.get("words") is not None:
        words = tuple(
            Word(float(w["start"]), float(w["end"]), str(w["word"]).strip(), w.get("probability"))
            for w in piece["words"]
        )
    return Segment(
        start=float(piece["start"]),
        end=float(piece["end"]),
        text=str(piece["text"]).strip(),
        avg_logprob=float(piece["avg_logprob"]),
        no_speech_prob=float(piece["no_speech_prob"]),
        compression_ratio=float(piece["compression_ratio"]),
        words=words,
    )
