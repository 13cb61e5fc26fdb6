"""What a backend returns: language, timed segments, and the likely-hallucination flags."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

# Five or more back-to-back repeats of the same 2–40 characters ("thank you thank you …").
_REPEAT_LOOP = re.compile(r"(\S.{1,39}?)(?:[\s,.;!?-]*\1){4,}", re.DOTALL)


@dataclass(frozen=True)
class Word:
    """One word with its time span and probability (when word timestamps were asked for)."""

    start: float
    end: float
    text: str
    probability: float | None = None


@dataclass(frozen=True)
class SpottedTerm:
    """A keyword term the 1-best did not write but a second pass scored as said in a segment
    ([transcription] keyword_verify): `start`..`end` is the span of the segment's text it
    stands for, `similarity` that span's fuzzy score, `llr` the log-likelihood ratio."""

    term: str
    start: int
    end: int
    similarity: float
    llr: float


@dataclass(frozen=True)
class Segment:
    """A timed piece of speech; `hallucination` names the rules it broke (empty: it looks real)."""

    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    words: tuple[Word, ...] | None = None
    hallucination: tuple[str, ...] = ()
    spotted: tuple[SpottedTerm, ...] = ()

    @property
    def is_hallucination(self) -> bool:
        return bool(self.hallucination)

    @property
    def confidence(self) -> float | None:
        """How sure the model was of these words, 0..1 (None: not reported)."""
        return logprob_confidence(self.avg_logprob)

    def words_doc(self) -> dict[str, Any] | None:
        """The words (and spotted terms) as the JSON document stored in
        transcript_segments.words: {"words": [...], "spotted": [...]}, each key when present."""
        doc: dict[str, Any] = {}
        if self.words is not None:
            doc["words"] = [
                {"start": w.start, "end": w.end, "word": w.text, "probability": w.probability}
                for w in self.words
            ]
        if self.spotted:
            doc["spotted"] = [
                {
                    "term": s.term,
                    "start": s.start,
                    "end": s.end,
                    "similarity": s.similarity,
                    "llr": round(s.llr, 2),
                }
                for s in self.spotted
            ]
        return doc or None


def logprob_confidence(avg_logprob: float | None) -> float | None:
    """A segment's mean token log-probability as a probability: exp(avg_logprob), 0..1."""
    if avg_logprob is None or math.isnan(avg_logprob):
        return None
    return min(1.0, max(0.0, math.exp(avg_logprob)))


@dataclass(frozen=True)
class TranscriptResult:
    """A transcribed file: the language heard, its probability and the segments in order."""

    language: str | None
    language_probability: float | None
    segments: tuple[Segment, ...]
    duration: float  # seconds of audio decoded
    backend: str = ""
    model: str = ""  # the model actually used (after language routing)
    prompt_terms: tuple[str, ...] = ()
    processing_seconds: float = 0.0

    @property
    def text(self) -> str:
        """What was said: the segments not flagged as likely hallucination, joined.

        Flagged segments stay in `segments` (and transcript_segments) for anyone who wants them.
        """
        return " ".join(
            s.text.strip() for s in self.segments if s.text.strip() and not s.is_hallucination
        )


@dataclass(frozen=True)
class HallucinationRules:
    """When a segment is likely made up; the thresholds come from [transcription].

    Low confidence alone (a low avg_logprob) is not hallucination: speech in noise is heard
    with low confidence and its words are kept, matched and marked by their confidence. Made-up
    text is what these catch: words over a window the model rated silent, repetition loops (and
    a compression ratio only they reach), no words at all, text past the end of the audio.
    """

    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4

    def reasons(self, segment: Segment, duration: float) -> tuple[str, ...]:
        found: list[str] = []
        lp, nsp, ratio = segment.avg_logprob, segment.no_speech_prob, segment.compression_ratio
        # The model itself rated the window silent and is unsure of the words it wrote
        # (Whisper's own skip rule needs logprob < threshold; half of it catches " You" on silence).
        if (
            nsp is not None
            and lp is not None
            and nsp > self.no_speech_threshold
            and lp < self.logprob_threshold / 2
        ):
            found.append("no_speech")
        if (ratio is not None and ratio > self.compression_ratio_threshold) or _REPEAT_LOOP.search(
            segment.text
        ):
            found.append("repetition")
        if not any(ch.isalnum() for ch in segment.text):
            found.append("no_words")
        if duration > 0 and segment.start >= duration:
            found.append("past_end")
        return tuple(found)

    def apply(self, segments: list[Segment], duration: float) -> tuple[Segment, ...]:
        """Flag each segment and clamp times that run past the end of the audio."""
        flagged: list[Segment] = []
        for segment in segments:
            reasons = self.reasons(segment, duration)
            end = min(segment.end, duration) if duration > 0 else segment.end
            flagged.append(replace(segment, end=max(end, segment.start), hallucination=reasons))
        return tuple(flagged)
