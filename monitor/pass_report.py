"""What a collection pass did: a report per account and the pass's totals (a StageReport)."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.reports import counts_line


@dataclass
class AccountReport:
    platform: str
    handle: str
    status: str = "ok"
    new: int = 0
    updated: int = 0
    deleted: int = 0
    error: str | None = None
    keyword_hits: int = 0
    skipped: int = 0
    media: int = 0  # media rows queued for download
    unreachable: bool = False  # no connection at all (DNS, refused, no route)
    comments: int = 0  # new comments stored (Telegram accounts with `comments`)


@dataclass
class PassReport:
    """One collection pass: a report per account (a StageReport)."""

    accounts: list[AccountReport] = field(default_factory=list)

    @property
    def failed(self) -> list[AccountReport]:
        return [a for a in self.accounts if a.status not in ("ok", "skipped")]

    @property
    def skipped(self) -> list[AccountReport]:
        """Accounts another process was collecting at the time."""
        return [a for a in self.accounts if a.status == "skipped"]

    @property
    def handled(self) -> int:
        return len(self.accounts)

    @property
    def media_queued(self) -> int:
        """Media rows this pass queued for the download stage."""
        return sum(a.media for a in self.accounts)

    def summary_line(self) -> str:
        return counts_line(self.totals())

    def problems(self) -> list[str]:
        return [
            f"{a.platform} {a.handle}".strip() + f": {a.error or a.status}" for a in self.failed
        ]

    @property
    def offline(self) -> bool:
        """Every account failed without reaching its platform: no network, DNS or proxy."""
        return bool(self.accounts) and all(
            a.status == "failed" and a.unreachable for a in self.accounts
        )

    def totals(self) -> dict[str, int]:
        return {
            "accounts": len(self.accounts),
            "failed": len(self.failed),
            "new": sum(a.new for a in self.accounts),
            "updated": sum(a.updated for a in self.accounts),
            "deleted": sum(a.deleted for a in self.accounts),
            "keyword_hits": sum(a.keyword_hits for a in self.accounts),
        } | _comment_totals(self.accounts)


def _comment_totals(accounts: list[AccountReport]) -> dict[str, int]:
    """`comments` in a pass's totals, only when the pass stored any."""
    comments = sum(a.comments for a in accounts)
    return {"comments": comments} if comments else {}
