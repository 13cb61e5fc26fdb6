"""A stand-in for www.tiktok.com: profile page, paged creator item_list API, video pages.

Served through `LocalServer` used as the proxy, so yt-dlp's real TikTok extractors read it:
the user listing (https://www.tiktok.com/@handle → secUid → /api/creator/item_list/?cursor=…)
and single videos (/@handle/video/<id> → a muxed MP4 with the speech, and the background
music as a separate audio-only format, as TikTok serves them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.conftest import FIXTURES
from tests.support.local_server import LocalServer

SEC_UID = "MS4wLjABAAAAq8Y0cbpQ7nF1mXh2b1p0v6c3sKq9Kx0vQb3mN1zJtQ9Yw4qX5yR2uT7iE8oP6aS3"
PROFILE = FIXTURES / "tiktok" / "profile_universal.html"
MEDIA = FIXTURES / "media"
CDN = "https://p16-sign-sg.tiktokcdn.com/obj/tos-alisg-p-0037"


@dataclass(frozen=True)
class Video:
    video_id: str
    created: datetime
    desc: str
    views: int = 1000
    music: str = "original sound - Hun Manet"


def videos(count: int, newest: datetime, step: timedelta = timedelta(hours=7)) -> list[Video]:
    """`count` videos, newest first, `step` apart."""
    return [
        Video(str(7412345678901234567 - n * 1000), newest - n * step, f"Video number {n}")
        for n in range(count)
    ]


def aweme(video: Video) -> dict[str, object]:
    """One item as the web API returns it (the fields yt-dlp reads)."""
    created = int(video.created.timestamp())
    return {
        "id": video.video_id,
        "desc": video.desc,
        "createTime": created,
        "video": {
            "id": video.video_id,
            "duration": 31,
            "cover": f"{CDN}/{video.video_id}~tplv-cover.jpeg",
            "originCover": f"{CDN}/{video.video_id}~tplv-origin.jpeg",
            "dynamicCover": f"{CDN}/{video.video_id}~tplv-dyn.image",
        },
        "author": {
            "id": "6912345678901234567",
            "uniqueId": "hunmanet",
            "nickname": "Hun Manet",
            "secUid": SEC_UID,
        },
        "music": {"title": video.music, "authorName": "Hun Manet", "album": "", "duration": 31},
        "stats": {
            "playCount": video.views,
            "diggCount": video.views // 10,
            "shareCount": 7,
            "commentCount": 3,
            "collectCount": 2,
        },
    }


def video_page(video: Video) -> str:
    """A video's page: its item (with playable formats) in the rehydration JSON."""
    item = aweme(video)
    item["video"] |= {  # type: ignore[operator]
        "width": 96,
        "height": 64,
        "playAddr": f"https://v16-webapp-prime.tiktok.com/video/tos/{video.video_id}.mp4",
    }
    item["music"] |= {  # type: ignore[operator]
        "playUrl": f"https://sf16-ies-music-sg.tiktokcdn.com/obj/music/{video.video_id}.m4a"
    }
    data = {
        "__DEFAULT_SCOPE__": {
            "webapp.video-detail": {
                "itemInfo": {"itemStruct": item},
                "statusCode": 0,
                "statusMsg": "",
            }
        }
    }
    script = json.dumps(data, ensure_ascii=False)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>TikTok</title>'
        f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{script}'
        "</script></head><body></body></html>"
    )


class TikTokSite:
    """The account @hunmanet with `items` (newest first), `page_size` items per API page."""

    def __init__(self, items: list[Video], page_size: int = 15) -> None:
        self.items = items
        self.page_size = page_size
        self.pages_served = 0

    def install(self, server: LocalServer) -> None:
        server.add("/@hunmanet", PROFILE.read_text(encoding="utf-8"))
        server.add_dynamic("/api/creator/item_list/", self.item_list)
        for video in self.items:
            server.add(f"/@hunmanet/video/{video.video_id}", video_page(video))
            server.add_file(f"/video/tos/{video.video_id}.mp4", MEDIA / "clip_a.mp4")
            server.add_file(f"/obj/music/{video.video_id}.m4a", MEDIA / "tone.m4a", "audio/mp4")

    def item_list(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        if query.get("secUid") != [SEC_UID]:
            return 200, "application/json", b'{"statusCode": 10201, "itemList": []}'
        cursor = int(query.get("cursor", ["0"])[0])
        older = [v for v in self.items if v.created.timestamp() * 1000 < cursor]
        page = older[: self.page_size]
        self.pages_served += 1
        body = {
            "statusCode": 0,
            "itemList": [aweme(v) for v in page],
            "hasMorePrevious": len(older) > len(page),
            "hasMoreLatest": False,
        }
        return 200, "application/json", json.dumps(body).encode()


NEWEST = datetime(2024, 9, 24, 9, 30, tzinfo=UTC)
