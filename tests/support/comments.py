"""A channel post with a stored comment thread whose authors' names are hostile, for the CLI and
web tests of how comments show under their post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.hostile_texts import HOSTILE_TEXTS

SCRIPT_AUTHOR = HOSTILE_TEXTS[101]  # `<script>alert('x')</script> <b>not bold</b> …`
MARKUP_AUTHOR = "[bold]Loud[/bold] [[actors]]"
COMMENT_TEXT = HOSTILE_TEXTS[102]


@dataclass(frozen=True)
class Thread:
    post: int  # our id of the channel post
    account: int  # our id of its account
    comments: tuple[int, int]  # our ids of its two comments, oldest first


def stored_thread(db: TestDatabase) -> Thread:
    """Post 600 of @durov with two comments: a hostile author's, and an answer to it."""
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Durov"), "telegram", "durov")
        post = factories.post(session, owner, "a post people answer", post_id="600", comments=2)
        first = factories.post(
            session,
            owner,
            COMMENT_TEXT,
            post_id="600/c70001",
            url="https://t.me/durov/600?comment=70001",
            published_at=post.published_at + timedelta(minutes=5),
            parent_post_id=post.id,
            author_name=SCRIPT_AUTHOR,
            author_id="user:9002",
        )
        second = factories.post(
            session,
            owner,
            "answering you",
            post_id="600/c70002",
            url="https://t.me/durov/600?comment=70002",
            published_at=post.published_at + timedelta(minutes=9),
            parent_post_id=post.id,
            author_name=MARKUP_AUTHOR,
            author_id="user:9001",
            reply_to_id="600/c70001",
        )
        return Thread(post.id, owner.id, (first.id, second.id))
