"""What of yt-dlp's info dict is kept as evidence in `raw`: the platform's fields, not yt-dlp's.

yt-dlp adds to each video what it derived for downloading: every format with its expiring
stream URL, every automatic-caption track in every language with its URL, thumbnails in every
size, the chosen format's technical fields. On real YouTube videos that is 70–95% of 300–400
KB. `raw` keeps what the platform said (ids, texts, times, counts, channel, tags, chapters…),
the thumbnail shown, the caption languages without their URLs, and which extractor read it.
"""

from __future__ import annotations

from typing import Any

# Keys yt-dlp derives or adds for its own work; the platform's fields are all kept.
DERIVED = frozenset(
    {
        "formats",
        "requested_formats",
        "requested_downloads",
        "requested_subtitles",
        "automatic_captions",
        "subtitles",
        "thumbnails",
        "http_headers",
        "url",
        "manifest_url",
        "fragments",
        "fragment_base_url",
        "format",
        "format_id",
        "format_note",
        "ext",
        "protocol",
        "acodec",
        "vcodec",
        "audio_ext",
        "video_ext",
        "abr",
        "vbr",
        "tbr",
        "asr",
        "fps",
        "width",
        "height",
        "resolution",
        "aspect_ratio",
        "dynamic_range",
        "audio_channels",
        "filesize",
        "filesize_approx",
        "stretched_ratio",
        "epoch",
        "fulltitle",
        "display_id",
        "duration_string",
        "original_url",
        "webpage_url_basename",
        "webpage_url_domain",
        "playlist",
        "playlist_index",
        "playlist_count",
        "n_entries",
        "entries",
        "release_year",
        "__last_playlist_index",
    }
)


def evidence(info: dict[str, Any]) -> dict[str, Any]:
    """`info` without what yt-dlp derived; caption tracks kept as their language codes."""
    kept = {
        key: value for key, value in info.items() if key not in DERIVED and not key.startswith("_")
    }
    subtitles = info.get("subtitles")
    if isinstance(subtitles, dict) and subtitles:
        kept["subtitle_languages"] = sorted(str(language) for language in subtitles)
    captions = info.get("automatic_captions")
    if isinstance(captions, dict) and captions:
        kept["automatic_caption_count"] = len(captions)
    return kept
