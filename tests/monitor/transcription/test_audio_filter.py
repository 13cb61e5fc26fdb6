"""[transcription] audio_filter: an ffmpeg filter chain applied to the samples before decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.keywords.fuzzy import fuzzy_options
from monitor.keywords.live import matcher_for
from monitor.transcription.audio import SAMPLE_RATE, filter_audio
from monitor.transcription.errors import ModelLoadError
from monitor.transcription.transcriber import Transcriber
from tests.conftest import REPO_ROOT
from tests.monitor.transcription.test_keyword_verify import HEARD, kws_keywords, transcribe_kws
from tests.support.config import make_config
from tests.support.transcription import transcription_settings

KWS = REPO_ROOT / "bench" / "data" / "kws"
DYNAUDNORM = "dynaudnorm=f=150:g=15"  # the chain measured in docs/benchmarks.md, fifth round


def test_a_chain_runs_on_the_samples_and_keeps_the_rate() -> None:
    tone = 0.5 * np.sin(np.linspace(0, 2 * np.pi * 440, SAMPLE_RATE, dtype=np.float32))
    quiet = filter_audio(tone, "volume=0.5")
    assert quiet.dtype == np.float32 and quiet.shape == tone.shape
    assert np.allclose(quiet, tone * 0.5, atol=1e-3)
    assert filter_audio(tone, "atempo=1.25").size == pytest.approx(SAMPLE_RATE / 1.25, rel=0.01)


def test_a_chain_ffmpeg_rejects_is_a_configuration_error() -> None:
    with pytest.raises(ModelLoadError, match="audio_filter 'nosuchfilter'"):
        filter_audio(np.zeros(SAMPLE_RATE, dtype=np.float32), "nosuchfilter")


def test_the_transcriber_filters_what_it_decodes_and_only_when_configured(tmp_path: Path) -> None:
    samples = {}
    for chain in ("", "volume=0"):
        config = make_config(tmp_path, transcription=transcription_settings(audio_filter=chain))
        samples[chain] = Transcriber(config).prepare(KWS / "kws010.ogg").audio
    assert np.abs(samples[""]).max() > 0.1
    assert samples["volume=0"].shape == samples[""].shape
    assert not samples["volume=0"].any()


@pytest.mark.slow
def test_dynaudnorm_lets_tiny_en_hear_a_term_it_misses_without(tmp_path: Path) -> None:
    """kws010 says "The government may ban Telegram channels that spread fake news"; without a
    filter tiny.en writes "talented ram" (no hit), after dynaudnorm "teledram" on one thread
    (an approximate hit; "Telegram" in the bench's two-thread run)."""
    found = {}
    config = make_config(tmp_path, transcription=transcription_settings(), keywords=kws_keywords())
    matcher = matcher_for(config.keywords, "transcripts", fuzzy=fuzzy_options(config))
    for chain in ("", DYNAUDNORM):
        text = transcribe_kws(tmp_path, "kws010.ogg", audio_filter=chain).text
        if not chain:
            assert text.strip() == HEARD
        found[chain] = {m.term for m in matcher.match(text)}
    assert "Telegram" not in found[""] and "fake news" in found[""]
    assert {"Telegram", "fake news"} <= found[DYNAUDNORM]
