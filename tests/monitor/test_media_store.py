"""The media store: keys under a folder, a shared folder or an S3 bucket (a real S3-compatible
server on 127.0.0.1), and the legacy absolute paths rows kept from before keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.media_store import (
    COPY_PREFIX,
    FsspecMediaStore,
    MediaKeyError,
    MediaStore,
    SharedFolderStore,
    media_key,
    open_store,
    store_for,
)
from tests.support.config import make_config
from tests.support.s3 import s3_server

BODY = bytes(range(256)) * 8


@pytest.fixture(params=["folder", "shared", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MediaStore]:
    staging = tmp_path / "staging"
    staging.mkdir()
    if request.param == "folder":
        yield open_store(str(staging), staging)
    elif request.param == "shared":
        yield open_store(str(tmp_path / "share"), staging)
    else:
        with s3_server(monkeypatch) as server:
            yield open_store(server.new_root(), staging, server.options)


def staged(store: MediaStore, key: str, body: bytes = BODY) -> Path:
    path = store.staging / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def test_put_then_read_back_by_key(store: MediaStore) -> None:
    key = store.put(staged(store, "tiktok/7412_1.m4a"))
    assert key == "tiktok/7412_1.m4a"
    assert store.exists(key) and store.size(key) == len(BODY)
    assert store.read_bytes(key) == BODY
    with store.open(key) as handle:
        handle.seek(300)
        assert handle.read(10) == BODY[300:310]
    with store.local_copy(key) as path:
        assert path.read_bytes() == BODY and path.suffix == ".m4a"
    if store.remote:  # the staged file went up; its temporary copy is gone after the block
        assert not (store.staging / key).exists() and not path.exists()
    store.delete(key)
    assert not store.exists(key)


def test_a_missing_key_is_file_not_found(store: MediaStore) -> None:
    assert not store.exists("telegram/gone.ogg")
    with pytest.raises(FileNotFoundError), store.local_copy("telegram/gone.ogg") as path:
        path.read_bytes()


def test_legacy_absolute_paths_are_read_from_the_local_disk(
    store: MediaStore, tmp_path: Path
) -> None:
    old = tmp_path / "old-media" / "a.m4a"
    old.parent.mkdir()
    old.write_bytes(b"old")
    assert store.read_bytes(str(old)) == b"old" and store.size(str(old)) == 3
    with store.local_copy(str(old)) as path:
        assert path == old


@pytest.mark.parametrize("bad", ["", "/", "a/../../b", "./a", "a//b", "../x"])
def test_keys_never_climb_out(bad: str) -> None:
    with pytest.raises(MediaKeyError):
        media_key(bad)


def test_a_file_outside_the_staging_folder_is_refused(store: MediaStore, tmp_path: Path) -> None:
    stray = tmp_path / "stray.m4a"
    stray.write_bytes(b"x")
    with pytest.raises(MediaKeyError):
        store.put(stray)


def test_the_config_chooses_the_store(tmp_path: Path) -> None:
    plain = make_config(tmp_path)
    assert type(store_for(plain)) is MediaStore and store_for(plain).root == plain.media_dir
    shared = make_config(tmp_path, paths={"data_dir": str(tmp_path), "media_root": "share"})
    assert isinstance(store_for(shared), SharedFolderStore)
    assert store_for(shared).root == (tmp_path / "share").resolve()
    remote = make_config(tmp_path, paths={"media_root": "memory://polmon-test/media"})
    assert isinstance(store_for(remote), FsspecMediaStore)


def test_stale_temporary_copies_are_removed(store: MediaStore) -> None:
    """A worker that died mid-file leaves its copy; one older than the limit is removed."""
    import os

    stale = store.staging / f"{COPY_PREFIX}dead"
    stale.mkdir()
    (stale / "copy.m4a").write_bytes(b"x")
    os.utime(stale, (0, 0))
    fresh = store.staging / f"{COPY_PREFIX}alive"
    fresh.mkdir()
    removed = store.remove_stale_copies(60)
    if store.remote:
        assert removed == 1 and not stale.exists() and fresh.is_dir()
    else:  # a folder store makes no copies and touches nothing
        assert removed == 0 and stale.is_dir()
