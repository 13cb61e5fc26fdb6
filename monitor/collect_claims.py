"""Collection as claimed work: the due pass leases each account before collecting it
(`polmon worker --stage collect` runs such passes until stopped: monitor/collect_worker.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine

from monitor.config import PolmonConfig
from monitor.due import DUE_SHARE, account_intervals
from storage.account_claims import AccountHeartbeat, claim_accounts, finish_account
from storage.types import utcnow

log = logging.getLogger(__name__)


class DueClaims:
    """Leases due accounts one at a time for one pass; an account another worker holds, or
    that it collected since this pass listed it, is passed over."""

    def __init__(
        self, config: PolmonConfig, engine: Engine, owner: str, now: datetime | None = None
    ) -> None:
        self.engine, self.owner, self.now = engine, owner, now
        self.intervals = account_intervals(config)
        self.lease_seconds = config.schedule.collect_lease_seconds

    @contextmanager
    def holding(self, account_id: int, platform: str, handle: str) -> Iterator[bool]:
        """Hold the account's lease for the block (renewed as it runs); False: not taken."""
        now = self.now or utcnow()
        interval = self.intervals.get((platform, handle))
        next_due = None if interval is None else now + interval * DUE_SHARE
        # A run finished inside this interval (its worker's lease ran out before it gave the
        # lease back) counts as collected.
        since = None if interval is None else now - interval * DUE_SHARE
        taken = claim_accounts(
            self.engine,
            [account_id],
            self.owner,
            lease_seconds=self.lease_seconds,
            now=now,
            not_collected_since=since,
        )
        if not taken:
            log.debug("%s %s: claimed by another worker or no longer due", platform, handle)
            yield False
            return
        try:
            with AccountHeartbeat(self.engine, account_id, self.owner, self.lease_seconds):
                yield True
        finally:
            # A failed collection waits for the next interval too (as the runs ledger always
            # had it); only a killed worker leaves the lease to expire, and the account is
            # claimed again at once.
            if not finish_account(self.engine, account_id, self.owner, next_due):
                log.warning("%s %s: the collect lease was lost during the pass", platform, handle)
