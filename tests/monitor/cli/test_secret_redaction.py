"""A secret quoted in an error never leaves polmon: not in JSON logs, the `Error:` line, the
database, or the next digest's health section."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select, update

from storage.engine import transaction
from storage.models import Account, Actor, CollectionRun, Digest, Media, Post
from storage.redaction import REDACTED, register_secret
from tests.conftest import TestDatabase, invoke, write_config
from tests.support.smtp_server import BoundController

# Quotes and backslashes: JSON escapes them, so redacting encoded lines would miss this one.
PASSWORD = 'pa"ss\\word-42'


class EchoingServer:
    """Refuses every login with a 535 reply that quotes the password it was given."""

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        echoed = data.password.decode()
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 bad password {echoed}")


@contextmanager
def echoing_smtp_server() -> Iterator[int]:
    controller = BoundController(
        EchoingServer(),
        authenticator=EchoingServer().authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def _leaks(text: str) -> list[str]:
    """The forms of the password found in `text`: as is, JSON-escaped, HTML-escaped."""
    forms = {PASSWORD, json.dumps(PASSWORD)[1:-1], json.dumps(PASSWORD, ensure_ascii=False)[1:-1]}
    forms.add(html.escape(PASSWORD))
    return sorted(form for form in forms if form in text)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_smtp_reply_quoting_the_password_is_redacted_everywhere(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_SMTP_PASSWORD", raising=False)
    secret = tmp_path / "smtp_password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    with echoing_smtp_server() as port:
        body = f"""
[logging]
json_lines = true
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
password_file = "{secret}"
max_attempts = 1
retry_backoff_seconds = 0
"""
        config = write_config(tmp_path, db, body)
        sent = invoke(config, "digest", "--send")
    assert sent.exit_code == 1
    error_lines = [line for line in sent.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and REDACTED in error_lines[0]
    log_lines = [json.loads(line) for line in sent.stderr.splitlines() if line.startswith("{")]
    assert any(REDACTED in entry["message"] for entry in log_lines)
    assert _leaks(sent.output + sent.stderr) == []

    with transaction(db.engine) as session:
        [stored] = session.scalars(select(Digest.error)).all()
    assert stored is not None and "535" in stored and REDACTED in stored
    assert _leaks(stored) == []

    out = tmp_path / "next.html"
    # A period that surely holds the failed send (the default end is cut to whole seconds).
    until = (datetime.now(UTC) + timedelta(minutes=1)).isoformat(timespec="seconds")
    rendered = invoke(config, "digest", "--out", str(out), "--since", "24h", "--until", until)
    assert rendered.exit_code == 0, rendered.output
    page = out.read_text(encoding="utf-8")
    assert "535" in page and REDACTED in page  # the failed send is in the health section
    assert _leaks(page) == []


def test_errors_written_to_any_table_are_redacted(db: TestDatabase) -> None:
    register_secret(PASSWORD)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    with transaction(db.engine) as session:
        actor = Actor(name="Someone")
        account = Account(actor=actor, platform="telegram", handle="someone")
        # Content is data, never rewritten: a weak password may be an ordinary word of a post.
        post = Post(account=account, platform_post_id="1", published_at=now, text=PASSWORD)
        media = Media(post=post, position=0, kind="video", last_error=f"HTTP 401 {PASSWORD}")
        session.add_all([actor, account, post, media])
        session.flush()
        run = CollectionRun(account_id=account.id, started_at=now)
        session.add(run)
        session.flush()
        session.execute(
            update(CollectionRun)
            .where(CollectionRun.id == run.id)
            .values(error=f"login failed: {PASSWORD}")
        )
    with transaction(db.engine) as session:
        errors = [
            session.scalars(select(Media.last_error)).one(),
            session.scalars(select(CollectionRun.error)).one(),
        ]
        text = session.scalars(select(Post.text)).one()
    assert errors == [f"HTTP 401 {REDACTED}", f"login failed: {REDACTED}"]
    assert text == PASSWORD
