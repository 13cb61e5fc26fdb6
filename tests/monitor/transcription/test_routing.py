"""Language routing: detect first, then transcribe with the model configured for the language."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.transcription import Transcriber
from monitor.transcription.models import loaded_models, unload_models
from tests.support.config import make_config
from tests.support.transcription import SPEECH, tiny_model_path, transcription_settings


@pytest.mark.slow
def test_detected_language_goes_to_its_routed_model(tmp_path: Path) -> None:
    """Route "en" to the same tiny.en files under another path: a distinct model to load."""
    routed = tmp_path / "english-model"
    routed.symlink_to(tiny_model_path(), target_is_directory=True)
    unload_models()
    config = make_config(
        tmp_path,
        transcription=transcription_settings(
            language_models={"en": str(routed), "km": "/nonexistent"}
        ),
    )
    result = Transcriber(config).transcribe(SPEECH / "plain.wav")
    assert result.model == str(routed)
    assert result.language == "en" and result.language_probability == 1.0
    assert "hospitals" in result.text.lower()
    models = [key[1] for key in loaded_models()]
    assert models == [str(tiny_model_path()), str(routed)]  # detector, then the routed model
    unload_models()


@pytest.mark.slow
def test_unrouted_language_stays_on_the_default_model(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        transcription=transcription_settings(language_models={"km": "/nonexistent/khmer-ct2"}),
    )
    result = Transcriber(config).transcribe(SPEECH / "plain.wav")
    assert result.model == str(tiny_model_path())
    assert result.language == "en"


@pytest.mark.slow
def test_a_language_hint_routes_without_detection(tmp_path: Path) -> None:
    routed = tmp_path / "hinted"
    routed.symlink_to(tiny_model_path(), target_is_directory=True)
    config = make_config(
        tmp_path,
        transcription=transcription_settings(language="en", language_models={"en": "hinted"}),
    )  # relative
    result = Transcriber(config).transcribe(SPEECH / "plain.wav")
    assert result.model == str(routed)
    assert result.language == "en" and result.language_probability is None  # given, not measured
