"""`polmon worker --stage collect`: collect due accounts, each claimed, until stopped."""

from __future__ import annotations

import click

from monitor import shutdown
from monitor.cli.context import app


def collect_worker(ctx: click.Context) -> None:
    """Due passes until SIGTERM or Ctrl-C; other workers and daemons share the accounts."""
    from monitor.collect_worker import run_collect_worker
    from monitor.due import account_intervals

    context = app(ctx)
    if not account_intervals(context.config):
        raise click.ClickException(
            "no account has interval_minutes: nothing for a collect worker to claim"
        )
    shutdown.reset()
    with shutdown.signals_request_stop():
        count = run_collect_worker(context.config, context.engine, follow=True)
    click.echo(f"collect worker stopped: {count} accounts collected")
