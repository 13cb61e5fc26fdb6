"""Raw payloads of yt-dlp platforms keep the platform's fields and drop what yt-dlp derives."""

from __future__ import annotations

import json
from typing import Any

from collectors.video.info import video_record
from collectors.video.ytdlp_raw import DERIVED, evidence
from tests.conftest import FIXTURES


def _youtube_video() -> dict[str, Any]:
    info: dict[str, Any] = json.loads(
        (FIXTURES / "ytdlp" / "youtube_video.json").read_text(encoding="utf-8")
    )
    return info


def test_evidence_keeps_platform_fields_and_caption_languages() -> None:
    info = _youtube_video()
    # what real videos carry: a format list and caption tracks in every language, with URLs
    info["formats"] = [{"format_id": str(n), "url": f"https://r{n}.example/v"} for n in range(40)]
    info["automatic_captions"] = {
        lang: [{"ext": "vtt", "url": f"https://example/{lang}"}] for lang in ("en", "km", "fr")
    }
    info["subtitles"] = {"km": [{"ext": "vtt", "url": "https://example/sub-km"}]}
    kept = evidence(info)
    assert not DERIVED & set(kept)
    assert not any(key.startswith("_") for key in kept)
    for platform_field in ("id", "title", "description", "timestamp", "view_count", "channel_id"):
        assert kept[platform_field] == info[platform_field]
    assert kept["subtitle_languages"] == ["km"] and kept["automatic_caption_count"] == 3
    assert "https://" not in json.dumps(kept.get("subtitle_languages"))
    assert len(json.dumps(kept)) < len(json.dumps(info)) / 2


def test_video_record_stores_the_evidence_not_the_whole_info() -> None:
    info = _youtube_video()
    record = video_record(info)
    assert record.raw is not None and "formats" not in record.raw
    assert record.raw["id"] == info["id"]
    assert record.media[0].thumbnail_url  # chosen from the full info before trimming
