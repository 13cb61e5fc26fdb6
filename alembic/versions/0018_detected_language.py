"""media.detected_language: the spoken language a worker detected and handed the row back for

A transcription worker lacking what a detected language needs (its routed model, a GPU) gives
the row back with the language recorded; the claim then routes the row by it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detected_language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("detected_language_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_column("detected_language_probability")
        batch_op.drop_column("detected_language")
