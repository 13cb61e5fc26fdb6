"""`polmon serve`: run the web app on the configured database."""

from __future__ import annotations

import os

import click

from monitor.cli.context import app
from monitor.config_sections import CONFIG_ENV


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: 8080).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes serving requests, about one per core (default: [web] workers, 1).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web app: overview, actors, posts with versions, transcripts, hits, search.

    Everyone logs in (make users with `polmon users add`); put it behind an HTTPS reverse
    proxy before exposing it (docs/deployment.md).
    """
    import uvicorn

    from monitor.web.app import create_app

    context = app(ctx)
    config = context.config
    engine = context.engine  # connected and migrated once, before any worker starts
    processes = workers or config.web.workers
    listen_host, listen_port = host or config.web.host, port or config.web.port
    if processes == 1:
        uvicorn.run(
            create_app(config, engine),
            host=listen_host,
            port=listen_port,
            proxy_headers=True,
            server_header=False,
            log_level="info",
        )
        return
    # Each worker process builds its own app from the same config file.
    engine.dispose()
    if config.source is not None:
        os.environ[CONFIG_ENV] = str(config.source.resolve())
    uvicorn.run(
        "monitor.web.app:app_from_environment",
        factory=True,
        workers=processes,
        host=listen_host,
        port=listen_port,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )
