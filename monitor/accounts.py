"""Config is the source of truth for actors and accounts: plan them, and sync the plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from collectors.identity import account_key
from monitor.config import PolmonConfig
from monitor.evidence.config import EvidenceChoice
from storage.accounts import AccountSpec, ActorSpec, SyncResult
from storage.accounts import sync_accounts as store_accounts
from storage.types import utcnow

__all__ = ["AccountPlan", "SyncResult", "account_key", "plan_accounts", "sync_accounts"]


@dataclass(frozen=True)
class AccountPlan:
    """The configured actors and accounts, and what the collectors need beside them."""

    actors: tuple[ActorSpec, ...]
    video_urls: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # The most comments read per post, for each account that collects comments.
    comments: dict[tuple[str, str], int] = field(default_factory=dict)
    # An account's own `evidence`, else its actor's (absent: `[evidence] capture`).
    evidence: dict[tuple[str, str], EvidenceChoice] = field(default_factory=dict)

    def comments_max(self, platform: str, handle: str) -> int:
        """How many comments of each post to read for one account (0: none)."""
        return self.comments.get((platform, handle), 0)

    def evidence_mode(self, config: PolmonConfig, platform: str, handle: str) -> EvidenceChoice:
        """An account's `evidence`: its own, else its actor's, else `[evidence] capture`."""
        return self.evidence.get((platform, handle)) or config.evidence.capture

    def extra_urls(self, platform: str, handle: str) -> tuple[str, ...]:
        """The explicit video URLs configured for one account (Facebook has no listing)."""
        return self.video_urls.get((platform, handle), ())


def plan_accounts(config: PolmonConfig) -> AccountPlan:
    """The actors and accounts of the config, keyed as storage keys them."""
    actors: list[ActorSpec] = []
    video_urls: dict[tuple[str, str], tuple[str, ...]] = {}
    comments: dict[tuple[str, str], int] = {}
    evidence: dict[tuple[str, str], EvidenceChoice] = {}
    for actor in config.actors:
        specs = []
        for account in actor.accounts:
            key = account.key
            specs.append(
                AccountSpec(account.platform, key, account.url, account.notes, account.enabled)
            )
            video_urls.setdefault((account.platform, key), tuple(account.video_urls))
            if chosen := account.evidence or actor.evidence:
                evidence.setdefault((account.platform, key), chosen)
            if account.platform == "telegram":
                section = config.telegram
                wanted = section.comments if account.comments is None else account.comments
                if wanted:
                    comments[(account.platform, key)] = account.comments_max or section.comments_max
        actors.append(ActorSpec(actor.name, actor.kind, actor.country, actor.notes, tuple(specs)))
    return AccountPlan(tuple(actors), video_urls, comments, evidence)


def sync_accounts(session: Session, config: PolmonConfig) -> SyncResult:
    """Upsert configured actors and accounts; mark those no longer configured inactive."""
    return store_accounts(session, plan_accounts(config).actors, utcnow())
