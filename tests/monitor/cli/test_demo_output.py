"""`polmon demo --output`: never replaces a folder that an earlier demo did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.demo.run import MARKER_NAME, DemoFolderError, prepare_output
from tests.conftest import invoke


def test_a_folder_with_user_files_is_refused_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    (folder / "data").mkdir(parents=True)
    (folder / "important.txt").write_text("keep me", encoding="utf-8")
    (folder / "data" / "polmon.sqlite3").write_bytes(b"SQLite format 3\0")
    result = invoke(None, "demo", "--output", str(folder))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "not made by `polmon demo`" in lines[0] and "--force" in lines[0]
    assert (folder / "important.txt").read_text(encoding="utf-8") == "keep me"
    assert (folder / "data" / "polmon.sqlite3").is_file()


def test_the_current_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(None, "demo", "--output", ".")
    assert result.exit_code == 2 and "not made by `polmon demo`" in result.output
    assert (tmp_path / "notes.md").is_file()
    # Even with --force the demo never removes the folder the user works in.
    forced = invoke(None, "demo", "--output", ".", "--force")
    assert forced.exit_code == 2 and "current folder" in forced.output
    assert (tmp_path / "notes.md").is_file()


def test_a_file_as_output_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF")
    result = invoke(None, "demo", "--output", str(target))
    assert result.exit_code == 2 and target.read_bytes() == b"%PDF"


def test_a_demo_folder_is_replaced_and_marked(tmp_path: Path) -> None:
    folder = tmp_path / "demo-output"
    prepare_output(folder)
    assert (folder / MARKER_NAME).is_file()
    (folder / "digest.html").write_text("old run", encoding="utf-8")
    prepare_output(folder)  # the marker says the demo made it: replaced
    assert not (folder / "digest.html").exists() and (folder / MARKER_NAME).is_file()


def test_an_older_demo_folder_without_marker_is_recognised(tmp_path: Path) -> None:
    folder = tmp_path / "demo-output"
    folder.mkdir()
    (folder / "polmon.toml").write_text("# Written by `polmon demo`: old\n", encoding="utf-8")
    prepare_output(folder)
    assert not (folder / "polmon.toml").exists()


def test_force_replaces_a_foreign_folder(tmp_path: Path) -> None:
    folder = tmp_path / "scratch"
    folder.mkdir()
    (folder / "old.txt").write_text("x", encoding="utf-8")
    with pytest.raises(DemoFolderError):
        prepare_output(folder)
    prepare_output(folder, force=True)
    assert not (folder / "old.txt").exists()
