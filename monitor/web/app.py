"""The web app's factory: routers, the login wall, sessions, security headers, static files."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.middleware.sessions import SessionMiddleware

from monitor.config import PolmonConfig, load_config
from monitor.web.auth import LoginWall, template_globals
from monitor.web.deps import STATIC_DIR, templates
from monitor.web.ratelimit import LoginLimiter
from monitor.web.routes import ROUTER_MODULES
from monitor.web.secret import web_secret_key
from monitor.web.security import SecurityHeaders

SESSION_COOKIE = "polmon_session"
# Over HTTPS the `__Host-` prefix makes the browser refuse the cookie unless it is Secure, for
# this host only (no Domain) and for every path: no subdomain can plant one.
SECURE_SESSION_COOKIE = "__Host-polmon_session"


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
    secret = web_secret_key(config)
    max_age = config.web.session_hours * 3600
    app.state.config = config
    app.state.engine = engine
    app.state.web_secret = secret
    app.state.session_max_age = max_age
    app.state.login_limiter = LoginLimiter(config.web.login_attempts_per_minute)
    templates.env.globals.update(template_globals())
    # Added innermost first: headers wrap everything, sessions wrap the login wall.
    app.add_middleware(LoginWall, engine=engine, secret=secret, max_age_seconds=max_age)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SECURE_SESSION_COOKIE if config.web.secure_cookies else SESSION_COOKIE,
        max_age=max_age,
        same_site="lax",
        https_only=config.web.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app


def app_from_environment() -> FastAPI:
    """The app for `$POLMON_CONFIG`, as each of `polmon serve --workers N`'s processes builds it.

    The engine is only connected here: `polmon serve` migrated the database before starting
    the workers.
    """
    config = load_config()
    return create_app(config, config.open_engine())
