"""evidence: captures (raw responses), timestamp tokens and their Merkle leaves

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", _TIME, nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("headers", _JSON, nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "kind IN ('http', 'ytdlp_info', 'telethon')", name=op.f("ck_captures_kind")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_captures_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
        sa.UniqueConstraint(
            "sha256", "url", "fetched_at", name=op.f("uq_captures_sha256_url_fetched_at")
        ),
    )
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_captures_account_id_fetched_at"), ["account_id", "fetched_at"]
        )
        batch_op.create_index(batch_op.f("ix_captures_fetched_at"), ["fetched_at"])
    op.create_table(
        "timestamp_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("merkle_root", sa.String(length=64), nullable=False),
        sa.Column("leaf_count", sa.Integer(), nullable=False),
        sa.Column("manifest_key", sa.Text(), nullable=True),
        sa.Column("tsa_url", sa.Text(), nullable=True),
        sa.Column("token", sa.LargeBinary(), nullable=True),
        sa.Column("gen_time", _TIME, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timestamp_tokens")),
    )
    with op.batch_alter_table("timestamp_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timestamp_tokens_created_at"), ["created_at"])
    op.create_table(
        "evidence_leaves",
        sa.Column("id", _ID, nullable=False),
        sa.Column("token_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("leaf_index", sa.Integer(), nullable=False),
        sa.Column("proof", _JSON, nullable=True),
        sa.CheckConstraint(
            "kind IN ('capture', 'media', 'screenshot')", name=op.f("ck_evidence_leaves_kind")
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["timestamp_tokens.id"],
            name=op.f("fk_evidence_leaves_token_id_timestamp_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_leaves")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_evidence_leaves_kind_ref_id")),
    )
    with op.batch_alter_table("evidence_leaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_leaves_token_id"), ["token_id"])
    with op.batch_alter_table("post_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capture_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_post_versions_capture_id_captures"),
            "captures",
            ["capture_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_post_versions_capture_id"), ["capture_id"])


def downgrade() -> None:
    with op.batch_alter_table("post_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_versions_capture_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_post_versions_capture_id_captures"), type_="foreignkey"
        )
        batch_op.drop_column("capture_id")
    op.drop_table("evidence_leaves")
    op.drop_table("timestamp_tokens")
    op.drop_table("captures")
