"""Helpers for multi-pass Telegram scenarios: a config on the local site, and what got stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from storage.engine import transaction
from storage.models import (
    Account,
    AccountEvent,
    AudienceSnapshot,
    CollectionRun,
    Media,
    Post,
    PostMetric,
    PostVersion,
)
from tests.support.config import actors_toml, telegram_settings, toml_table


def scenario_telegram(base_url: str, **overrides: Any) -> dict[str, Any]:
    """[telegram] for multi-pass scenarios: the local site, a 30-day backfill, 3-day rechecks."""
    return telegram_settings(base_url, **{"backfill_days": 30, "recheck_days": 3.0, **overrides})


def scenario_toml(base_url: str, handles: list[str], **overrides: Any) -> str:
    """A config body: [telegram] from `scenario_telegram`, one [[actors]] entry per handle."""
    return toml_table(["telegram"], scenario_telegram(base_url, **overrides)) + actors_toml(handles)


@dataclass
class StoredPost:
    platform_post_id: str
    text: str | None
    text_html: str | None
    views: int | None
    kind: str
    published_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    versions: list[str | None]
    views_series: list[int | None]


def stored_posts(engine: Engine, handle: str) -> dict[str, StoredPost]:
    with transaction(engine) as session:
        posts = session.scalars(
            select(Post).join(Account).where(Account.handle == handle).order_by(Post.id)
        ).all()
        result = {}
        for post in posts:
            versions = session.scalars(
                select(PostVersion.text)
                .where(PostVersion.post_id == post.id)
                .order_by(PostVersion.seen_at, PostVersion.id)
            ).all()
            series = session.scalars(
                select(PostMetric.views)
                .where(PostMetric.post_id == post.id)
                .order_by(PostMetric.captured_at, PostMetric.id)
            ).all()
            result[post.platform_post_id] = StoredPost(
                post.platform_post_id, post.text, post.text_html, post.views, post.kind,
                post.published_at, post.edited_at, post.deleted_at, list(versions), list(series),
            )  # fmt: skip
        return result


def account_row(engine: Engine, handle: str) -> dict[str, Any]:
    with transaction(engine) as session:
        account = session.scalars(select(Account).where(Account.handle == handle)).one()
        return {
            "status": account.status,
            "platform_id": account.platform_id,
            "display_name": account.display_name,
            "cursor": dict(account.cursor or {}),
        }


def snapshots(engine: Engine, handle: str) -> list[tuple[int | None, bool]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AudienceSnapshot.followers, AudienceSnapshot.is_approximate)
            .join(Account, AudienceSnapshot.account_id == Account.id)
            .where(Account.handle == handle)
            .order_by(AudienceSnapshot.captured_at, AudienceSnapshot.id)
        ).all()
        return [(followers, approximate) for followers, approximate in rows]


def events(engine: Engine, handle: str) -> list[tuple[str, dict[str, Any] | None]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AccountEvent.kind, AccountEvent.detail)
            .join(Account, AccountEvent.account_id == Account.id)
            .where(Account.handle == handle)
            .order_by(AccountEvent.detected_at, AccountEvent.id)
        ).all()
        return [(kind, detail) for kind, detail in rows]


def runs(engine: Engine, handle: str) -> list[tuple[str, int, int, int, str | None]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(
                CollectionRun.status,
                CollectionRun.new_posts,
                CollectionRun.updated_posts,
                CollectionRun.deleted_posts,
                CollectionRun.error,
            )
            .join(Account, CollectionRun.account_id == Account.id)
            .where(Account.handle == handle)
            .order_by(CollectionRun.started_at, CollectionRun.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def media_rows(engine: Engine, handle: str) -> list[tuple[str, int, str, str | None, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Post.platform_post_id, Media.position, Media.kind, Media.source_url, Media.status
            )
            .join(Post, Media.post_id == Post.id)
            .join(Account, Post.account_id == Account.id)
            .where(Account.handle == handle)
            .order_by(Post.platform_post_id, Media.position)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
