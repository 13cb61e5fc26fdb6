"""Logging: readable lines or JSON lines, one handler per process, secrets never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor import logs
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    yield
    logs.setup_logging(verbose=False)


def test_json_lines_carry_extras_and_tracebacks() -> None:
    stream = io.StringIO()
    logs.setup_logging(json_lines=True, stream=stream)
    log = logging.getLogger("polmon.test")
    log.info("job %s finished", "collect", extra={"job": "collect", "seconds": 1.5})
    try:
        raise RuntimeError("broken")
    except RuntimeError:
        log.exception("job failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "job collect finished" and first["level"] == "INFO"
    assert (first["logger"], first["job"], first["seconds"]) == ("polmon.test", "collect", 1.5)
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert second["exception"].splitlines()[-1] == "RuntimeError: broken"


def test_readable_lines_and_levels() -> None:
    stream = io.StringIO()
    logs.setup_logging(level="WARNING", stream=stream)
    logging.getLogger("polmon.test").info("hidden")
    logging.getLogger("polmon.test").warning("shown %d", 3)
    [line] = stream.getvalue().splitlines()
    assert line.endswith(" WARNING polmon.test: shown 3")
    assert line[:4].isdigit() and line[4] == "-"


def test_secrets_are_redacted_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLMON_SMTP_PASSWORD", "env-password-123")
    logs.register_secret("file-secret-456")
    logs.register_secret("ab")  # too short to redact safely: ignored
    for json_lines in (False, True):
        stream = io.StringIO()
        logs.setup_logging(json_lines=json_lines, stream=stream)
        log = logging.getLogger("polmon.test")
        log.warning(
            "login with env-password-123 and file-secret-456 (tabs)",
            extra={"pw": "file-secret-456"},
        )
        try:
            raise ValueError("bad password env-password-123")
        except ValueError:
            log.exception("failed")
        output = stream.getvalue()
        assert "env-password-123" not in output and "file-secret-456" not in output
        assert output.count(logs.REDACTED) >= 3
        assert "(tabs)" in output  # short registered values are left alone


def test_cli_installs_one_handler_and_applies_the_config(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path, sqlite_db, '[logging]\nlevel = "ERROR"\n')
    root = logging.getLogger()
    before = len(root.handlers)
    for _ in range(3):
        assert invoke(config_path, "status", "--format", "json").exit_code == 0
    assert len(root.handlers) <= before + 1
    assert root.level == logging.ERROR
    assert invoke(config_path, "-v", "status", "--format", "json").exit_code == 0
    assert root.level == logging.DEBUG  # --verbose wins over the config
