"""`polmon alerts dispatch|test|list`: deliver the alert outbox, try a channel, show the outbox."""

from __future__ import annotations

import uuid

import click

from monitor.cli.context import UserError, app
from monitor.output import emit, format_option
from monitor.queries.alerts import DELIVERY_COLUMNS, list_deliveries
from storage.models import ALERT_DELIVERY_STATUSES
from storage.types import utcnow


@click.group()
def alerts() -> None:
    """Real-time alerts: the outbox of events and their deliveries to channels."""


@alerts.command("dispatch")
@click.pass_context
def alerts_dispatch(ctx: click.Context) -> None:
    """Send every due alert once (what `polmon run` does continuously)."""
    from monitor.alerts.dispatch import dispatch_once

    context = app(ctx)
    settings = context.config.alerts
    if not settings.enabled or not settings.rules:
        click.echo("alerts are off or no [[alerts.rules]] are configured: nothing dispatched")
        return
    report = dispatch_once(context.engine, context.config)
    click.echo(
        f"{report.messages_sent} message(s) sent, {report.delivered} delivered, "
        f"{report.retrying} to retry, {report.failed} failed, {report.held} waiting to bundle"
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.failed or report.retrying:
        ctx.exit(1)


@alerts.command("test")
@click.argument("channel")
@click.pass_context
def alerts_test(ctx: click.Context, channel: str) -> None:
    """Send a test message to CHANNEL now (outside the outbox)."""
    from monitor.alerts.channels import build_channel
    from monitor.alerts.message import AlertItem, AlertMessage

    config = app(ctx).config
    configured = {c.name: c for c in config.alerts.channels}
    if channel not in configured:
        names = ", ".join(sorted(configured)) or "none configured"
        raise UserError(f"no [[alerts.channels]] named {channel!r} ({names})")
    now = utcnow()
    message = AlertMessage(
        id=f"test_{uuid.uuid4().hex}",
        rule="test",
        channel=channel,
        items=(
            AlertItem(
                event_id=f"test_{uuid.uuid4().hex}",
                kind="test",
                occurred_at=now,
                detected_at=now,
                snippet="A test alert from `polmon alerts test`: this channel works.",
            ),
        ),
        timezone=config.schedule.timezone,
    )
    build_channel(config, configured[channel]).send(message)
    click.echo(f"test message sent to {channel}")


@alerts.command("list")
@click.option(
    "--status", type=click.Choice(ALERT_DELIVERY_STATUSES), default=None, help="Only these."
)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@format_option()
@click.pass_context
def alerts_list(ctx: click.Context, status: str | None, limit: int, fmt: str) -> None:
    """The outbox's deliveries, newest first: rule, channel, event, attempts, last error."""
    with app(ctx).session() as session:
        rows = list_deliveries(session, status, limit)
    emit(
        rows,
        fmt,
        columns=DELIVERY_COLUMNS,
        title="alert deliveries",
        empty="no alert deliveries" + (f" {status}" if status else ""),
    )
