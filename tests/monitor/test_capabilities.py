"""What a transcription needs, from [transcription], and what a worker may then claim."""

from __future__ import annotations

import pytest

from monitor.capabilities import (
    ANY,
    CapabilityError,
    excluded_languages,
    language_needs,
    needs_label,
    needs_of,
    parse_capabilities,
)
from monitor.config_sections import TranscriptionConfig

ROUTED = TranscriptionConfig(
    language_models={"km": "models/khmer-ct2", "th": "large-v3"},
    language_needs={"km": ["gpu"], "lo": ["GPU"]},
)


def test_needs_come_from_routes_and_language_needs() -> None:
    assert language_needs(ROUTED) == {
        "km": frozenset({"km", "gpu"}),
        "lo": frozenset({"gpu"}),
        "th": frozenset({"th"}),
    }
    assert needs_of(ROUTED, "KM") == {"km", "gpu"}
    assert needs_of(ROUTED, None) == needs_of(ROUTED, "en") == frozenset()
    assert needs_label(frozenset()) == ANY
    assert needs_label(frozenset({"km", "gpu"})) == "gpu,km"


def test_a_worker_excludes_what_it_cannot_take() -> None:
    assert excluded_languages(ROUTED, None) == frozenset()  # no --capability: every row
    assert excluded_languages(ROUTED, frozenset({"gpu"})) == {"km", "th"}
    assert excluded_languages(ROUTED, frozenset({"gpu", "km"})) == {"th"}
    assert excluded_languages(ROUTED, frozenset({"th"})) == {"km", "lo"}


def test_every_file_needing_a_capability_the_worker_lacks_is_an_error() -> None:
    config = TranscriptionConfig(needs=["gpu"], language_models={"km": "khmer"})
    assert needs_of(config, None) == {"gpu"}
    assert needs_of(config, "km") == {"gpu", "km"}
    assert excluded_languages(config, frozenset({"gpu"})) == {"km"}
    with pytest.raises(CapabilityError, match="every transcription needs gpu"):
        excluded_languages(config, frozenset({"km"}))


def test_capability_names_are_parsed_strictly() -> None:
    assert parse_capabilities(None) is None
    assert parse_capabilities(" GPU, km ,") == {"gpu", "km"}
    with pytest.raises(CapabilityError):
        parse_capabilities(" , ")
    with pytest.raises(CapabilityError, match="not a capability name"):
        parse_capabilities("gpu;rm -rf")


def test_a_configured_language_needing_a_capability_the_worker_lacks_is_an_error() -> None:
    """With `[transcription] language` nothing is detected: every file is in that language, so
    a worker lacking its needs could transcribe nothing (nor hand anything on)."""
    config = TranscriptionConfig(language="km", language_models={"km": "khmer"})
    assert excluded_languages(config, frozenset({"km"})) == frozenset()
    with pytest.raises(CapabilityError, match=r"every transcription is in km .* needs km"):
        excluded_languages(config, frozenset({"gpu"}))
