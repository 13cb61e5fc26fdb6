"""`polmon status`: table counts, the last collection run per account, queue sizes."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cli import cli
from monitor.cli.context import app
from monitor.output import dumps, emit, format_option
from storage.models import Account, Base, CollectionRun, Media


def status_report(session: Session) -> dict[str, Any]:
    counts = {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    latest = (
        select(CollectionRun.account_id, func.max(CollectionRun.id).label("run_id"))
        .group_by(CollectionRun.account_id)
        .subquery()
    )
    runs = session.execute(
        select(Account.platform, Account.handle, CollectionRun)
        .join(latest, latest.c.account_id == Account.id)
        .join(CollectionRun, CollectionRun.id == latest.c.run_id)
        .order_by(Account.platform, Account.handle)
    )
    last_runs = [
        {
            "platform": platform,
            "handle": handle,
            "started_at": run.started_at,
            "status": run.status,
            "new": run.new_posts,
            "updated": run.updated_posts,
            "deleted": run.deleted_posts,
            "error": run.error,
        }
        for platform, handle, run in runs
    ]
    queue = dict(session.execute(select(Media.status, func.count()).group_by(Media.status)).all())
    return {"tables": counts, "last_runs": last_runs, "media_queue": queue}


@cli.command()
@format_option()
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Show row counts, the last collection run per account and the media queue."""
    with app(ctx).session() as session:
        report = status_report(session)
    if fmt == "json":
        click.echo(dumps(report))
        return
    emit(
        ({"table": name, "rows": count} for name, count in report["tables"].items()),
        fmt,
        title="tables",
    )
    emit(
        report["last_runs"],
        fmt,
        title="last collection run per account",
        empty="no collection yet: run `polmon collect`",
    )
    emit(
        ({"status": name, "media": count} for name, count in sorted(report["media_queue"].items())),
        fmt,
        title="media queue",
        empty="empty",
    )
