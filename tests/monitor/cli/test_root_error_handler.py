"""The root group handles `PolmonError` once: an expected one is one `Error:` line on stderr
with its exit status, an unexpected one keeps its traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from collectors.errors import CollectorError, PolmonError, UserError
from monitor.cli import PolmonGroup
from monitor.config import ConfigError
from monitor.digest import DigestError
from monitor.keywords.rescan import UnknownGroupError
from monitor.queries.posts import PostNotFound
from monitor.queries.search.query import QueryError
from monitor.queries.selection import UnknownSelection
from monitor.transcription.errors import ModelLoadError
from storage.engine import DatabaseError
from storage.redaction import register_secret
from tests.conftest import REPO_ROOT, run_polmon


def _root_raising(error: BaseException) -> click.Group:
    """A root group of polmon's class with one command, `fail`, that raises `error`."""

    def fail() -> None:
        raise error

    return PolmonGroup("polmon", commands=[click.Command("fail", callback=fail)])


@pytest.mark.parametrize(
    ("error", "exit_code", "line"),
    [
        (UserError("no such list 'x'"), 2, "no such list 'x'"),
        (UnknownSelection("no account 'nobody'"), 2, "no account 'nobody'"),
        (QueryError("nothing to search for"), 2, "nothing to search for"),
        (PostNotFound("no post 42"), 1, "no post 42"),
        (DatabaseError("cannot connect"), 1, "cannot connect"),
        (CollectorError("host down", expected=True), 1, "host down"),
        (ModelLoadError("no model tiny.xx"), 1, "no model tiny.xx"),
        (DigestError("list a: SMTP refused"), 1, "list a: SMTP refused"),
        (UnknownGroupError("no keyword group 'x'"), 1, "no keyword group 'x'"),
        (
            ConfigError("polmon.toml", "digest.to", "not an address", more=["a", "b"]),
            2,
            "config error in polmon.toml: digest.to: not an address "
            "(and 2 more: `polmon config check` lists them all)",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_an_expected_error_is_one_stderr_line_with_its_exit_status(
    error: PolmonError, exit_code: int, line: str
) -> None:
    result = CliRunner().invoke(_root_raising(error), ["fail"])
    assert result.exit_code == exit_code != 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {line}"]
    assert "Traceback" not in result.output


def test_the_error_line_never_shows_a_secret() -> None:
    register_secret("hunter2-secret-token")
    result = CliRunner().invoke(
        _root_raising(UserError("bad token hunter2-secret-token")), ["fail"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["Error: bad token ***"]


@pytest.mark.parametrize(
    "error", [CollectorError("parser bug"), RuntimeError("bug")], ids=["unexpected", "foreign"]
)
def test_an_unexpected_error_propagates_with_its_traceback(error: Exception) -> None:
    result = CliRunner().invoke(_root_raising(error), ["fail"])
    assert result.exit_code == 1
    assert result.exception is error  # not turned into a one-line error
    assert "Error: " not in result.stderr


def test_a_real_process_prints_the_traceback_of_an_unexpected_error(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import click
            from collectors.errors import CollectorError
            from monitor import cli as root

            def fail() -> None:
                raise CollectorError("parser bug in page 7")

            group = root.PolmonGroup("polmon", commands=[click.Command("fail", callback=fail)])
            sys.excepthook = root._redacting_excepthook
            group.main(["fail"], prog_name="polmon")
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "collectors.errors.CollectorError: parser bug in page 7" in result.stderr


def test_a_command_s_expected_error_is_one_line_from_the_real_cli(tmp_path: Path) -> None:
    """`polmon posts` outside a project: the context's UserError, as the user sees it."""
    env = {"POLMON_CONFIG": ""}
    result = run_polmon("posts", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: no config file found")
