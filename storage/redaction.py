"""Known secrets and `redact`, the one function that hides them wherever text leaves polmon.

Used by the log formatters (before JSON encoding), the CLI's error line, the storage boundary
(every string written to the database: run, media, job and digest errors) and the digest.
"""

from __future__ import annotations

import os
import threading

# Environment variables whose values are secrets: never written anywhere, whatever wrote them.
SECRET_ENV_VARS = ("POLMON_SMTP_PASSWORD", "POLMON_TELEGRAM_API_HASH")
REDACTED = "***"
# Shorter values would blank out ordinary words.
MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact `value` from everything polmon writes from now on (call it where a secret is read)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def known_secrets() -> list[str]:
    """Registered secrets and those in the secret environment variables, longest first."""
    with _lock:
        secrets = set(_secrets)
    for name in SECRET_ENV_VARS:
        value = os.environ.get(name, "")
        if len(value) >= MIN_SECRET_LENGTH:
            secrets.add(value)
    return sorted(secrets, key=len, reverse=True)


def redact(text: str) -> str:
    """`text` with every known secret replaced by ***."""
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
