"""Email channel: the alert as plain text (and escaped HTML) through the digest's SMTP sender."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.alerts.channel import DeliveryError
from monitor.alerts.format import headline, item_text, plain_text
from monitor.alerts.message import AlertMessage
from monitor.config_sections import SmtpConfig
from monitor.digest.sender import SmtpSendError, send_once
from storage.redaction import register_secret

if TYPE_CHECKING:
    from monitor.alerts.config import AlertChannelConfig
    from monitor.config import PolmonConfig

log = logging.getLogger(__name__)

_MSGID_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def message_id(alert_id: str, sender: str) -> str:
    """A Message-ID that is the same for every retry of one alert (mail clients drop doubles)."""
    local = (
        alert_id if _MSGID_SAFE.match(alert_id) else hashlib.sha256(alert_id.encode()).hexdigest()
    )
    _, at, domain = sender.rpartition("@")
    domain = domain.strip(" <>")
    if not at or not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        domain = "polmon.localhost"
    return f"<polmon-alert.{local}@{domain}>"


def html_body(message: AlertMessage) -> str:
    """The same words as the text part, every piece of post text escaped."""
    rows = []
    for item in message.items:
        parts = item_text(item, message.timezone)
        row = f"<b>{html.escape(parts.when)}</b> {html.escape(parts.who)} {html.escape(parts.what)}"
        if parts.group:
            row += f" <i>[{html.escape(parts.group)}]</i>"
        if parts.snippet:
            row += f"<br>“{html.escape(parts.snippet)}”"
        links = [
            f'<a href="{html.escape(url)}">{label}</a>'
            for url, label in ((parts.link, "post"), (parts.web_link, "in polmon"))
            if url
        ]
        if links:
            row += "<br>" + " · ".join(links)
        rows.append(f"<li>{row}</li>")
    count = len(message.items)
    return (
        "<!doctype html><html><body>"
        f"<p>polmon alert — rule <b>{html.escape(message.rule)}</b>: {count} "
        f"event{'s' if count != 1 else ''}</p><ul>{''.join(rows)}</ul></body></html>"
    )


class EmailChannel:
    """Sends each message to `recipients` in one attempt; the outbox retries a failure."""

    def __init__(
        self,
        name: str,
        recipients: Sequence[str],
        smtp: SmtpConfig,
        password: str | None,
        *,
        ca_file: Path | None = None,
        subject_prefix: str = "[polmon]",
    ) -> None:
        self.name = name
        self.recipients = list(recipients)
        self.smtp = smtp
        self._password = password
        register_secret(password)
        self.ca_file = ca_file
        self.subject_prefix = subject_prefix

    @classmethod
    def from_config(cls, config: PolmonConfig, channel: AlertChannelConfig) -> EmailChannel:
        smtp = config.smtp.model_copy(update={"timeout_seconds": channel.timeout_seconds})
        return cls(
            channel.name,
            channel.recipients,
            smtp,
            config.smtp_password(required=bool(config.smtp.username)),
            ca_file=config.resolve(config.smtp.ca_file) if config.smtp.ca_file else None,
            subject_prefix=config.digest.subject_prefix,
        )

    def build(self, message: AlertMessage, *, now: datetime | None = None) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = f"{self.subject_prefix} {headline(message)}".strip()
        email["From"] = self.smtp.from_address
        email["To"] = ", ".join(self.recipients)
        email["Date"] = format_datetime(now or datetime.now(UTC))
        email["Message-ID"] = message_id(message.id, self.smtp.from_address)
        email["X-Polmon-Alert-Id"] = message.id
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(plain_text(message))
        email.add_alternative(html_body(message), subtype="html")
        return email

    def send(self, message: AlertMessage) -> None:
        try:
            refused = send_once(
                self.smtp, self._password, self.build(message), ca_file=self.ca_file
            )
        except SmtpSendError as exc:
            raise DeliveryError(f"email {self.name}: {exc}", permanent=exc.permanent) from None
        if refused:
            log.warning(
                "email %s: the server refused %s (the others got it)", self.name, ", ".join(refused)
            )
