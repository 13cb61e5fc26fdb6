"""Whisper transcription of downloaded media: backends, language routing, the leased work queue."""

from monitor.transcription.errors import (
    CorruptMediaError,
    ModelLoadError,
    TranscriptionError,
)
from monitor.transcription.report import TranscribeReport
from monitor.transcription.result import Segment, TranscriptResult, Word
from monitor.transcription.transcriber import Transcriber, transcribe
from monitor.transcription.worker import run_transcriptions

__all__ = [
    "CorruptMediaError",
    "ModelLoadError",
    "Segment",
    "TranscribeReport",
    "Transcriber",
    "TranscriptResult",
    "TranscriptionError",
    "Word",
    "run_transcriptions",
    "transcribe",
]
