"""`/posts/<id>`: a post with every version and its diff, metrics, media player, transcript and
screenshots."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from starlette.responses import Response

from monitor.config import PolmonConfig
from monitor.queries.post_page import Confidence, PostPage, post_page
from monitor.queries.screenshots import post_screenshots
from monitor.web.deps import Config, DbSession, render

router = APIRouter()

PostId = Annotated[int, Path(ge=1, le=2**63 - 1, description="polmon's id of the post")]


def confidence_of(config: PolmonConfig) -> Confidence:
    """The low-confidence marks follow the [transcription] thresholds."""
    return Confidence(
        logprob_threshold=config.transcription.logprob_threshold,
        no_speech_threshold=config.transcription.no_speech_threshold,
    )


def page_or_404(session: DbSession, config: PolmonConfig, post_id: int) -> PostPage:
    page = post_page(session, post_id, confidence_of(config))
    if page is None:
        raise HTTPException(status_code=404, detail=f"no post {post_id}")
    return page


@router.get("/posts/{post_id}", include_in_schema=False)
def post_view(
    request: Request,
    session: DbSession,
    config: Config,
    post_id: PostId,
    t: Annotated[float | None, Query(ge=0, le=1e7, description="open the player here")] = None,
) -> Response:
    """The post's page; `?t=SECONDS` (or `#t=SECONDS`) starts its player at that second."""
    page = page_or_404(session, config, post_id)
    shots = post_screenshots(session, post_id)
    return render(request, "post.html", page=page, start=t, screenshots=shots)
