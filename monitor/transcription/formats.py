"""A stored transcript as plain text with timestamps, SRT, WebVTT or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.models import Transcript, TranscriptSegment

FORMATS = ("text", "srt", "vtt", "json")


def clock(seconds: float, *, separator: str = ".", hours: bool = True) -> str:
    """01:02:03.456 (SRT uses a comma before the milliseconds)."""
    millis = max(round(seconds * 1000), 0)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    head = f"{h:02d}:" if hours or h else ""
    return f"{head}{m:02d}:{s:02d}{separator}{ms:03d}"


def render_text(segments: Sequence[TranscriptSegment]) -> str:
    lines = []
    for seg in segments:
        mark = "  [likely hallucination]" if seg.is_hallucination else ""
        lines.append(
            f"[{clock(seg.start_seconds)} → {clock(seg.end_seconds)}] {seg.text.strip()}{mark}"
        )
    return "\n".join(lines)


def render_srt(segments: Sequence[TranscriptSegment]) -> str:
    blocks = []
    for number, seg in enumerate(segments, start=1):
        span = (
            f"{clock(seg.start_seconds, separator=',')} --> {clock(seg.end_seconds, separator=',')}"
        )
        blocks.append(f"{number}\n{span}\n{seg.text.strip()}\n")
    return "\n".join(blocks)


def render_vtt(segments: Sequence[TranscriptSegment]) -> str:
    blocks = ["WEBVTT\n"]
    for seg in segments:
        blocks.append(
            f"{clock(seg.start_seconds)} --> {clock(seg.end_seconds)}\n{seg.text.strip()}\n"
        )
    return "\n".join(blocks)


def transcript_doc(transcript: Transcript, segments: Sequence[TranscriptSegment]) -> dict[str, Any]:
    return {
        "transcript_id": transcript.id,
        "media_id": transcript.media_id,
        "backend": transcript.backend,
        "model": transcript.model,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "audio_seconds": transcript.audio_seconds,
        "processing_seconds": transcript.processing_seconds,
        "created_at": transcript.created_at,
        "text": transcript.text,
        "segments": [
            {
                "start": seg.start_seconds,
                "end": seg.end_seconds,
                "text": seg.text,
                "avg_logprob": seg.avg_logprob,
                "no_speech_prob": seg.no_speech_prob,
                "compression_ratio": seg.compression_ratio,
                "is_hallucination": seg.is_hallucination,
                "words": (seg.words or {}).get("words"),
            }
            for seg in segments
        ],
    }
