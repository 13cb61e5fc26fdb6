"""No config, a read-only database, a data_dir that is a file: one line each, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.engine import is_read_only_error
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config

ACCOUNT = """
[[actors]]
name = "PM"
[[actors.accounts]]
platform = "telegram"
handle = "pm_demo"
[telegram]
base_url = "http://127.0.0.1:9"
max_retries = 0
[keywords.threats]
terms = ["arrest"]
"""


def _one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


@pytest.mark.parametrize("command", ["posts", "status", "hits", "events", "growth", "collect"])
def test_no_config_found_points_to_init_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLMON_CONFIG", raising=False)
    result = invoke(None, command)
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert "no config file found" in line and "polmon init" in line
    assert list(tmp_path.iterdir()) == []  # no ./data/polmon.sqlite3


@pytest.mark.parametrize("command", [("collect",), ("keywords", "rescan")])
def test_a_read_only_sqlite_database_is_one_line(
    sqlite_db: TestDatabase, tmp_path: Path, command: tuple[str, ...]
) -> None:
    writable = write_config(tmp_path, sqlite_db, ACCOUNT)
    assert invoke(writable, "accounts", "sync").exit_code == 0
    database = sqlite_db.url.removeprefix("sqlite:///")
    read_only = tmp_path / "read-only.toml"
    read_only.write_text(
        f'[database]\nurl = "sqlite:///file:{database}?mode=ro&uri=true"\n' + ACCOUNT,
        encoding="utf-8",
    )
    result = invoke(read_only, *command)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "database is read-only" in errors[0]
    assert "Traceback" not in result.output and "sqlalchemy" not in result.output


def test_read_only_errors_are_told_by_code_on_both_engines(db: TestDatabase) -> None:
    with db.engine.connect() as conn:
        conn.execute(
            text("PRAGMA query_only = ON" if db.kind == "sqlite" else "SET TRANSACTION READ ONLY")
        )
        with pytest.raises(DBAPIError) as raised:
            conn.execute(text("INSERT INTO app_state (key, value) VALUES ('k', '{}')"))
        conn.rollback()
    assert is_read_only_error(raised.value)
    with db.engine.connect() as conn, pytest.raises(DBAPIError) as other:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_read_only_error(other.value)


@pytest.mark.parametrize("data_dir", ["afile", "afile/below"])
@pytest.mark.parametrize("command", [("posts",), ("init",), ("collect",)])
def test_a_data_dir_that_is_a_file_is_one_line(
    tmp_path: Path, data_dir: str, command: tuple[str, ...]
) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    config = tmp_path / "polmon.toml"
    config.write_text(f'[paths]\ndata_dir = "{data_dir}"\n' + ACCOUNT, encoding="utf-8")
    result = invoke(config, *command)
    assert result.exit_code == 1
    line = _one_line(
        "\n".join(x for x in result.output.splitlines() if not x.startswith("config:"))
    )
    assert "afile" in line


@pytest.mark.parametrize("command", [("posts",), ("status",), ("accounts", "list"), ("events",)])
def test_read_commands_never_create_a_database(tmp_path: Path, command: tuple[str, ...]) -> None:
    config = tmp_path / "polmon.toml"
    config.write_text('[paths]\ndata_dir = "data"\n', encoding="utf-8")
    result = invoke(config, *command)
    assert result.exit_code == 2
    line = _one_line(result.output)
    assert "no database at" in line and "polmon init" in line
    assert not (tmp_path / "data" / "polmon.sqlite3").exists()
    assert invoke(config, "accounts", "sync").exit_code == 0  # a writing command creates it
    assert invoke(config, *command).exit_code == 0
