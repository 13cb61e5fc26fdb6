"""claimed work: accounts due/lease columns; partial indexes for the media claim query

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)
_READY = "status IN ('pending', 'downloaded')"
_WORKING = "status IN ('downloading', 'transcribing')"


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_due_at", _TIME, nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", _TIME, nullable=True))
        batch_op.create_index("ix_accounts_next_due_at", ["next_due_at"], unique=False)
    # The claim reads ready rows in id order and expired leases by expiry: partial indexes
    # hold only the rows a claim can take, so a finished backlog costs the claim nothing.
    op.create_index(
        "ix_media_claim_ready",
        "media",
        ["status", "id"],
        unique=False,
        postgresql_where=sa.text(_READY),
        sqlite_where=sa.text(_READY),
    )
    op.create_index(
        "ix_media_claim_leased",
        "media",
        ["status", "lease_expires_at"],
        unique=False,
        postgresql_where=sa.text(_WORKING),
        sqlite_where=sa.text(_WORKING),
    )


def downgrade() -> None:
    op.drop_index("ix_media_claim_leased", table_name="media")
    op.drop_index("ix_media_claim_ready", table_name="media")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_next_due_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("next_due_at")
