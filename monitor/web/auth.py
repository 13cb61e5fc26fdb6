"""Who is logged in: the session's user, the login wall in front of every route, roles.

`LoginWall` (installed by `create_app`) runs before every route, so routers added later are
protected without doing anything: only `/healthz`, `/login` and `/static/*` are public; an
HTML request without a session is sent to `/login?next=…`, an `/api/` request gets 401.
Unsafe methods (POST, PUT, PATCH, DELETE) also need the session's CSRF token, or get 403.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.queries.users import Credentials, find_signed_in
from monitor.web.csrf import SAFE_METHODS, csrf_ok, csrf_token, new_csrf_token
from storage.engine import session_factory

PUBLIC_PATHS = frozenset({"/healthz", "/login"})
PUBLIC_PREFIXES = ("/static/",)
MAX_FORM_BYTES = 1 << 20  # forms here are a few fields; anything bigger is refused (413)
# Session keys: the user's id, when they logged in, a fingerprint of their password's age.
USER_ID, SIGNED_IN_AT, PASSWORD_STAMP = "uid", "at", "pw"


@dataclass(frozen=True)
class SignedInUser:
    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else `/` (no open redirect via `next=`)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _password_stamp(secret: str, user: Credentials) -> str:
    """Changes when the password is set again, so older sessions of that user end."""
    message = f"{user.id}:{user.password_changed_at.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def sign_in(connection: HTTPConnection, user: Credentials, secret: str) -> None:
    """Start a new session for `user` (a fresh CSRF token: any token seen before is void)."""
    connection.session.clear()
    connection.session.update(
        {
            USER_ID: user.id,
            SIGNED_IN_AT: int(time.time()),
            PASSWORD_STAMP: _password_stamp(secret, user),
        }
    )
    new_csrf_token(connection)


def sign_out(connection: HTTPConnection) -> None:
    connection.session.clear()


def session_user(
    connection: HTTPConnection, engine: Engine, secret: str, max_age_seconds: int
) -> SignedInUser | None:
    """The user this session belongs to, or None (none, expired, removed, password changed)."""
    session = connection.session
    user_id, signed_in_at = session.get(USER_ID), session.get(SIGNED_IN_AT)
    if not isinstance(user_id, int) or not isinstance(signed_in_at, int):
        return None
    if not 0 <= time.time() - signed_in_at < max_age_seconds:
        sign_out(connection)
        return None
    with session_factory(engine)() as db:
        user = find_signed_in(db, user_id)
    stamp = session.get(PASSWORD_STAMP)
    if (
        user is None
        or not isinstance(stamp, str)
        or not hmac.compare_digest(stamp.encode(), _password_stamp(secret, user).encode())
    ):
        sign_out(connection)
        return None
    return SignedInUser(user.id, user.name, user.role)


def login_required(connection: HTTPConnection) -> Response:
    if is_api(connection.url.path):
        return JSONResponse({"detail": "login required"}, status_code=401)
    target = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
    return RedirectResponse(f"/login?next={quote(safe_next(target), safe='')}", status_code=303)


class LoginWall:
    """ASGI middleware: a signed-in user for every non-public path, a CSRF token for every
    unsafe method. Runs inside the session middleware."""

    def __init__(self, app: ASGIApp, *, engine: Engine, secret: str, max_age_seconds: int) -> None:
        self.app = app
        self.engine = engine
        self.secret = secret
        self.max_age_seconds = max_age_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if not is_public(scope["path"]):
            user = await run_in_threadpool(
                session_user, connection, self.engine, self.secret, self.max_age_seconds
            )
            if user is None:
                await login_required(connection)(scope, receive, send)
                return
            scope.setdefault("state", {})["user"] = user
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive)
            if body is None:
                await PlainTextResponse("request too large", status_code=413)(scope, receive, send)
                return
            if not await csrf_ok(Request(scope, _replay(body, receive))):
                forbidden = _forbidden("missing or wrong CSRF token: reload the page", scope)
                await forbidden(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)


def _forbidden(message: str, scope: Scope) -> Response:
    if is_api(scope["path"]):
        return JSONResponse({"detail": message}, status_code=403)
    return PlainTextResponse(message, status_code=403)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None past MAX_FORM_BYTES."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive_more: Receive) -> Receive:
    """A `receive` that hands over `body` once, then the server's own (for the disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive_more()

    return receive


# Route dependencies -------------------------------------------------------------------------


def current_user(request: Request) -> SignedInUser:
    """The logged-in user (the login wall guarantees one on every protected route)."""
    user = getattr(request.state, "user", None)
    if not isinstance(user, SignedInUser):
        raise HTTPException(status_code=401, detail="login required")
    return user


CurrentUser = Annotated[SignedInUser, Depends(current_user)]


def require_admin(user: CurrentUser) -> SignedInUser:
    """The logged-in user if an admin, else 403."""
    if not user.is_admin:
        raise HTTPException(status_code=403, detail="only admins may do this")
    return user


AdminUser = Annotated[SignedInUser, Depends(require_admin)]


def signed_in_user(request: Request) -> SignedInUser | None:
    """For templates: the logged-in user, or None on public pages."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, SignedInUser) else None


def template_globals() -> dict[str, Any]:
    """What every template may call: `csrf_token(request)`, `signed_in_user(request)`."""
    return {"csrf_token": csrf_token, "signed_in_user": signed_in_user}
