"""What route handlers share: a read session per request, the templates, the static folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.responses import Response

from monitor.config import PolmonConfig
from monitor.hit_confidence import is_low, match_label
from storage.engine import session_factory

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")  # autoescapes .html
# How sure a keyword hit is, in the same words on every page (monitor.hit_confidence).
templates.env.globals.update(match_label=match_label, is_low_confidence=is_low)


def db_session(request: Request) -> Iterator[Session]:
    """A session for this request (route handlers only read, through monitor.queries)."""
    with session_factory(request.app.state.engine)() as session:
        yield session


def app_config(request: Request) -> PolmonConfig:
    config: PolmonConfig = request.app.state.config
    return config


DbSession = Annotated[Session, Depends(db_session)]
Config = Annotated[PolmonConfig, Depends(app_config)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page from `templates/`, with the request (and so the logged-in user) in its context."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def bad_request(message: str) -> HTTPException:
    """A 400 naming what is wrong with the request's parameters (one line, no traceback)."""
    return HTTPException(status_code=400, detail=message)
