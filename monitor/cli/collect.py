"""`polmon collect` (one pass over the accounts) and `polmon posts` (what is stored)."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from collectors.records import PLATFORMS
from monitor.accounts import account_key
from monitor.cli import cli
from monitor.cli.context import app
from monitor.output import echo, emit, format_option
from monitor.pipeline import run_collect
from monitor.timeparse import WHEN
from storage.models import Account, Actor, Post

PASS_COLUMNS = ("platform", "account", "status", "new", "updated", "deleted", "hits", "error")
# Every key of a `posts` row, in order: CSV writes this header even when no post matches.
POST_COLUMNS = (
    "id",
    "actor",
    "platform",
    "account",
    "post_id",
    "published_at",
    "kind",
    "views",
    "edited",
    "deleted",
    "text",
    "url",
)


@cli.command()
@click.option("--platform", type=click.Choice(PLATFORMS), help="Only this platform.")
@click.option("--account", "handle", help="Only this account (handle or URL).")
@click.option("--actor", help="Only this actor's accounts.")
@click.option("--snapshots-only", is_flag=True, help="Only profiles and audience counts.")
@click.option("--download", is_flag=True, help="Then download pending media (`polmon download`).")
@format_option()
@click.pass_context
def collect(
    ctx: click.Context,
    platform: str | None,
    handle: str | None,
    actor: str | None,
    snapshots_only: bool,
    download: bool,
    fmt: str,
) -> None:
    """Collect new posts, metrics, edits, deletions and audience counts (one pass)."""
    context = app(ctx)
    report = run_collect(
        context.config,
        context.engine,
        platform=platform,
        account=handle,
        actor=actor,
        snapshots_only=snapshots_only,
        progress=fmt == "table",
    )
    rows = [
        {
            "platform": a.platform,
            "account": a.handle,
            "status": a.status,
            "new": a.new,
            "updated": a.updated,
            "deleted": a.deleted,
            "hits": a.keyword_hits,
            "error": a.error,
        }
        for a in report.accounts
    ]
    columns = [c for c in PASS_COLUMNS if fmt != "table" or c != "error"]
    emit(rows, fmt, columns=columns, title="collection pass", empty="no accounts matched")
    if fmt == "table":  # whole error lines, not folded into a narrow column
        for failed in report.failed:
            echo(f"{failed.platform} {failed.handle}: {failed.error}", err=True)
    if download:
        from monitor.cli.download import summary
        from monitor.download import run_downloads

        downloads = run_downloads(context.config, context.engine, progress=fmt == "table")
        click.echo(summary(downloads), err=fmt != "table")
    totals = report.totals()
    if totals["failed"]:
        raise click.ClickException(
            f"{totals['failed']} of {totals['accounts']} accounts failed or were partly "
            "collected; their errors are above and in `polmon status`"
        )


@cli.command()
@click.option("--account", "handle", help="Only this account (handle).")
@click.option("--actor", help="Only this actor.")
@click.option("--platform", type=click.Choice(PLATFORMS), help="Only this platform.")
@click.option("--since", type=WHEN, help="Published at or after (2024-06-01, 7d, 24h).")
@click.option("--until", type=WHEN, help="Published before.")
@click.option("--deleted", "only_deleted", is_flag=True, help="Only posts the platform removed.")
@click.option("--edited", "only_edited", is_flag=True, help="Only posts edited after publication.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option()
@click.pass_context
def posts(
    ctx: click.Context,
    handle: str | None,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    only_deleted: bool,
    only_edited: bool,
    limit: int,
    fmt: str,
) -> None:
    """List stored posts, newest first, with edited and deleted flags."""
    query = (
        select(Post, Account.platform, Account.handle, Actor.name)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if handle:
        keys = {account_key(p, handle, None) for p in PLATFORMS} | {handle}
        query = query.where(Account.handle.in_(keys))
    if actor:
        query = query.where(Actor.name == actor)
    if platform:
        query = query.where(Account.platform == platform)
    if since:
        query = query.where(Post.published_at >= since)
    if until:
        query = query.where(Post.published_at < until)
    if only_deleted:
        query = query.where(Post.deleted_at.is_not(None))
    if only_edited:
        query = query.where(Post.edited_at.is_not(None))
    with app(ctx).session() as session:
        rows = [
            {
                "id": post.id,
                "actor": actor_name,
                "platform": post_platform,
                "account": account_handle,
                "post_id": post.platform_post_id,
                "published_at": post.published_at,
                "kind": post.kind,
                "views": post.views,
                "edited": post.edited_at is not None,
                "deleted": post.deleted_at is not None,
                "text": _short(post.title or post.text, fmt),
                "url": post.url,
            }
            for post, post_platform, account_handle, actor_name in session.execute(query)
        ]
    emit(
        rows,
        fmt,
        columns=POST_COLUMNS,
        title="posts",
        empty="no posts stored yet: run `polmon collect`",
    )


def _short(text: str | None, fmt: str, width: int = 80) -> str | None:
    if text is None or fmt != "table" or len(text) <= width:
        return text
    return text[: width - 1] + "…"
