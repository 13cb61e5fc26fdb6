"""media.skip_reason: why a media row was skipped, short and countable

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy): SQLite keeps the views over media.
    op.add_column("media", sa.Column("skip_reason", sa.String(length=100), nullable=True))
    op.create_index("ix_media_status_skip_reason", "media", ["status", "skip_reason"])


def downgrade() -> None:
    op.drop_index("ix_media_status_skip_reason", table_name="media")
    op.drop_column("media", "skip_reason")
