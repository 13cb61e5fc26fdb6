"""Transcription errors: corrupt media fails its row for good, a bad model stops the run."""

from __future__ import annotations

from collectors.errors import PolmonError


class TranscriptionError(PolmonError):
    """A failure while transcribing (`permanent`: the media row fails for good)."""


class CorruptMediaError(TranscriptionError):
    """The file is not decodable audio/video, has no audio track, or is missing."""

    expected = True
    permanent = True


class ModelLoadError(TranscriptionError):
    """The configured model or backend cannot be loaded: a setup problem, not the media's."""

    expected = True


class LeaseLost(TranscriptionError):
    """Another worker took the row over (our lease expired): our result must not be stored."""

    expected = True


class Interrupted(TranscriptionError):
    """The worker was asked to stop in the middle of a file; its lease is given back."""

    expected = True
