"""Gather every section of one digest (one period, one recipient list) from the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from monitor.config import ConfigError, PolmonConfig
from monitor.digest import audience
from monitor.digest.data import DigestData, Period, Scope
from monitor.queries.digest import content, health


def check_scope(config: PolmonConfig, scope: Scope) -> None:
    """A list naming an actor or keyword group that does not exist is a config error."""
    index = next((i for i, item in enumerate(config.digest.lists) if item.name == scope.name), 0)
    actors = {actor.name for actor in config.actors}
    for name in scope.actors:
        if name not in actors:
            raise ConfigError(
                config.source or "polmon.toml",
                f"digest.lists.{index}.actors",
                f"no [[actors]] named {name!r}",
            )
    for name in scope.keyword_groups:
        if name not in config.keywords:
            raise ConfigError(
                config.source or "polmon.toml",
                f"digest.lists.{index}.keyword_groups",
                f"no [keywords.{name}] group",
            )


def gather(
    session: Session,
    config: PolmonConfig,
    period: Period,
    scope: Scope,
    *,
    generated_at: datetime | None = None,
) -> DigestData:
    """Run the digest's queries; everything in UTC, shown later in the period's zone."""
    generated = generated_at or datetime.now(UTC)
    return DigestData(
        period=period,
        scope=scope,
        generated_at=generated,
        post_counts=content.new_post_counts(session, period, scope),
        hit_groups=content.keyword_hits(
            session,
            period,
            scope,
            min_confidence=config.digest.min_confidence,
            include_approximate=config.digest.include_approximate,
        ),
        audience=audience.audience_changes(session, period, scope, config.growth),
        edits=content.edits(session, period, scope),
        deletions=content.deletions(session, period, scope),
        top_posts=content.top_posts(session, period, scope, config.digest.top_posts),
        events=content.account_events(session, period, scope),
        failures=health.failures(session, period, scope),
        quiet_accounts=health.quiet_accounts(session, period, scope),
        backlog=health.media_backlog(session),
        stale_leases=health.stale_leases(session, generated),
        skipped_media=health.skipped_media(session),
    )
