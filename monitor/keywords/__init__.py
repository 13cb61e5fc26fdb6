"""Keyword tracking: match configured terms in posts, transcripts and image text, store hits,
rescan history."""

from monitor.keywords.live import match_image_text, match_posts, match_transcript
from monitor.keywords.rescan import RescanReport, rescan_keywords

__all__ = [
    "RescanReport",
    "match_image_text",
    "match_posts",
    "match_transcript",
    "rescan_keywords",
]
