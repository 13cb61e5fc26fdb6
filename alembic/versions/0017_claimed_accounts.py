"""claimed work: accounts due/lease columns; partial indexes for the media claim query

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)
_PENDING = "status = 'pending'"
_DOWNLOADED = "status = 'downloaded'"


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_at", _TIME, nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", _TIME, nullable=True))
        batch_op.create_index("ix_accounts_next_due_at", ["next_due_at"], unique=False)
    # The claim reads ready rows in id order: a partial index per ready status holds only the
    # rows a claim can take (a finished backlog costs it nothing) in that order. It replaces
    # (status, next_attempt_at), which SQLite preferred and then sorted the whole status by id.
    # Expired leases keep using ix_media_lease_expires_at.
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("ix_media_status_next_attempt_at")
    op.create_index(
        "ix_media_claim_pending",
        "media",
        ["id", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text(_PENDING),
        sqlite_where=sa.text(_PENDING),
    )
    op.create_index(
        "ix_media_claim_downloaded",
        "media",
        ["id", "kind", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text(_DOWNLOADED),
        sqlite_where=sa.text(_DOWNLOADED),
    )


def downgrade() -> None:
    op.drop_index("ix_media_claim_downloaded", table_name="media")
    op.drop_index("ix_media_claim_pending", table_name="media")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_next_due_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("next_due_at")
