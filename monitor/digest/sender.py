"""Send a message over SMTP (STARTTLS, SSL or plain; optional AUTH), retrying with backoff."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from collectors.errors import PolmonError
from monitor import shutdown
from monitor.config import SmtpConfig

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """How a send went: accepted or not, after how many attempts, and why not."""

    ok: bool
    attempts: int
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)


class PermanentSmtpError(PolmonError):
    """A failure that retrying cannot fix (bad credentials, refused address, TLS setup)."""

    expected = True
    permanent = True


class SmtpSendError(PolmonError):
    """One attempt failed; `permanent` when the server's code says retrying cannot help."""

    expected = True


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + "; ".join(
            f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}".strip()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLCertVerificationError)


def _send_once(
    config: SmtpConfig, password: str | None, message: EmailMessage, ca_file: Path | None
) -> dict[str, str]:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    client: smtplib.SMTP
    if config.security == "ssl":
        client = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_seconds, context=context
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
    with client:
        client.ehlo()
        if config.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if config.username:
            client.login(config.username, password or "")
        refused = client.send_message(message, from_addr=config.from_address)
    return {rcpt: f"{code} {_text(reply)}" for rcpt, (code, reply) in refused.items()}


def credentials_problem(config: SmtpConfig, password: str | None) -> str | None:
    """Why these credentials cannot be sent at all (smtplib's AUTH takes ASCII only), or None."""
    if config.username and not (config.username.isascii() and (password or "").isascii()):
        return (
            "smtp.username or the SMTP password has non-ASCII characters, which SMTP AUTH "
            "(Python's smtplib) cannot send: use ASCII credentials"
        )
    return None


def send_once(
    config: SmtpConfig, password: str | None, message: EmailMessage, *, ca_file: Path | None = None
) -> dict[str, str]:
    """One attempt, for a caller that retries on its own (the alerts outbox): the recipients the
    server refused while accepting the others; SmtpSendError when nothing was accepted."""
    problem = credentials_problem(config, password)
    if problem:
        raise SmtpSendError(problem, permanent=True)
    try:
        return _send_once(config, password, message, ca_file)
    except (smtplib.SMTPException, OSError) as exc:
        raise SmtpSendError(_describe(exc), permanent=_is_permanent(exc)) from None


def deliver(
    config: SmtpConfig,
    password: str | None,
    message: EmailMessage,
    *,
    ca_file: Path | None = None,
    wait: Callable[[float], bool] = shutdown.wait,
) -> Delivery:
    """Try up to `max_attempts` times; temporary failures wait `retry_backoff_seconds`, doubling."""
    if config.username and config.security == "none":
        log.warning("SMTP AUTH over an unencrypted connection to %s", config.host)
    error = credentials_problem(config, password)
    if error:
        log.error("SMTP send to %s not attempted: %s", config.host, error)
        return Delivery(False, 0, error)
    error = "not attempted"
    for attempt in range(1, config.max_attempts + 1):
        try:
            refused = _send_once(config, password, message, ca_file)
        except (smtplib.SMTPException, OSError) as exc:
            error = _describe(exc)
            if _is_permanent(exc):
                log.error("SMTP send to %s failed permanently: %s", config.host, error)
                return Delivery(False, attempt, error)
            log.warning(
                "SMTP attempt %d/%d to %s:%d failed: %s",
                attempt,
                config.max_attempts,
                config.host,
                config.port,
                error,
            )
            if attempt < config.max_attempts and wait(
                config.retry_backoff_seconds * 2 ** (attempt - 1)
            ):
                error += " (stopped before retrying)"
                return Delivery(False, attempt, error)
            continue
        detail = "; ".join(f"{rcpt}: {reply}" for rcpt, reply in refused.items()) or None
        return Delivery(True, attempt, f"refused: {detail}" if detail else None, refused)
    return Delivery(False, config.max_attempts, error)
