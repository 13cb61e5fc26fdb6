"""The CLI skeleton: init, db, accounts, status, help, exit codes and one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from monitor.cli import cli
from tests.conftest import REPO_ROOT, TestDatabase, invoke, run_polmon
from tests.support.cli import command_tree
from tests.support.config import write_config

ACCOUNTS = """
[[actors]]
name = "Hun Manet"
[[actors.accounts]]
platform = "telegram"
handle = "hunmanet"
[[actors.accounts]]
platform = "tiktok"
url = "https://www.tiktok.com/@HunManet"
[[actors]]
name = "Ministry"
kind = "organisation"
[[actors.accounts]]
platform = "youtube"
url = "https://www.youtube.com/@Ministry/videos"
"""


def _commands(group: click.Group) -> list[str]:
    return [" ".join(words) for words, _ in command_tree(group)]


def test_every_command_has_help_and_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#+ `?polmon ([a-z\- ]+?)`?\s*$", docs, flags=re.MULTILINE))
    for name in _commands(cli):
        result = invoke(None, *name.split(), "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output
        assert name in documented, f"`polmon {name}` has no section in docs/cli.md"


def test_polmon_runs_as_a_real_process() -> None:
    """The one smoke test of a fresh interpreter: `python -m monitor` starts and lists the
    commands (the other process tests fork theirs from an interpreter that imported polmon)."""
    result = run_polmon("--help", fork=False)
    assert result.returncode == 0, result.stderr
    for name in ("init", "db", "accounts", "status", "collect", "posts"):
        assert re.search(rf"^\s+{name}\s", result.stdout, flags=re.MULTILINE), name


def test_init_writes_config_creates_data_dir_and_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLMON_CONFIG", "")
    result = invoke(None, "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "polmon.toml").is_file()
    assert (tmp_path / "data" / "polmon.sqlite3").is_file()
    current = invoke(None, "db", "current")
    assert current.exit_code == 0 and "up to date" in current.stdout
    again = invoke(None, "init")
    assert again.exit_code == 0 and "(kept)" in again.stdout


def test_accounts_sync_upserts_and_deactivates_without_deleting(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, db, ACCOUNTS)
    assert invoke(config, "accounts", "sync").exit_code == 0
    listed = json.loads(invoke(config, "accounts", "list", "--format", "json").output)
    assert {(a["platform"], a["handle"]) for a in listed} == {
        ("telegram", "hunmanet"),
        ("tiktok", "@hunmanet"),
        ("youtube", "@ministry"),
    }
    assert invoke(config, "accounts", "sync").exit_code == 0  # idempotent
    write_config(tmp_path, db, ACCOUNTS.split('[[actors]]\nname = "Ministry"')[0])
    result = invoke(config, "accounts", "sync")
    assert "deactivated: 1" in result.output
    active = json.loads(invoke(config, "accounts", "list", "--format", "json").output)
    everything = json.loads(invoke(config, "accounts", "list", "--all", "--format", "json").output)
    assert len(active) == 2 and len(everything) == 3
    write_config(tmp_path, db, ACCOUNTS)
    assert "reactivated or moved: 1" in invoke(config, "accounts", "sync").output


def test_status_reports_counts_and_queue(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db, ACCOUNTS)
    invoke(config, "accounts", "sync")
    report = json.loads(invoke(config, "status", "--format", "json").output)
    assert report["tables"]["accounts"] == 3 and report["tables"]["actors"] == 2
    assert report["media_queue"] == {} and report["last_runs"] == []
    csv_out = invoke(config, "accounts", "list", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("actor,platform,handle")
    assert len(csv_out) == 4


def test_bad_or_unreachable_database_is_one_line(tmp_path: Path) -> None:
    for url, fragment in (
        ("not a url", "bad database URL"),
        ("nonsense://x", "unsupported database"),
        ("mysql://root@127.0.0.1/x", "database"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/nothing", "cannot connect to database"),
    ):
        path = tmp_path / "polmon.toml"
        path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
        result = invoke(path, "status")  # an uncaught exception would fail the test here
        assert result.exit_code == 1, (url, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr
        assert result.stdout == ""


def test_usage_errors_exit_2() -> None:
    assert invoke(None, "posts", "--since", "yesterday-ish").exit_code == 2
    assert invoke(None, "no-such-command").exit_code == 2


def test_account_keys_normalise_handles_and_urls() -> None:
    from monitor.accounts import account_key

    assert account_key("telegram", "https://t.me/s/HunManet", None) == "hunmanet"
    assert account_key("telegram", "@HunManet", None) == "hunmanet"
    assert account_key("tiktok", None, "https://www.tiktok.com/@Hun_Manet?lang=en") == "@hun_manet"
    assert account_key("youtube", "https://www.youtube.com/@PM.Hun/videos", None) == "@pm.hun"
    assert account_key("facebook", None, "https://m.facebook.com/hunsencambodia/") == (
        "facebook.com/hunsencambodia"
    )
    one = account_key("facebook", None, "https://www.facebook.com/profile.php?id=100064")
    two = account_key("facebook", None, "https://www.facebook.com/profile.php?id=100065&sk=videos")
    assert one == "facebook.com/profile.php?id=100064" and one != two
