"""The web app's factory: routers, security headers and polmon's own static files, nothing else."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from monitor.config import PolmonConfig
from monitor.web.deps import STATIC_DIR
from monitor.web.routes import ROUTER_MODULES
from monitor.web.security import SecurityHeaders


def create_app(config: PolmonConfig, engine: Engine) -> FastAPI:
    """The app for one database; `engine` is already migrated (the CLI's `app(ctx).engine`)."""
    app = FastAPI(
        title="polmon",
        summary="What officials post and say, collected by polmon: the analysts' JSON API.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load scripts from a CDN
        redoc_url=None,
    )
    app.state.config = config
    app.state.engine = engine
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
