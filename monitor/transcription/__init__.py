"""Whisper transcription of downloaded media: backends, language routing, the leased work queue."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.transcription.errors import (
        CorruptMediaError,
        ModelLoadError,
        TranscriptionError,
    )
    from monitor.transcription.report import TranscribeReport
    from monitor.transcription.result import Segment, TranscriptResult, Word
    from monitor.transcription.transcriber import Transcriber, transcribe
    from monitor.transcription.worker import run_transcriptions

# Imported when first used: a process that only reads results (a collect worker matching
# keywords in stored segments) never loads numpy, the backends or the queue worker.
_WHERE = {
    "CorruptMediaError": "errors",
    "ModelLoadError": "errors",
    "TranscriptionError": "errors",
    "TranscribeReport": "report",
    "Segment": "result",
    "TranscriptResult": "result",
    "Word": "result",
    "Transcriber": "transcriber",
    "transcribe": "transcriber",
    "run_transcriptions": "worker",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
