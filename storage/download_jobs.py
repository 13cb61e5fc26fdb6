"""What the download stage reads about a claimed row, and the stored original of its content."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from storage.engine import transaction
from storage.models import Account, Media, Post
from storage.queue_status import STORED


@dataclass(frozen=True)
class Job:
    """A claimed media row with what naming and fetching its file need."""

    media_id: int
    url: str | None
    platform: str
    post_platform_id: str
    position: int
    known_duration: float | None


def load_job(engine: Engine, media_id: int) -> Job:
    with transaction(engine) as session:
        media, post, account = session.execute(
            select(Media, Post, Account)
            .join(Post, Media.post_id == Post.id)
            .join(Account, Post.account_id == Account.id)
            .where(Media.id == media_id)
        ).one()
        return Job(
            media.id,
            media.source_url,
            account.platform,
            post.platform_post_id,
            media.position,
            media.duration_seconds,
        )


def original_of(session: Session, digest: str, media_id: int) -> Media | None:
    """The first stored row with this content, if any (PostgreSQL: serialised per digest)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:d, 0))"), {"d": digest}
        )
    return session.scalar(
        select(Media)
        .where(
            Media.sha256 == digest,
            Media.id != media_id,
            Media.duplicate_of_id.is_(None),
            Media.local_path.is_not(None),
            Media.status.in_(STORED),
        )
        .order_by(Media.id)
        .limit(1)
    )
