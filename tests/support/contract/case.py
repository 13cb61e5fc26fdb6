"""What a platform's contract driver hands the collector contract test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from collectors.base import Collector
from collectors.records import AccountRef


@dataclass
class ContractCase:
    """A collector wired to a local stand-in of its platform, and an account there.

    Each platform adds `tests/support/contract/<platform>.py` with
    `start(tmp_path, httpserver) -> ContractCase`; the account must have at least
    `expected_posts` posts newer than `since`, on more than one page where the platform pages.
    """

    collector: Collector
    account: AccountRef
    since: datetime
    expected_posts: int
