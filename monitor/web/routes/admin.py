"""`/admin/users` (admins only): list, add and remove users, reset passwords; its API twin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from monitor.queries.users import UserListing, list_users
from monitor.web.auth import AdminUser, require_admin
from monitor.web.deps import DbSession, render
from storage.engine import transaction
from storage.models import USER_ROLES
from storage.users import MAX_PASSWORD_LENGTH, UserProblem, add_user, remove_user, set_password

router = APIRouter(dependencies=[Depends(require_admin)])
DONE = {
    "added": "User added.",
    "removed": "User removed.",
    "password": "Password changed; that user's other sessions have ended.",
}
Password = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]


def _page(
    request: Request, session: DbSession, *, error: str | None = None, status_code: int = 200
) -> Response:
    done = DONE.get(request.query_params.get("done", ""))
    return render(
        request,
        "admin_users.html",
        status_code=status_code,
        users=list_users(session),
        roles=USER_ROLES,
        done=done,
        error=error,
    )


def _done(what: str) -> Response:
    return RedirectResponse(f"/admin/users?done={what}", status_code=303)


@router.get("/admin/users", include_in_schema=False)
def admin_users(request: Request, session: DbSession) -> Response:
    """Every user with role and last login, and the forms that change them."""
    return _page(request, session)


@router.post("/admin/users", include_in_schema=False)
def admin_add_user(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form()],
    password: Password,
    password_again: Password,
) -> Response:
    if password != password_again:
        return _page(request, session, error="The two passwords differ.", status_code=400)
    try:
        with transaction(request.app.state.engine) as writing:
            add_user(writing, name, password, role)
    except UserProblem as exc:
        return _page(request, session, error=str(exc), status_code=400)
    return _done("added")


@router.post("/admin/users/{name}/remove", include_in_schema=False)
def admin_remove_user(
    request: Request, session: DbSession, admin: AdminUser, name: str
) -> Response:
    if name == admin.name:
        error = "You cannot remove yourself: another admin can, or `polmon users remove`."
        return _page(request, session, error=error, status_code=400)
    try:
        with transaction(request.app.state.engine) as writing:
            remove_user(writing, name)
    except UserProblem as exc:
        return _page(request, session, error=str(exc), status_code=404)
    return _done("removed")


@router.post("/admin/users/{name}/password", include_in_schema=False)
def admin_set_password(
    request: Request, session: DbSession, name: str, password: Password, password_again: Password
) -> Response:
    if password != password_again:
        return _page(request, session, error="The two passwords differ.", status_code=400)
    try:
        with transaction(request.app.state.engine) as writing:
            set_password(writing, name, password)
    except UserProblem as exc:
        return _page(request, session, error=str(exc), status_code=400)
    return _done("password")


@router.get("/api/admin/users", tags=["admin"])
def api_admin_users(session: DbSession) -> list[UserListing]:
    """Every user with role, creation, password change and last login (admins only)."""
    return list_users(session)
