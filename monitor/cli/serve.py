"""`polmon serve`: run the web app on the configured database."""

from __future__ import annotations

import click

from monitor.cli.context import app


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: 8080).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web app: overview, actors, posts with versions, transcripts, hits, search.

    Everyone logs in (make users with `polmon users add`); put it behind an HTTPS reverse
    proxy before exposing it (docs/deployment.md).
    """
    import uvicorn

    from monitor.web.app import create_app

    context = app(ctx)
    config = context.config
    web_app = create_app(config, context.engine)
    uvicorn.run(
        web_app,
        host=host or config.web.host,
        port=port or config.web.port,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )
