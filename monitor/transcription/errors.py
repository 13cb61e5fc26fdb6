"""Transcription errors: corrupt media fails its row for good, a bad model stops the run."""

from __future__ import annotations


class TranscriptionError(Exception):
    """A failure while transcribing; `expected` ones print one line saying what to do."""

    expected: bool = False
    permanent: bool = False  # retrying cannot help: the media row fails for good


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
