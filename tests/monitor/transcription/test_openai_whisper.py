"""The openai-whisper backend end to end on a checkpoint built here (no hub download)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

from monitor.transcription import CorruptMediaError, ModelLoadError, Transcriber
from monitor.transcription.audio import ensure_ffmpeg_cli
from monitor.transcription.openai_backend import clip_timestamps
from tests.conftest import require
from tests.support.config import make_config
from tests.support.transcription import SPEECH, transcription_settings

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("openai-whisper")


@pytest.fixture(scope="module", autouse=True)
def openai_whisper_installed() -> None:
    """Looked up, not imported at collection: importing torch and whisper costs every test
    worker over a second, and only the worker of this module's group needs them. Missing:
    a skip naming the extra (a failure under CI=true, as for every tool)."""
    present = all(importlib.util.find_spec(name) is not None for name in ("whisper", "torch"))
    require(
        present,
        "the openai-whisper extra",
        "make install-test (or pip install -e '.[openai-whisper]')",
    )


@pytest.fixture(scope="module")
def random_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny multilingual Whisper with random weights, saved the way load_model(path) reads.

    Left fully random, the decoder wanders: timestamps that advance by 0.02 s make Whisper
    re-decode the same window hundreds of times. So its output is pinned: the final layer norm
    emits one fixed vector, whose nearest token embeddings are <|0.00|> and then " hello". Every
    window then decodes to "<|0.00|> hello hello …" in one pass (n_text_ctx=64: 32 tokens).
    """
    import torch
    from whisper.model import ModelDimensions, Whisper
    from whisper.tokenizer import get_tokenizer

    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,
        n_audio_state=64,
        n_audio_head=2,
        n_audio_layer=1,
        n_vocab=51865,
        n_text_ctx=64,
        n_text_state=64,
        n_text_head=2,
        n_text_layer=1,
    )
    model = Whisper(dims)
    tokenizer = get_tokenizer(multilingual=True)
    [hello] = tokenizer.encode(" hello")
    with torch.no_grad():
        # Whisper leaves this one as torch.empty (a real checkpoint overwrites it): NaNs otherwise.
        torch.nn.init.normal_(model.decoder.positional_embedding, std=0.02)
        direction = torch.randn(dims.n_text_state)
        direction /= direction.norm()
        model.decoder.ln.weight.zero_()
        model.decoder.ln.bias.copy_(direction * 10)
        embedding = model.decoder.token_embedding.weight
        embedding[tokenizer.timestamp_begin] = direction * 10  # logit 100, others ~N(0, 10)
        embedding[hello] = direction * 12  # logit 120
    path = tmp_path_factory.mktemp("openai") / "random-tiny.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def openai_settings(checkpoint: Path, **extra: object) -> dict[str, object]:
    """[transcription] on the openai-whisper backend with the random checkpoint."""
    # The looping output fails Whisper's compression check, which would re-decode every window at
    # five more temperatures; a threshold out of reach keeps it to one pass per window.
    return transcription_settings(
        backend="openai-whisper",
        model=str(checkpoint),
        compression_ratio_threshold=1e6,
        language_models={"xx": "unused"},  # any route makes it detect the language first
        **extra,
    )


def test_openai_whisper_plumbing_end_to_end(tmp_path: Path, random_checkpoint: Path) -> None:
    """Tests our plumbing, NOT accuracy: the weights are random, so the text is gibberish.

    What is checked: the checkpoint loads through whisper.load_model, audio is decoded by the
    ffmpeg CLI, the language is detected with a probability, VAD spans feed clip_timestamps,
    segments come back timed and within the audio, the terms travel as the prompt, and the
    repetition loop the pinned decoder writes is flagged as likely hallucination (our rule, since
    Whisper's own compression check was set out of reach).
    """
    config = make_config(tmp_path, transcription=openai_settings(random_checkpoint))
    result = Transcriber(config).transcribe(SPEECH / "plain.wav", prompt_terms=("Telegram",))
    assert result.backend == "openai-whisper" and result.model == str(random_checkpoint)
    assert result.language and result.language_probability is not None
    assert 0 < result.language_probability <= 1
    assert result.duration == pytest.approx(4.38, abs=0.05)
    assert result.segments
    for segment in result.segments:
        assert 0 <= segment.start <= segment.end <= result.duration
        assert segment.avg_logprob is not None and segment.no_speech_prob is not None
    assert "hello hello hello" in result.segments[0].text  # the pinned decoder's loop ...
    assert all("repetition" in s.hallucination for s in result.segments)  # ... is flagged
    assert result.text == ""  # and kept out of the transcript's text
    assert result.prompt_terms == ("Telegram",)
    silent = Transcriber(config).transcribe(SPEECH / "silence.m4a")
    assert silent.segments == ()  # VAD found no speech: nothing decoded


def test_openai_whisper_corrupt_media_and_bad_settings(
    tmp_path: Path, random_checkpoint: Path
) -> None:
    transcriber = Transcriber(
        make_config(tmp_path, transcription=openai_settings(random_checkpoint))
    )
    with pytest.raises(CorruptMediaError, match=r"corrupt\.mp4: the decoder cannot read it"):
        transcriber.transcribe(SPEECH / "corrupt.mp4")
    silent = SPEECH.parent / "media" / "silent.mp4"  # a picture, no sound track
    with pytest.raises(CorruptMediaError, match=r"silent\.mp4: no audio track$"):
        transcriber.transcribe(silent)
    int8 = Transcriber(
        make_config(tmp_path, transcription=openai_settings(random_checkpoint, compute_type="int8"))
    )
    with pytest.raises(ModelLoadError, match="int8 is faster-whisper's"):
        int8.transcribe(SPEECH / "plain.wav")
    missing = Transcriber(
        make_config(tmp_path, transcription=openai_settings(tmp_path / "nope.pt"))
    )
    with pytest.raises(ModelLoadError, match="cannot load openai-whisper model"):
        missing.transcribe(SPEECH / "plain.wav")


def test_ffmpeg_from_imageio_when_none_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("imageio_ffmpeg")
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg here
    found = ensure_ffmpeg_cli()
    assert Path(found).name == "ffmpeg" and Path(found).is_symlink()
    assert os.environ["PATH"].startswith(str(Path(found).parent))
    version = subprocess.run([found, "-version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("ffmpeg version")


def test_without_vad_the_whole_file_is_decoded(tmp_path: Path, random_checkpoint: Path) -> None:
    config = make_config(
        tmp_path, transcription=openai_settings(random_checkpoint, vad_filter=False, language="en")
    )
    result = Transcriber(config).transcribe(SPEECH / "silence.m4a")
    assert result.language == "en" and result.segments  # the pinned decoder "hears" silence
    assert all(s.is_hallucination for s in result.segments)


def test_clip_ends_stop_at_the_last_mel_frame() -> None:
    """A clip end past the last 10 ms frame made whisper loop on an empty window forever."""
    assert clip_timestamps([(0.0, 4.3791875)], 70_067) == "0.00,4.37"
    assert clip_timestamps([(0.5, 1.25), (4.371, 4.379)], 70_067) == "0.50,1.25"
    assert clip_timestamps([], 70_067) == ""
