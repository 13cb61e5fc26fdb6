"""Real transcription with faster-whisper and the shipped CTranslate2 tiny.en on espeak-ng clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.transcription import CorruptMediaError, Transcriber
from monitor.transcription.models import load_backend, loaded_models, unload_models
from tests.support.config import make_config
from tests.support.transcription import SPEECH, transcription_settings


def test_plain_sentence_words_timed_segments_and_language(tmp_path: Path) -> None:
    config = make_config(tmp_path, transcription=transcription_settings())
    result = Transcriber(config).transcribe(SPEECH / "plain.wav")
    words = result.text.lower()
    for word in ("minister", "budget", "schools", "hospitals"):
        assert word in words, result.text
    assert result.language == "en"
    assert result.language_probability is not None and result.language_probability > 0.5
    assert result.backend == "faster-whisper" and result.model == config.transcription.model
    assert result.duration == pytest.approx(4.38, abs=0.05)
    assert result.segments, "no segments"
    previous_end = 0.0
    for segment in result.segments:
        assert previous_end <= segment.start < segment.end <= result.duration
        assert segment.avg_logprob is not None and segment.avg_logprob > -1.0
        assert segment.no_speech_prob is not None and segment.compression_ratio is not None
        assert not segment.is_hallucination
        previous_end = segment.end
    assert result.processing_seconds > 0


def test_word_timestamps_inside_their_segment(tmp_path: Path) -> None:
    config = make_config(
        tmp_path, transcription=transcription_settings(word_timestamps=True, vad_filter=False)
    )
    result = Transcriber(config).transcribe(SPEECH / "plain.wav")
    segment = result.segments[0]
    assert segment.words, "word timestamps were asked for"
    assert "minister" in [w.text.lower().strip(".,") for w in segment.words]
    for word in segment.words:
        assert segment.start - 0.05 <= word.start <= word.end <= segment.end + 0.05
    assert segment.words_doc() == {
        "words": [
            {"start": w.start, "end": w.end, "word": w.text, "probability": w.probability}
            for w in segment.words
        ]
    }


def test_vad_skips_the_noise_and_keeps_the_original_timeline(tmp_path: Path) -> None:
    """3 s of pink noise, then speech (AAC in an MP4 container, decoded by PyAV)."""
    with_vad = Transcriber(
        make_config(tmp_path, transcription=transcription_settings())
    ).transcribe(SPEECH / "noise_then_speech.m4a")
    assert "morning" in with_vad.text.lower()
    assert with_vad.segments[0].start >= 2.0  # the speech starts at 3.0 s in the file
    without = Transcriber(
        make_config(tmp_path, transcription=transcription_settings(vad_filter=False))
    ).transcribe(SPEECH / "noise_then_speech.m4a")
    assert without.segments[0].start < 1.0  # without VAD the noise is decoded as well
    assert all(s.end <= without.duration for s in without.segments)  # clamped to the audio


def test_silence_hallucination_is_flagged_and_vad_prevents_it(tmp_path: Path) -> None:
    without = Transcriber(
        make_config(tmp_path, transcription=transcription_settings(vad_filter=False))
    ).transcribe(SPEECH / "silence.m4a")
    assert without.segments, "tiny.en writes something on 6 s of silence without VAD"
    assert all(s.is_hallucination for s in without.segments), without.segments
    assert "no_speech" in without.segments[0].hallucination
    with_vad = Transcriber(
        make_config(tmp_path, transcription=transcription_settings())
    ).transcribe(SPEECH / "silence.m4a")
    assert with_vad.segments == () and with_vad.text == ""


def test_corrupt_and_missing_files_are_corrupt_media(tmp_path: Path) -> None:
    transcriber = Transcriber(make_config(tmp_path, transcription=transcription_settings()))
    unreadable = r"corrupt media .*corrupt\.mp4: the decoder cannot read it \(\w+Error"
    with pytest.raises(CorruptMediaError, match=unreadable):
        transcriber.transcribe(SPEECH / "corrupt.mp4")
    with pytest.raises(CorruptMediaError, match="media file missing"):
        transcriber.transcribe(tmp_path / "gone.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(CorruptMediaError, match="empty"):
        transcriber.transcribe(empty)


@pytest.mark.slow
def test_model_is_loaded_once_per_process_and_reused(tmp_path: Path) -> None:
    unload_models()
    config = make_config(tmp_path, transcription=transcription_settings())
    first, second = Transcriber(config), Transcriber(config)
    first.transcribe(SPEECH / "plain.wav")
    second.transcribe(SPEECH / "hotwords.wav")
    assert first.default_backend() is second.default_backend()
    assert loaded_models() == [("faster-whisper", config.transcription.model, "auto", "auto")]
    backend = load_backend(first.default_spec)
    assert (backend.device, backend.compute_type) == ("cpu", "int8")  # auto on a CPU machine
    float32 = make_config(tmp_path, transcription=transcription_settings(compute_type="float32"))
    assert Transcriber(float32).default_backend().compute_type == "float32"
    assert len(loaded_models()) == 2
    unload_models()
