"""Collection as claimed work: the due pass leases each account before collecting it
(`polmon worker --stage collect` runs such passes until stopped: monitor/collect_worker.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine

from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.due import DUE_SHARE, account_intervals
from storage.account_claims import AccountHeartbeat, claim_first, finish_account
from storage.types import utcnow

log = logging.getLogger(__name__)


Target = tuple[int, str, str]  # (account id, platform, handle)
# How many of the pending accounts one claim looks at: the first free one among them is taken.
WINDOW = 32


class DueClaims:
    """Leases due accounts one at a time for one pass, in the pass's order; an account another
    worker holds, or that it collected since this pass listed it, is passed over."""

    def __init__(
        self, config: PolmonConfig, engine: Engine, owner: str, now: datetime | None = None
    ) -> None:
        self.engine, self.owner, self.now = engine, owner, now
        self.intervals = account_intervals(config)
        self.lease_seconds = config.schedule.collect_lease_seconds

    def _interval(self, target: Target) -> timedelta | None:
        return self.intervals.get((target[1], target[2]))

    def take(self, targets: Sequence[Target]) -> Iterator[Target]:
        """Each target this worker claims, in order, until none is left or a stop is asked;
        the caller collects it inside `holding` (which gives the lease back)."""
        pending = list(targets)
        while pending and not shutdown.stop_requested():
            window = pending[:WINDOW]
            now = self.now or utcnow()
            # A run finished inside the interval (its worker's lease ran out before it gave
            # the lease back) counts as collected.
            since = {
                account_id: now - interval * DUE_SHARE
                for account_id, platform, handle in window
                if (interval := self._interval((account_id, platform, handle))) is not None
            }
            ids = [target[0] for target in window]
            taken = claim_first(
                self.engine,
                ids,
                self.owner,
                lease_seconds=self.lease_seconds,
                now=now,
                not_collected_since=since,
            )
            passed = len(window) if taken is None else ids.index(taken)
            for _, platform, handle in window[:passed]:
                log.debug("%s %s: claimed by another worker or no longer due", platform, handle)
            del pending[: passed + (taken is not None)]
            if taken is not None:
                yield window[passed]

    @contextmanager
    def holding(self, target: Target) -> Iterator[None]:
        """Hold a claimed account's lease for the block (renewed as it runs), then give it
        back; the account falls due again after its interval."""
        account_id, platform, handle = target
        interval = self._interval(target)
        next_due = None if interval is None else (self.now or utcnow()) + interval * DUE_SHARE
        try:
            with AccountHeartbeat(self.engine, account_id, self.owner, self.lease_seconds):
                yield
        finally:
            # A failed collection waits for the next interval too (as the runs ledger always
            # had it); only a killed worker leaves the lease to expire, and the account is
            # claimed again at once.
            if not finish_account(self.engine, account_id, self.owner, next_due):
                log.warning("%s %s: the collect lease was lost during the pass", platform, handle)

    def release(self, target: Target) -> None:
        """Give back a claimed account not collected (a stop came first): still due."""
        finish_account(self.engine, target[0], self.owner)
