"""What the database holds, counted in one dict (the summary `polmon demo` prints)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AudienceSnapshot, KeywordHit, Media, Post, Transcript


def database_summary(session: Session) -> dict[str, Any]:
    """Posts (edited, deleted), transcripts, media by status, keyword hits by group and in
    transcripts, and every follower count in capture order."""
    count = lambda *where: session.scalar(  # noqa: E731
        select(func.count()).select_from(Post).where(*where)
    )
    hits = dict(
        session.execute(
            select(KeywordHit.group_name, func.count()).group_by(KeywordHit.group_name)
        ).all()
    )
    followers = session.scalars(
        select(AudienceSnapshot.followers).order_by(AudienceSnapshot.captured_at)
    ).all()
    return {
        "posts": count(),
        "edited": count(Post.edited_at.is_not(None)),
        "deleted": count(Post.deleted_at.is_not(None)),
        "videos_transcribed": session.scalar(select(func.count()).select_from(Transcript)),
        "media_by_status": dict(
            session.execute(select(Media.status, func.count()).group_by(Media.status)).all()
        ),
        "keyword_hits": hits,
        "transcript_hits": session.scalar(
            select(func.count())
            .select_from(KeywordHit)
            .where(KeywordHit.source_kind == "transcript")
        ),
        "subscribers": [f for f in followers if f is not None],
    }
