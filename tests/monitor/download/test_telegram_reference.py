"""On the pages recorded from t.me: every video the web preview shows only as a link ("too big",
no file) goes to Telethon or is skipped; every other one keeps its direct file URL."""

from __future__ import annotations

import pytest

from collectors.telegram.identity import message_link
from collectors.telegram.web import parse_channel_page
from monitor.download.telegram import telegram_message
from storage.download_jobs import Job
from tests.conftest import REFERENCE, require

PAGES = REFERENCE / "telegram-web"
# The posts whose sound or video each recorded page shows without a file: `not_supported`
# video players ("too big") and audio documents (podcasts: a link, whatever their size).
LINK_ONLY = {
    "disgustingmen": ["15138"],
    "nexta": ["116547", "116556", "116558", "116564"],
    "tginfouk": ["1156"],
    "varlamov_news": ["70598"],
    "bbbreaking": [],
    "durov": [],
    "meduzalive": ["141879", "141888"],  # audio documents
    "telegram": [],
}


@pytest.mark.parametrize("name", sorted(LINK_ONLY))
def test_link_only_videos_need_telethon_and_the_others_keep_their_files(name: str) -> None:
    require(PAGES.is_dir(), f"the recorded t.me pages ({PAGES})", "put shared/ beside the clone")
    page = parse_channel_page((PAGES / f"{name}.html").read_text(encoding="utf-8"))
    needing: list[str] = []
    for post in page.posts:
        for item in post.media:
            job = Job(1, item.source_url, "telegram", post.platform_post_id, item.position,
                      item.duration_seconds, item.kind)  # fmt: skip
            link = telegram_message(job)
            if item.kind == "photo":
                assert link is None  # photos: one GET (the page's og:image for a link)
            elif link is not None:
                needing.append(post.platform_post_id)
                assert item.mime_type is None and item.kind in ("video", "audio")
                assert link.username and link.username.lower() in name.replace(
                    "nexta", "nexta_live"
                )
            elif item.kind in ("video", "round_video", "voice"):
                assert message_link(item.source_url) is None and item.source_url
    assert sorted(set(needing)) == sorted(LINK_ONLY[name])
