"""Moved to `monitor.queries.selection`; kept for `monitor/pipeline.py` until it imports that."""

from monitor.queries.selection import actor_name, find_account_ids

__all__ = ["actor_name", "find_account_ids"]
