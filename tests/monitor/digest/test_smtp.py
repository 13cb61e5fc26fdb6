"""The digest mailed to a real SMTP server on loopback: structure, escaping, once-only, retries."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from monitor.config import load_config
from monitor.digest import run_digest, write_digest
from storage.engine import transaction
from storage.models import Digest
from tests.conftest import TestDatabase, invoke
from tests.support.config import make_config, write_config
from tests.support.digest_data import CONFIG_BODY, HOSTILE, NOW, populate
from tests.support.smtp_server import (
    PASSWORD,
    USERNAME,
    TestCertificates,
    closed_port,
    make_certificates,
    smtp_server,
)

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("digest-smtp")

RECIPIENTS = ["analysts@example.org", "editor@example.org"]


def digest_toml(port: int, *, security: str = "none", extra_smtp: str = "", lists: str = "") -> str:
    lists = lists or (
        f'[[digest.lists]]\nname = "team"\nrecipients = {RECIPIENTS!r}\n'.replace("'", '"')
    )
    return (
        CONFIG_BODY
        + f"""
[digest]
enabled = true
subject_prefix = "[watch]"
{lists}
[smtp]
host = "127.0.0.1"
port = {port}
security = "{security}"
from_address = "polmon@example.org"
timeout_seconds = 10
max_attempts = 3
retry_backoff_seconds = 0.05
{extra_smtp}
"""
    )


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    pytest.importorskip("cryptography", reason="the `cryptography` package makes the test certs")
    return make_certificates(tmp_path_factory.mktemp("certs"))


def digest_rows(database: TestDatabase) -> list[Digest]:
    with transaction(database.engine) as session:
        return list(session.scalars(select(Digest).order_by(Digest.id)))


def check_structure(message: EmailMessage) -> tuple[str, str, bytes]:
    """multipart/alternative[text/plain, multipart/related[text/html, image/png]]."""
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()  # type: ignore[misc]
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    cid = image["Content-ID"].strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html
    png = image.get_content()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    return plain.get_content(), html, png


def assert_no_active_content(html: str) -> None:
    """No script element, no on* handler, no javascript: link anywhere in the document."""
    tree = lxml_html.document_fromstring(html)
    assert tree.xpath("//script") == []
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower(), (element.tag, name, value)


def test_digest_over_starttls_with_auth(
    sqlite_db: TestDatabase,
    tmp_path: Path,
    certificates: TestCertificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(sqlite_db.engine)
    monkeypatch.setenv("POLMON_SMTP_PASSWORD", PASSWORD)
    with smtp_server(starttls=certificates.server_context(), auth=True) as (server, port):
        config = make_config(
            tmp_path,
            sqlite_db,
            digest_toml(
                port,
                security="starttls",
                extra_smtp=f'username = "{USERNAME}"\nca_file = "{certificates.ca_file}"',
            ),
        )
        [outcome] = run_digest(config, sqlite_db.engine, now=NOW)
    assert outcome.status == "sent" and outcome.attempts == 1
    [received] = server.received
    assert received.tls and received.login == USERNAME
    assert received.rcpt_tos == RECIPIENTS
    assert received.mail_from == "polmon@example.org"
    message = received.message
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Subject"] == (
        "[watch] digest team: 6 new posts, 5 keyword hits, 3 failures - "
        "2024-05-01 07:00 - 2024-05-02 07:00 (Asia/Phnom_Penh)"
    )
    text, html, _png = check_structure(message)
    # The plain part carries the content verbatim (it is not HTML).
    assert "We will arrest the traitor." in text and HOSTILE in text
    assert "said at 1:23: https://www.tiktok.com/@samdechhunsen/video/speech?t=83" in text
    # The HTML part carries it escaped: no markup from a post survives.
    assert "&lt;script&gt;document.title=" in html
    assert "&lt;img src=x onerror=" in html
    assert "<script" not in html.lower() and "<img src=x" not in html
    assert_no_active_content(html)
    assert 'href="https://www.tiktok.com/@samdechhunsen/video/speech?t=83"' in html
    assert "said at 1:23" in html
    [row] = digest_rows(sqlite_db)
    assert (row.status, row.attempts, row.list_name) == ("sent", 1, "team")
    assert row.period_start.isoformat() == "2024-05-01T00:00:00+00:00"


def test_second_send_for_same_period_is_refused(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    with smtp_server() as (server, port):
        config_path = write_config(tmp_path, sqlite_db, digest_toml(port))
        args = (
            "digest",
            "--send",
            "--since",
            "2024-05-01T07:00+07:00",
            "--until",
            "2024-05-02T07:00+07:00",
        )
        first = invoke(config_path, *args)
        assert first.exit_code == 0, first.stdout
        assert first.stdout.startswith("sent team to 2 recipients (1 attempt)")
        again = invoke(config_path, *args)  # a new process would see the same row
        assert again.exit_code == 0, again.stdout
        assert "not sent: team for 2024-05-01 07:00 – 2024-05-02 07:00" in again.stdout
        assert "already sent at" in again.stdout
        [outcome] = run_digest(
            load_config(config_path),
            sqlite_db.engine,
            now=NOW,
        )
    assert outcome.status == "already sent"
    assert len(server.received) == 1
    assert [(row.status, row.attempts) for row in digest_rows(sqlite_db)] == [("sent", 1)]


def test_temporary_failure_is_retried_then_sent(db: TestDatabase, tmp_path: Path) -> None:
    populate(db.engine)
    with smtp_server() as (server, port):
        server.temporary_failures = 1
        config = make_config(tmp_path, db, digest_toml(port))
        [outcome] = run_digest(config, db.engine, now=NOW)
    assert (outcome.status, outcome.attempts) == ("sent", 2)
    assert len(server.received) == 1
    assert [(row.status, row.attempts) for row in digest_rows(db)] == [("sent", 2)]


def test_failure_is_retried_then_recorded_and_resent_later(
    db: TestDatabase, tmp_path: Path
) -> None:
    populate(db.engine)
    with smtp_server() as (server, port):
        server.temporary_failures = 100
        config_path = write_config(tmp_path, db, digest_toml(port))
        args = ("digest", "--send", "--date", "2024-05-01")
        result = invoke(config_path, *args)
        assert result.exit_code == 1
        # One line for the user after the retry warnings in the log.
        assert result.stderr.strip().splitlines()[-1] == (
            "Error: digest team not sent after 3 attempts: SMTPDataError: 451 4.3.0 temporary "
            "local problem, try again"
        )
        assert result.stderr.count("SMTP attempt") == 3
        assert server.received == []
        [row] = digest_rows(db)
        assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
        assert "451" in (row.error or "")
        # The next run for the same period takes the failed row over and sends it.
        server.temporary_failures = 0
        retry = invoke(config_path, *args)
    assert retry.exit_code == 0, retry.stdout
    assert len(server.received) == 1
    [row] = digest_rows(db)
    assert (row.status, row.attempts, row.error) == ("sent", 4, None)


def test_refused_recipients_fail_without_retrying(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    lists = '[[digest.lists]]\nname = "bounce"\nrecipients = ["nobody@refused.example"]\n'
    with smtp_server() as (server, port):
        server.refused_domain = "refused.example"
        config = make_config(tmp_path, sqlite_db, digest_toml(port, lists=lists))
        [outcome] = run_digest(config, sqlite_db.engine, now=NOW)
    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert "nobody@refused.example: 550" in (outcome.error or "")
    assert server.received == []


def test_unreachable_server_is_retried_then_recorded(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    populate(sqlite_db.engine)
    with closed_port() as port:
        config = make_config(tmp_path, sqlite_db, digest_toml(port))
        [outcome] = run_digest(config, sqlite_db.engine, now=NOW)
    assert (outcome.status, outcome.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in (outcome.error or "")
    [row] = digest_rows(sqlite_db)
    assert (row.status, row.attempts) == ("failed", 3)


def test_implicit_tls_and_certificate_checks(
    sqlite_db: TestDatabase, tmp_path: Path, certificates: TestCertificates
) -> None:
    populate(sqlite_db.engine)
    with smtp_server(implicit_tls=certificates.server_context()) as (server, port):
        trusted = make_config(
            tmp_path,
            sqlite_db,
            digest_toml(port, security="ssl", extra_smtp=f'ca_file = "{certificates.ca_file}"'),
        )
        [outcome] = run_digest(trusted, sqlite_db.engine, now=NOW)
        assert outcome.status == "sent" and server.received[0].tls
        # Without the private CA the certificate is not trusted: a permanent failure.
        untrusted = make_config(tmp_path, sqlite_db, digest_toml(port, security="ssl"))
        [refused] = run_digest(untrusted, sqlite_db.engine, now=NOW.replace(hour=1))
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "CERTIFICATE_VERIFY_FAILED" in (refused.error or "")
    assert len(server.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_plain_connection_with_auth(
    sqlite_db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(sqlite_db.engine)
    secret = tmp_path / "smtp_password"
    secret.write_text(PASSWORD + "\n")
    monkeypatch.delenv("POLMON_SMTP_PASSWORD", raising=False)
    with smtp_server(auth=True) as (server, port):
        extra = f'username = "{USERNAME}"\npassword_file = "{secret}"'
        config = make_config(tmp_path, sqlite_db, digest_toml(port, extra_smtp=extra))
        [outcome] = run_digest(config, sqlite_db.engine, now=NOW)
        assert outcome.status == "sent"
        assert server.received[0].login == USERNAME
        # A wrong password is refused by the server: permanent, not retried.
        secret.write_text("wrong-password")
        [denied] = run_digest(config, sqlite_db.engine, now=NOW.replace(hour=2))
    assert (denied.status, denied.attempts) == ("failed", 1)
    assert "SMTPAuthenticationError: 535" in (denied.error or "")
    assert set(server.logins) == {USERNAME}


def test_lists_get_their_own_actors_and_groups(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    lists = (
        '[[digest.lists]]\nname = "team"\nrecipients = ["team@example.org"]\n'
        '[[digest.lists]]\nname = "manet-desk"\nrecipients = ["desk@example.org"]\n'
        'actors = ["Hun Manet"]\nkeyword_groups = ["opposition"]\n'
    )
    with smtp_server() as (server, port):
        config = make_config(tmp_path, sqlite_db, digest_toml(port, lists=lists))
        outcomes = run_digest(config, sqlite_db.engine, now=NOW)
    assert [(o.list_name, o.status) for o in outcomes] == [("team", "sent"), ("manet-desk", "sent")]
    by_rcpt = {item.rcpt_tos[0]: item.message for item in server.received}
    desk = by_rcpt["desk@example.org"]
    text = desk.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert desk["Subject"].startswith("[watch] digest manet-desk: 2 new posts, 1 keyword hits")
    assert "Hun Sen" not in text and "[threats]" not in text
    assert "late CNRP" in text and "A post that was deleted" in text
    team_text = by_rcpt["team@example.org"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hun Sen" in team_text and "[threats]" in team_text


def test_out_writes_html_with_embedded_chart(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    config_path = write_config(tmp_path, sqlite_db, CONFIG_BODY)
    out = tmp_path / "report" / "digest.html"
    result = invoke(config_path, "digest", "--until", "2024-05-02T00:00", "--out", str(out))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith(f"wrote {out}: [polmon] digest: 6 new posts")
    html = out.read_text()
    by_date = invoke(config_path, "digest", "--date", "2024-05-01", "--out", str(out))
    assert by_date.stdout.startswith(f"wrote {out}: [polmon] digest: 3 new posts, 2 keyword")
    assert "&lt;script&gt;document.title=" in html
    assert '<img src="data:image/png;base64,' in html and "cid:" not in html
    assert_no_active_content(html)
    usage = invoke(config_path, "digest", "--date", "2024-05-01")
    assert usage.exit_code == 2 and "give either --out FILE" in usage.stderr
    # The Python entry point `polmon demo` uses: one file, the same HTML.
    config = load_config(config_path)
    written = write_digest(config, sqlite_db.engine, tmp_path / "api" / "d.html", now=NOW)
    assert (written.list_name, written.status) == ("all", "rendered")
    api_html = (tmp_path / "api" / "d.html").read_text()
    assert written.rendered is not None and written.rendered.html == api_html
    assert api_html.split("generated")[0] == html.split("generated")[0]  # same digest
    off = invoke(config_path, "digest", "--send")
    assert off.exit_code == 1
    assert off.stderr.strip().splitlines()[-1] == (
        "Error: digest sending is off: set [digest] enabled = true in the config"
    )
