"""`[evidence]`: which responses are kept, where, the RFC 3161 timestamp authority, and the
screenshots of posts (which ones, the browser, its viewport and timeouts)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from collectors.settings import PositiveFloat, PositiveInt, Section

EvidenceChoice = Literal["all", "hits", "none"]


class EvidenceConfig(Section):
    # Which responses every account keeps unless it (or its actor) says `evidence = …`:
    # all: every page/info/message read; hits: only those holding a post with a keyword hit,
    # an edit or a deletion; none: nothing. "all" by default: a post that matters later (a
    # deleted one) can only be proven from a capture kept before anyone knew it would.
    capture: EvidenceChoice = "all"
    root: Path | None = None  # default: <data_dir>/evidence (captures/, manifests/)
    # An RFC 3161 timestamp authority (e.g. "https://freetsa.org/tsr"); without one the
    # hashes and manifests are still kept, unstamped.
    tsa_url: str | None = None
    tsa_ca_file: Path | None = None  # the TSA's CA certificate(s), PEM: tokens checked against it
    tsa_timeout_seconds: PositiveFloat = 30.0
    # Screenshots. hits: posts with a keyword hit; all: every new post and version; none: no
    # screenshots. Deleted posts (hits or all): polmon's rendering of the last-seen version,
    # when no screenshot of it was taken while the page was up.
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
