"""`/healthz`: public, for a reverse proxy or systemd to check the app and its database."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.queries.status import database_ok
from monitor.web.deps import DbSession

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz(session: DbSession) -> dict[str, str]:
    """`{"status": "ok"}` while the database answers."""
    database_ok(session)
    return {"status": "ok"}
