"""comments: Telegram comments stored as posts linked to the channel post they comment

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_posts_parent_post_id_published_at"
FOREIGN_KEY = "fk_posts_parent_post_id_posts"


def _has_parent_column() -> bool:
    """Whether posts.parent_post_id exists (an SQLite downgrade keeps it: see `downgrade`)."""
    columns = sa.inspect(op.get_bind()).get_columns("posts")
    return any(column["name"] == "parent_post_id" for column in columns)


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy): SQLite keeps the views over posts. SQLite takes the
    # foreign key only inline, in the column's own definition.
    if op.get_bind().dialect.name == "sqlite":
        if not _has_parent_column():
            op.execute("ALTER TABLE posts ADD COLUMN parent_post_id INTEGER REFERENCES posts (id)")
    else:
        op.add_column("posts", sa.Column("parent_post_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "posts", "posts", ["parent_post_id"], ["id"])
    op.add_column("posts", sa.Column("author_name", sa.Text(), nullable=True))
    op.add_column("posts", sa.Column("author_id", sa.String(length=100), nullable=True))
    op.add_column("posts", sa.Column("comments_synced", sa.BigInteger(), nullable=True))
    op.create_index(INDEX, "posts", ["parent_post_id", "published_at"], unique=False)


def downgrade() -> None:
    # Without these columns a comment would pass for a channel post: the comments go (their
    # versions, metrics and hits with them, by their foreign keys' ON DELETE).
    op.execute("DELETE FROM posts WHERE parent_post_id IS NOT NULL")
    op.drop_index(INDEX, table_name="posts")
    for column in ("comments_synced", "author_id", "author_name"):
        op.drop_column("posts", column)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column of a foreign key only by rebuilding posts, which would drop its
        # full-text triggers and break the views over it: the empty column stays, and an
        # upgrade takes it back.
        return
    op.drop_constraint(FOREIGN_KEY, "posts", type_="foreignkey")
    op.drop_column("posts", "parent_post_id")
