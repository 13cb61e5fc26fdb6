"""media.local_path: a key relative to the media root instead of an absolute path

Rows whose absolute path lies under the configured media folder (`[paths] media_dir`, handed
to the migration by `storage.migrations.upgrade(…, media_dir=…)`) keep the rest of the path
as their key (`/srv/polmon/media/tiktok/1_2.m4a` → `tiktok/1_2.m4a`). Rows whose path lies
outside it are kept as they are: the media store reads such a legacy absolute path from the
local disk, the web app refuses to serve it. Without a media folder (a bare `alembic upgrade`)
nothing is converted. The downgrade puts the folder back in front of relative keys.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _prefixes() -> list[str]:
    """The media folder resolved (first) and as written, each with a trailing separator."""
    config = op.get_context().config
    media_dir = config.attributes.get("media_dir") if config is not None else None
    if not media_dir:
        return []
    written = Path(str(media_dir)).expanduser().absolute()
    resolved = str(written.resolve()).rstrip("/") + "/"
    as_written = str(written).rstrip("/") + "/"
    return [resolved] + ([as_written] if as_written != resolved else [])


def upgrade() -> None:
    for prefix in _prefixes():
        op.get_bind().execute(
            sa.text(
                "UPDATE media SET local_path = substr(local_path, :start) "
                "WHERE substr(local_path, 1, :length) = :prefix"
            ),
            {"start": len(prefix) + 1, "length": len(prefix), "prefix": prefix},
        )


def downgrade() -> None:
    prefixes = _prefixes()
    if prefixes:
        op.get_bind().execute(
            sa.text(
                "UPDATE media SET local_path = :prefix || local_path "
                "WHERE local_path IS NOT NULL AND substr(local_path, 1, 1) <> '/'"
            ),
            {"prefix": prefixes[0]},
        )
