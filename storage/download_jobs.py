"""What the download stage reads about a claimed row, and the stored original of its content."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from storage.engine import transaction
from storage.models import Account, Media, Post
from storage.queue_status import STORED

# Held by the transaction that stores a file, so two copies of one content are stored once.
_PG_DIGEST_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || :d, 0))"
)


@dataclass(frozen=True)
class Job:
    """A claimed media row with what naming and fetching its file need."""

    media_id: int
    url: str | None
    platform: str
    post_platform_id: str
    position: int
    known_duration: float | None
    kind: str = "video"
    account_platform_id: str | None = None  # a Telegram channel's id: followed through renames


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
            media.kind,
            account.platform_id,
        )


def original_of(session: Session, digest: str, media_id: int) -> Media | None:
    """The first stored row with this content, if any (PostgreSQL: serialised per digest and
    schema; another schema is another database's media)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_DIGEST_LOCK, {"d": digest})
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
