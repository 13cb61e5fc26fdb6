"""Migration 0016: absolute media paths under the media folder become keys relative to it."""

from __future__ import annotations

from pathlib import Path

from alembic.command import downgrade
from sqlalchemy import Engine, insert, select

from storage.engine import transaction
from storage.migrations import alembic_config, upgrade
from storage.models import Account, Media, Post
from tests.support import factories


def test_0016_turns_paths_under_the_media_folder_into_keys(
    unmigrated_engine: Engine, tmp_path: Path
) -> None:
    engine = unmigrated_engine
    real = tmp_path / "real-media"
    real.mkdir()
    media_dir = tmp_path / "media"  # configured through a symlink: both spellings convert
    media_dir.symlink_to(real)
    stored = [
        f"{media_dir}/tiktok/1_1.m4a",  # under the folder as configured
        f"{real}/youtube/b_2.m4a",  # under it, resolved (what the download stage wrote)
        "telegram/3_3.ogg",  # a key already
        f"{tmp_path}/media-old/x_4.m4a",  # outside the folder: kept as it is
        f"{media_dir}x/5_5.m4a",  # a sibling folder whose name starts the same: kept
        None,  # never downloaded
    ]
    upgrade(engine, "0015")
    with transaction(engine) as session:  # the columns 0015 has (Core names them)
        actor = factories.actor(session, "A")
        account_id = session.scalar(
            insert(Account.__table__)
            .values(actor_id=actor.id, platform="telegram", handle="a")
            .returning(Account.__table__.c.id)
        )
        post_id = session.scalar(
            insert(Post.__table__)
            .values(account_id=account_id, platform_post_id="1", published_at=factories.T0)
            .returning(Post.__table__.c.id)
        )
        session.execute(  # media columns as 0015 has them (later revisions add more)
            insert(Media.__table__),
            [
                {"post_id": post_id, "position": position, "kind": "video", "local_path": path}
                for position, path in enumerate(stored)
            ],
        )
    upgrade(engine, "0016", media_dir=media_dir)
    with transaction(engine) as session:
        keys = session.scalars(select(Media.local_path).order_by(Media.position)).all()
    assert keys == [
        "tiktok/1_1.m4a",
        "youtube/b_2.m4a",
        "telegram/3_3.ogg",
        f"{tmp_path}/media-old/x_4.m4a",
        f"{media_dir}x/5_5.m4a",
        None,
    ]
    downgrade(alembic_config(engine, media_dir), "0015")
    with transaction(engine) as session:
        back = session.scalars(select(Media.local_path).order_by(Media.position)).all()
    assert back[:3] == [
        f"{real}/tiktok/1_1.m4a",
        f"{real}/youtube/b_2.m4a",
        f"{real}/telegram/3_3.ogg",
    ]
    assert back[3:] == stored[3:]
