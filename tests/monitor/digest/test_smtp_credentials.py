"""Non-ASCII SMTP credentials are one clear line, not a UnicodeEncodeError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TestDatabase, invoke, write_config
from tests.smtp_server import smtp_server


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_non_ascii_password_is_a_one_line_failure(
    sqlite_db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLMON_SMTP_PASSWORD", "pässwörd-42")
    with smtp_server(auth=True) as (server, port):
        body = f"""
[digest]
enabled = true
[[digest.lists]]
name = "team"
recipients = ["analysts@example.org"]
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
username = "bot"
"""
        result = invoke(write_config(tmp_path, sqlite_db, body), "digest", "--send")
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Error: digest team not sent after 0 attempts: smtp.username or the SMTP password has "
        "non-ASCII characters, which SMTP AUTH (Python's smtplib) cannot send: use ASCII "
        "credentials"
    )
    assert server.logins == []
