"""Keyword tracking: match configured terms in posts and transcripts, store hits, rescan history."""

from monitor.keywords.live import match_posts, match_transcript
from monitor.keywords.rescan import RescanReport, rescan_keywords

__all__ = ["RescanReport", "match_posts", "match_transcript", "rescan_keywords"]
