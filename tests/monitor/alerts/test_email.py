"""The email channel through the digest's SMTP sender to a real aiosmtpd server on loopback."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

from monitor.alerts.channel import DeliveryError
from monitor.alerts.channels.email import EmailChannel, message_id
from monitor.config_sections import SmtpConfig
from tests.support.alert_receivers import HOSTILE_POST, sample_item, sample_message
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.smtp_server import PASSWORD, USERNAME, closed_port, smtp_server

RECIPIENTS = ["analysts@example.org", "desk@example.org"]


def channel_for(port: int, **kwargs: object) -> EmailChannel:
    smtp = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security="none",
        from_address="alerts@polmon.example.org",
        timeout_seconds=5,
    )
    return EmailChannel("team-mail", RECIPIENTS, smtp, None, **kwargs)  # type: ignore[arg-type]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_an_alert_arrives_with_subject_text_html_and_a_stable_message_id() -> None:
    message = sample_message(
        sample_item(), sample_item(event_id="evt_2", term="traitor"), timezone="Asia/Phnom_Penh"
    )
    with smtp_server() as (server, port):
        channel = channel_for(port)
        channel.send(message)
        channel.send(message)  # a retry after a lost answer: the same Message-ID
    first, second = server.received
    assert sorted(first.rcpt_tos) == RECIPIENTS
    mail = first.message
    assert mail["Subject"] == (
        "[polmon] threats: Hun Manet (@hunmanet, youtube) said “cut the legs” at 1:15 (+1 more)"
    )
    assert mail["Message-ID"] == second.message["Message-ID"]
    assert mail["Message-ID"] == "<polmon-alert.msg_2f1c9a@polmon.example.org>"
    assert mail["X-Polmon-Alert-Id"] == "msg_2f1c9a"
    text, html = parts(mail)
    assert text.splitlines()[0] == "polmon alert — rule threats: 2 events"
    assert "2026-05-02 13:30 +07 — Hun Manet (@hunmanet, youtube) said “traitor” at 1:15" in text
    assert "https://www.youtube.com/watch?v=abc123&t=75s" in text
    assert 'href="https://www.youtube.com/watch?v=abc123&amp;t=75s"' in html


@pytest.mark.parametrize("hostile", [HOSTILE_POST, *HOSTILE_TEXTS.values()])
def test_hostile_post_text_is_verbatim_in_text_and_escaped_in_html(hostile: str) -> None:
    item = sample_item(snippet=hostile, actor=hostile[:50], group='"><script>x</script>')
    with smtp_server() as (server, port):
        channel_for(port).send(sample_message(item))
    [got] = server.received
    text, html = parts(got.message)
    flat = " ".join(hostile.split())[:200]
    assert flat in text
    seen = _Tags()
    seen.feed(html)
    assert seen.tags <= {"html", "body", "p", "b", "ul", "li", "i", "br", "a"}
    assert flat in "".join(seen.text)
    assert '"><script>x</script>' in "".join(seen.text)
    assert "\n" not in got.message["Subject"]


def test_a_temporary_refusal_is_retryable_and_a_refused_address_is_permanent() -> None:
    with smtp_server() as (server, port):
        server.temporary_failures = 1
        channel = channel_for(port)
        with pytest.raises(DeliveryError) as temporary:
            channel.send(sample_message())
        assert not temporary.value.permanent and "451" in str(temporary.value)
        channel.send(sample_message())
        assert len(server.received) == 1
        server.refused_domain = "example.org"
        with pytest.raises(DeliveryError) as refused:
            channel.send(sample_message())
        assert refused.value.permanent


def test_some_recipients_refused_is_delivered_to_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with smtp_server() as (server, port):
        server.refused_domain = "example.org"
        smtp = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
        channel = EmailChannel("m", ["a@example.org", "b@example.net"], smtp, None)
        channel.send(sample_message())
    assert [r.rcpt_tos for r in server.received] == [["b@example.net"]]
    assert "a@example.org" in caplog.text


def test_an_smtp_server_that_is_down_is_retryable() -> None:
    with closed_port() as port, pytest.raises(DeliveryError) as failed:
        channel_for(port).send(sample_message())
    assert not failed.value.permanent


def test_a_message_id_from_any_alert_id_is_well_formed() -> None:
    odd = message_id("a b<c>@d", "Polmon <alerts@example.org>")
    assert odd.startswith("<polmon-alert.") and odd.endswith("@example.org>")
    assert " " not in odd and odd.count("<") == 1
    assert message_id("x", "nobody") == "<polmon-alert.x@polmon.localhost>"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_from_config_logs_in_and_keeps_the_password_out_of_logs_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("POLMON_SMTP_PASSWORD", PASSWORD)
    with smtp_server(auth=True) as (server, port):
        body = (
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f'username = "{USERNAME}"\nfrom_address = "alerts@polmon.example.org"\n'
            '[digest]\nsubject_prefix = "[watch]"\n'
            '[[alerts.channels]]\nname = "team-mail"\nkind = "email"\n'
            'recipients = ["analysts@example.org"]\ntimeout_seconds = 5\n'
        )
        config = make_config(tmp_path, body=body)
        channel = EmailChannel.from_config(config, config.alerts.channels[0])
        channel.send(sample_message())
        monkeypatch.setenv("POLMON_SMTP_PASSWORD", PASSWORD + "-wrong")
        wrong = EmailChannel.from_config(config, config.alerts.channels[0])
        with pytest.raises(DeliveryError) as failed:
            wrong.send(sample_message())
    assert set(server.logins) == {USERNAME}  # smtplib tries each mechanism with a wrong one
    assert [r.message["Subject"].startswith("[watch] threats:") for r in server.received] == [True]
    assert failed.value.permanent  # 535 authentication failed
    assert PASSWORD not in caplog.text and PASSWORD not in str(failed.value)
