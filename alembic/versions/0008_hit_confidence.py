"""keyword hit confidence: how sure a transcript hit is, and whether it matched approximately

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (not a batch copy): SQLite keeps the views over keyword_hits.
    op.add_column("keyword_hits", sa.Column("confidence", sa.Float(), nullable=True))
    op.add_column(
        "keyword_hits",
        sa.Column("approximate", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("keyword_hits", "approximate")
    op.drop_column("keyword_hits", "confidence")
