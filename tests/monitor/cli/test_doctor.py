"""`polmon doctor` and the locks: versions shown are the installed ones; the locks are current."""

from __future__ import annotations

import json
import shutil
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from monitor.doctor import RUN_LOCK, locked_versions
from tests.conftest import REPO_ROOT, invoke

TEST_LOCK = REPO_ROOT / "requirements" / "test.lock"


def test_doctor_shows_installed_and_locked_versions() -> None:
    result = invoke(None, "doctor", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["part"]: row for row in json.loads(result.output)}
    assert rows["yt-dlp"]["version"] == metadata.version("yt-dlp")
    assert rows["yt-dlp"]["locked"] == locked_versions()["yt-dlp"]
    assert "make upgrade-ytdlp" in rows["yt-dlp"]["note"]
    assert rows["ffmpeg"]["version"]  # found: the system's or imageio-ffmpeg's
    if shutil.which("tesseract"):  # Debian's tesseract-ocr: its version and languages
        assert rows["tesseract"]["version"] and "eng" in rows["tesseract"]["note"]
    else:
        assert rows["tesseract"]["note"] == "missing: apt-get install tesseract-ocr"
    table = invoke(None, "doctor")
    assert table.exit_code == 0 and "upgrade-ytdlp" in table.output


def test_locked_versions_reads_pins_with_markers_and_hashes(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text(
        "# comment\nYT_DLP==2026.1.2 \\\n    --hash=sha256:00\n"
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:11\n",
        encoding="utf-8",
    )
    assert locked_versions(lock) == {"yt-dlp": "2026.1.2", "numpy": "2.4.6"}
    assert locked_versions(tmp_path / "missing.lock") == {}


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [(RUN_LOCK, ("demo",)), (TEST_LOCK, ("demo", "test", "openai-whisper"))],
    ids=["run", "test"],
)
def test_every_dependency_is_locked_within_its_range(lock: Path, extras: tuple[str, ...]) -> None:
    """pyproject.toml and the locks agree: a changed range without `make lock` fails here."""
    pins = locked_versions(lock)
    for requirement in _requirements(extras):
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in {lock.name}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock.name} pins {name}=={pins[name]}, outside {requirement}: run `make lock`"
        )
