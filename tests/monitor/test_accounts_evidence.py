"""Which raw captures an account keeps: its own `evidence`, else its actor's, else [evidence]
capture; looked up by the account's key (a t.me link and its handle are one account)."""

from __future__ import annotations

from pathlib import Path

from monitor.accounts import plan_accounts
from tests.support.config import make_config

ACCOUNTS = """
[[actors]]
name = "Quiet ministry"
evidence = "none"
[[actors.accounts]]
platform = "telegram"
handle = "inherits"
[[actors.accounts]]
platform = "telegram"
url = "https://t.me/OwnChoice"
evidence = "hits"
[[actors]]
name = "Unset"
[[actors.accounts]]
platform = "tiktok"
handle = "@clips"
"""


def test_account_then_actor_then_the_default(tmp_path: Path) -> None:
    config = make_config(tmp_path, body=ACCOUNTS, evidence={"capture": "all"})
    plan = plan_accounts(config)
    assert plan.evidence_mode(config, "telegram", "inherits") == "none"
    assert plan.evidence_mode(config, "telegram", "ownchoice") == "hits"
    assert plan.evidence_mode(config, "tiktok", "@clips") == "all"
    assert plan.evidence_mode(config, "telegram", "not-configured") == "all"
