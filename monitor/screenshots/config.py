"""`[evidence]`: screenshots of posts (which ones, the browser, its viewport and timeouts)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from collectors.settings import PositiveFloat, PositiveInt, Section


class EvidenceConfig(Section):
    # hits: posts with a keyword hit; all: every new post and version; none: no screenshots.
    # Deleted posts (hits or all): polmon's rendering of the last-seen version, when no
    # screenshot of it was taken while the page was up.
    screenshots: Literal["hits", "all", "none"] = "hits"
    chromium_path: Path = Path("/usr/bin/chromium")  # Debian's chromium; no browser download
    viewport_width: PositiveInt = 800
    viewport_height: PositiveInt = 1000
    full_page: bool = True  # the whole page, not only the viewport
    telegram_embed: bool = True  # Telegram: the post's embed (?embed=1), not the post link
    screenshot_timeout_seconds: PositiveFloat = 30.0  # loading one page
    # Only versions first seen (and deletions noticed) this recently are queued.
    screenshot_recent_days: PositiveFloat = 7.0
    # Work queue: lease length, attempts before a job is failed, first retry delay (doubling).
    screenshot_lease_seconds: PositiveInt = 300
    screenshot_max_attempts: PositiveInt = 3
    screenshot_retry_seconds: PositiveFloat = 300.0
