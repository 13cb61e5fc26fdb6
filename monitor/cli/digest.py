"""`polmon digest`: render the digest of a period to an HTML file, or mail it to its lists."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.context import app
from monitor.output import format_time, zone_label
from monitor.timeparse import WHEN

if TYPE_CHECKING:
    from monitor.digest.run import ListOutcome


def _parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD", param=param) from None


def _outfile(out: Path, list_name: str, count: int) -> Path:
    return out if count == 1 else out.with_name(f"{out.stem}-{list_name}{out.suffix}")


def _summary(outcome: ListOutcome) -> str:
    rendered = outcome.rendered
    return rendered.subject if rendered else f"{outcome.list_name}: {outcome.period.label}"


@click.command()
@click.option(
    "--since",
    type=WHEN,
    help="Period start: ISO (UTC unless zoned) or 24h/7d ago (default: --until - period_hours).",
)
@click.option(
    "--until",
    type=WHEN,
    help="Period end (default: the list's last scheduled digest time, else the hour's start).",
)
@click.option(
    "--date",
    "day",
    callback=_parse_date,
    help="One calendar day YYYY-MM-DD in [schedule] timezone (instead of --since/--until).",
)
@click.option(
    "--list", "lists", multiple=True, help="Only this [[digest.lists]] name (repeatable)."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML here instead of sending (one file per list: NAME inserted).",
)
@click.option("--send", is_flag=True, help="Mail each list its digest (once per list and period).")
@click.option(
    "--force",
    is_flag=True,
    help="With --send: mail it even if this period, or one covering over half of it, was sent.",
)
@click.pass_context
def digest(
    ctx: click.Context,
    since: datetime | None,
    until: datetime | None,
    day: date | None,
    lists: tuple[str, ...],
    out: Path | None,
    send: bool,
    force: bool,
) -> None:
    """Render the digest of a period to --out FILE, or --send it to its recipient lists.

    The digest shows its times in the [schedule] timezone.
    """
    from monitor.digest import Period, period_for_date, raise_for_failures, run_digest

    if bool(out) == send:
        raise click.UsageError("give either --out FILE (write the HTML) or --send (mail it)")
    if day and (since or until):
        raise click.UsageError("--date replaces --since/--until: give one or the other")
    if force and not send:
        raise click.UsageError("--force goes with --send")
    context = app(ctx)
    config = context.config
    period = None  # each list's: ending at its last scheduled time (run.scheduled_period)
    if day:
        period = period_for_date(config, day)
    elif until:
        start = since or until - timedelta(hours=config.digest.period_hours)
        if until <= start:
            raise click.UsageError("--until must be after --since")
        period = Period(start, until, config.schedule.timezone)
    outcomes = run_digest(
        config,
        context.engine,
        send=send,
        period=period,
        lists=lists or None,
        since=since,
        by_hand=True,
        force=force,
    )
    if out:
        for outcome in outcomes:
            assert outcome.rendered is not None
            path = _outfile(out, outcome.list_name, len(outcomes))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(outcome.rendered.html, encoding="utf-8")
            click.echo(f"wrote {path}: {_summary(outcome)}")
        return
    for outcome in outcomes:
        if outcome.status == "sent":
            click.echo(
                f"sent {outcome.list_name} to {len(outcome.recipients)} recipients "
                f"({outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}): "
                f"{_summary(outcome)}"
            )
        elif outcome.status == "already sent":
            when = (
                f"{format_time(outcome.sent_at, seconds=True)} {zone_label()}"
                if outcome.sent_at
                else "earlier"
            )
            click.echo(
                f"not sent: {outcome.list_name} for {outcome.period.label} was already sent at "
                f"{when} (--force sends it again)"
            )
        elif outcome.status == "overlaps" and outcome.overlaps is not None:
            click.echo(
                f"not sent: {outcome.list_name} for {outcome.period.label} overlaps the digest "
                f"sent for {outcome.overlaps.label} by more than half; give --force to send it"
            )
        elif outcome.status == "busy":
            click.echo(f"not sent: {outcome.list_name} is being sent by another process")
    raise_for_failures(outcomes)
