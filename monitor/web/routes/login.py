"""`/login` (the form, public) and `/logout`: sessions start and end here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from monitor.queries.users import find_credentials
from monitor.web.auth import safe_next, session_user, sign_in, sign_out
from monitor.web.deps import DbSession, render
from monitor.web.ratelimit import LoginLimiter, login_keys
from storage.engine import transaction
from storage.users import MAX_PASSWORD_LENGTH, password_matches, record_login

router = APIRouter(include_in_schema=False)
FAILED = "Wrong user name or password."


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form; a browser already logged in goes straight on to `next`."""
    state = request.app.state
    if session_user(request, state.engine, state.web_secret, state.session_max_age):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the name and password (the same answer for an unknown name and a wrong password);
    at most `[web] login_attempts_per_minute` failures per address and per name."""
    limiter: LoginLimiter = request.app.state.login_limiter
    keys = login_keys(request.client.host if request.client else "unknown", name)
    target = safe_next(next)
    wait = limiter.retry_after(keys)
    if wait:
        refused = render(
            request,
            "login.html",
            status_code=429,
            next=target,
            error=f"Too many failed logins: try again in {wait} seconds.",
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    user = find_credentials(session, name)
    if not password_matches(user.password_hash if user else None, password) or user is None:
        limiter.failed(keys)
        return render(request, "login.html", status_code=401, next=target, error=FAILED)
    with transaction(request.app.state.engine) as writing:
        record_login(writing, user.id, password)
    sign_in(request, user, request.app.state.web_secret)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session (the login wall has checked its CSRF token)."""
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
