"""CSRF tokens: one per session, in every state-changing form, checked on every unsafe request."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import HTTPConnection, Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"  # for scripts posting JSON: the token from <meta name="csrf-token">
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(connection: HTTPConnection) -> str:
    """This session's token, made on first use (templates: `{{ csrf_token(request) }}`)."""
    token = connection.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = new_csrf_token(connection)
    return token


def new_csrf_token(connection: HTTPConnection) -> str:
    """A fresh token for this session (at login, so a token seen before it is worthless)."""
    token = secrets.token_urlsafe(32)
    connection.session[SESSION_KEY] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """Whether the request carries this session's token, in the header or the form field.

    `request` must be able to give its body again (the caller replays it downstream).
    """
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected:
        return False
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        async with request.form() as form:
            field = form.get(FORM_FIELD)
            sent = field if isinstance(field, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())
