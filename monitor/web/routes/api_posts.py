"""`/api/posts/<id>`: the post page's read as JSON."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.queries.post_page import PostPage
from monitor.web.deps import Config, DbSession
from monitor.web.routes.posts import PostId, page_or_404

router = APIRouter(prefix="/api", tags=["posts"])


@router.get("/posts/{post_id}", responses={404: {"description": "no such post"}})
def api_post(session: DbSession, config: Config, post_id: PostId) -> PostPage:
    """The post, every version with its word diff, metrics over time, media (`/media/<id>`
    plays those with a `player`), transcript segments with confidence marks, keyword hits."""
    return page_or_404(session, config, post_id)
