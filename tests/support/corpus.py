"""Posts inserted with the storage models for the output tests, and a config that matches them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from storage.engine import transaction
from storage.models import Account, Post
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import write_config

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

KEYWORDS = """
[keywords.parties]
terms = ["Candlelight", "ចាប់ខ្លួន"]
"""


def add_post(
    session: Session, account: Account, number: int, text: str, *, published_at: datetime = T0
) -> Post:
    """Post `number` of `account`, at https://t.me/<handle>/<number>."""
    return factories.post(session, account, text, post_id=str(number), published_at=published_at)


def seed(db: TestDatabase, tmp_path: Path, texts: list[str], body: str = KEYWORDS) -> Path:
    """One actor with one Telegram channel holding `texts`; returns the config path."""
    with transaction(db.engine) as session:
        account = factories.account(
            session, factories.actor(session, "Sam Rainsy"), "telegram", "rainsy"
        )
        for number, text in enumerate(texts, start=1):
            add_post(session, account, number, text)
    return write_config(tmp_path, db, body)
