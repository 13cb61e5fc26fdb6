"""The one interface every platform collector implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from collectors.platform import PlatformSpec
from collectors.records import AccountProfile, AccountRef, CommentThread, PostRecord, SkippedItem


class Collector(ABC):
    """Fetches one platform's public data and yields records; never touches the database.

    `list_posts` yields posts newest first and stops at the first post older than
    `since` or after `limit` posts. The pipeline uses it both for the first backfill
    (`since` = backfill horizon) and for later passes (`since` = the start of the
    re-read window or the newest stored post, whichever is older), so one listing
    finds new posts, refreshes metrics, catches edits and lets deletions be detected.
    A listing that ends without error is taken to have covered `[since, now]`.

    Only an item's identity fields (id, time) may fail, and only that item: a listing notes
    it in `skipped` and goes on; the pipeline takes the notes with `take_skipped()`.
    """

    # The platform's identity (name, hosts, account parser, links, settings section),
    # declared beside the collector; `platform` and `settings_section` are taken from it.
    # The collector is given its section's settings resolved, never the whole config.
    spec: ClassVar[PlatformSpec]
    platform: ClassVar[str]
    settings_section: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is not None:
            cls.platform = spec.name
            cls.settings_section = spec.settings_section

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.skipped: list[SkippedItem] = []

    def take_skipped(self) -> list[SkippedItem]:
        """The items skipped since the last call (and forget them)."""
        taken, self.skipped = self.skipped, []
        return taken

    @abstractmethod
    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        """Resolve the account: ids, names and audience counts, or raise AccountUnavailable."""

    @abstractmethod
    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        """Yield the account's posts newest first back to `since`, at most `limit`."""

    @property
    def counts_comments(self) -> bool:
        """Whether each listed post says how many comments it has (`PostRecord.comments`): then
        only posts whose count changed are read again, else every post in the recheck window."""
        return False

    def fetch_comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread | None:
        """The newest `limit` comments of one post, or None: this collector reads no comments."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release network resources."""

    def __enter__(self) -> Collector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
