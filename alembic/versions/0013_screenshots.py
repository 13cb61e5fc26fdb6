"""screenshots and screenshot_jobs: PNGs of posts as a person sees them, and their queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "screenshot_jobs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("post_id", BIG_ID, nullable=False),
        sa.Column("post_version_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", WHEN, nullable=True),
        sa.Column("lease_expiries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'capturing', 'done', 'failed')",
            name=op.f("ck_screenshot_jobs_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('page', 'rendered_version')", name=op.f("ck_screenshot_jobs_kind")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_screenshot_jobs_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_version_id"],
            ["post_versions.id"],
            name=op.f("fk_screenshot_jobs_post_version_id_post_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenshot_jobs")),
    )
    with op.batch_alter_table("screenshot_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screenshot_jobs_post_version_id_kind"),
            ["post_version_id", "kind"],
            unique=True,
        )
        batch_op.create_index(batch_op.f("ix_screenshot_jobs_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_screenshot_jobs_status_next_attempt_at"),
            ["status", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_screenshot_jobs_lease_expires_at"), ["lease_expires_at"], unique=False
        )
    op.create_table(
        "screenshots",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("post_id", BIG_ID, nullable=False),
        sa.Column("post_version_id", BIG_ID, nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("captured_at", WHEN, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('page', 'rendered_version')", name=op.f("ck_screenshots_kind")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_screenshots_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_version_id"],
            ["post_versions.id"],
            name=op.f("fk_screenshots_post_version_id_post_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenshots")),
    )
    with op.batch_alter_table("screenshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screenshots_post_id_captured_at"),
            ["post_id", "captured_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_screenshots_post_version_id"), ["post_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_screenshots_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_table("screenshots")
    op.drop_table("screenshot_jobs")
