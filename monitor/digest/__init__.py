"""The daily digest: what happened in a period, per recipient list, as HTML + text email."""

from __future__ import annotations

from monitor.digest.data import Period, Scope, period_ending, period_for_date
from monitor.digest.run import (
    DigestError,
    ListOutcome,
    raise_for_failures,
    run_digest,
    write_digest,
)

__all__ = [
    "DigestError",
    "ListOutcome",
    "Period",
    "Scope",
    "period_ending",
    "period_for_date",
    "raise_for_failures",
    "run_digest",
    "write_digest",
]
