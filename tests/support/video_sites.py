"""Local stand-ins for a Facebook page and a video channel, read by yt-dlp's generic extractor.

Video pages carry schema.org VideoObject JSON-LD (time, counts, the media URL), as many sites
do; a channel is an RSS feed of video pages. Served by `LocalServer`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.conftest import FIXTURES
from tests.support.local_server import LocalServer

MEDIA = FIXTURES / "media"
TEMPLATE = (FIXTURES / "facebook" / "video_page.template.html").read_text(encoding="utf-8")
CHANNEL = "/channel/UCx4oOtdQAe1tNP2uBNkZdgQ"
SINCE = datetime(2024, 9, 1, tzinfo=UTC)
# Facebook page paths -> (video id, upload time); /reel/600700800900100 is a removed reel.
FACEBOOK_VIDEOS = {
    "/hunmanet5/videos/1047291853298412/": ("1047291853298412", "2024-09-25T08:30:00+07:00"),
    "/hunmanet5/videos/1122334455667788/": ("1122334455667788", "2024-09-20T10:00:00+07:00"),
    "/hunmanet5/videos/2233445566778899/": ("2233445566778899", "2024-08-01T10:00:00+07:00"),
    "/reel/512734981276345": ("512734981276345", "2024-09-22T18:00:00+07:00"),
    "/watch/": ("777000111222333", "2024-09-10T09:00:00+07:00"),
}


def fixture(folder: str, name: str) -> str:
    return (FIXTURES / folder / name).read_text(encoding="utf-8")


def serve_video(
    server: LocalServer,
    path: str,
    video_id: str,
    uploaded: datetime | str,
    *,
    clip: str = "clip_b.mp4",
    views: int = 1000,
    likes: int = 10,
    title: str | None = None,
) -> str:
    """A video page at `path` (JSON-LD) and its media file; returns the page URL."""
    when = uploaded if isinstance(uploaded, str) else uploaded.strftime("%Y-%m-%dT%H:%M:%SZ")
    media = server.add_file(f"/media/{video_id}.mp4", MEDIA / clip)
    page = TEMPLATE
    for token, value in {
        "@@BASE@@": server.base_url,
        "@@ID@@": video_id,
        "@@TITLE@@": title or f"Speech {video_id}",
        "@@UPLOADED@@": when,
        "@@MEDIA@@": media,
        "@@VIEWS@@": str(views),
        "@@LIKES@@": str(likes),
    }.items():
        page = page.replace(token, value)
    return server.add(path, page)


def serve_facebook_page(server: LocalServer, **video: Any) -> None:
    """The page hunmanet5 with its videos and reels tabs and the videos they link to."""
    server.add("/hunmanet5", fixture("facebook", "page.html"))
    server.add("/hunmanet5/videos", fixture("facebook", "videos_tab.html"))
    server.add("/hunmanet5/reels", fixture("facebook", "reels_tab.html"))
    for path, (video_id, uploaded) in FACEBOOK_VIDEOS.items():
        serve_video(server, path, video_id, uploaded, **video)


def serve_channel(server: LocalServer, items: list[tuple[str, datetime | None]]) -> str:
    """An RSS channel at CHANNEL/videos listing `/yt/<id>` pages; returns the channel URL.

    `items` are (video id, feed date or None) newest first; pages are served for all.
    """
    entries = []
    for video_id, when in items:
        date = f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} GMT</pubDate>" if when else ""
        link = server.url(f"/yt/{video_id}")
        entries.append(f"<item><title>Video {video_id}</title><link>{link}</link>{date}</item>")
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Samdech Hun Sen Official</title><link>{server.base_url}</link>"
        f"<description>channel</description>{''.join(entries)}</channel></rss>"
    )
    server.add(CHANNEL + "/videos", feed, "application/rss+xml")
    return server.url(CHANNEL)
