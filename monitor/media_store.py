"""Where downloaded media files are kept: a folder (local or shared) or an fsspec object store.

Media rows keep a *key*, a POSIX path relative to the media root (`telegram/chan/12_0.m4a`),
never an absolute path, so download, transcription, OCR and the web app on different
machines find the same file. The download stage writes into its local staging folder
(`[paths] media_dir`) and `put`s the finished file; readers `open` it (the web app, byte
ranges) or take a `local_copy` (ffmpeg and Whisper need a file on disk). Rows written before
keys (absolute paths outside the media folder, left as they were by migration 0016) are read
from the local filesystem as before.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Any

from collectors.errors import PolmonError
from monitor.config import PolmonConfig

COPY_PREFIX = "polmon-media-"  # temporary copies from an object store, under the staging folder


class MediaKeyError(PolmonError, ValueError):
    """A stored media key that is empty, absolute outside the root, or climbs out of it."""


class MediaStoreError(PolmonError):
    """The media root cannot be used (an unknown URL scheme, its library not installed)."""


def media_key(stored: str) -> str:
    """`stored` checked as a key: relative, POSIX, no `..`, no empty parts."""
    parts = stored.replace("\\", "/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        raise MediaKeyError(f"not a media key: {stored!r}")
    return "/".join(parts)


class MediaStore:
    """A local or shared folder: keys are paths under `root`; `staging` is `root` itself."""

    remote = False

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()
        self.staging = self.root
        self.url = str(self.root)

    # -- keys ---------------------------------------------------------------------------
    def key_for(self, path: Path) -> str:
        """The key of a file under the staging folder."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.staging):
            raise MediaKeyError(f"{path} lies outside the media staging folder")
        return media_key(resolved.relative_to(self.staging).as_posix())

    def legacy_path(self, stored: str) -> Path | None:
        """An absolute path a row kept from before keys (read locally), else None."""
        path = Path(stored).expanduser()
        return path if path.is_absolute() else None

    def path(self, stored: str) -> Path:
        """The local file of a stored key (or a legacy absolute path), symlinks followed;
        refused unless it lies inside the root (a legacy path may lie anywhere)."""
        legacy = self.legacy_path(stored)
        if legacy is not None:
            return legacy
        resolved = (self.root / media_key(stored)).resolve()
        if not resolved.is_relative_to(self.root):
            raise MediaKeyError(f"media key {stored!r} leads outside the media root")
        return resolved

    # -- writing ------------------------------------------------------------------------
    def put(self, path: Path) -> str:
        """Keep the finished file `path` (under the staging folder); returns its key."""
        return self.key_for(path)

    def delete(self, stored: str) -> None:
        self.path(stored).unlink(missing_ok=True)

    # -- reading ------------------------------------------------------------------------
    def exists(self, stored: str) -> bool:
        return self.path(stored).is_file()

    def size(self, stored: str) -> int:
        return self.path(stored).stat().st_size

    def open(self, stored: str) -> IO[bytes]:
        return self.path(stored).open("rb")

    def read_bytes(self, stored: str) -> bytes:
        with self.open(stored) as handle:
            return handle.read()

    def remove_stale_copies(self, older_than_seconds: float) -> int:
        """Delete the temporary copies (`local_copy`) of workers that died mid-file, untouched
        for `older_than_seconds`; returns how many. Nothing to do for a folder."""
        if not self.remote or not self.staging.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for folder in self.staging.glob(f"{COPY_PREFIX}*"):
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    @contextlib.contextmanager
    def local_copy(self, stored: str) -> Iterator[Path]:
        """A file on this machine's disk with the content of `stored`, for the time of the
        `with` block (the file itself here; a temporary download for an object store)."""
        yield self.path(stored)


class FsspecMediaStore(MediaStore):
    """An fsspec filesystem (`s3://bucket/prefix` through s3fs, …): keys under its prefix;
    downloads are staged in the local `staging` folder and uploaded by `put`."""

    remote = True

    def __init__(self, url: str, staging: Path, options: Mapping[str, Any]) -> None:
        try:
            from fsspec.core import url_to_fs
        except ImportError as exc:  # pragma: no cover - fsspec comes with the s3 extra
            raise MediaStoreError("media_root is a URL but fsspec is not installed") from exc
        try:
            self.fs, prefix = url_to_fs(url, **dict(options))
        except (ImportError, ValueError) as exc:
            raise MediaStoreError(f"media_root {url!r}: {exc}") from exc
        self.prefix = prefix.rstrip("/")
        self.url = url
        self.root = staging.expanduser().resolve()
        self.staging = self.root

    def _remote(self, stored: str) -> str:
        return f"{self.prefix}/{media_key(stored)}"

    def put(self, path: Path) -> str:
        key = self.key_for(path)
        self.fs.put_file(str(path), self._remote(key))
        path.unlink(missing_ok=True)
        return key

    def delete(self, stored: str) -> None:
        if self.legacy_path(stored) is not None:
            super().delete(stored)
        elif self.fs.exists(self._remote(stored)):
            self.fs.rm_file(self._remote(stored))

    def exists(self, stored: str) -> bool:
        if self.legacy_path(stored) is not None:
            return super().exists(stored)
        return bool(self.fs.isfile(self._remote(stored)))

    def size(self, stored: str) -> int:
        if self.legacy_path(stored) is not None:
            return super().size(stored)
        return int(self.fs.size(self._remote(stored)))

    def open(self, stored: str) -> IO[bytes]:
        if self.legacy_path(stored) is not None:
            return super().open(stored)
        handle: IO[bytes] = self.fs.open(self._remote(stored), "rb")
        return handle

    @contextlib.contextmanager
    def local_copy(self, stored: str) -> Iterator[Path]:
        if self.legacy_path(stored) is not None:
            yield self.path(stored)
            return
        key = media_key(stored)
        suffix = PurePosixPath(key).suffix
        self.staging.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=COPY_PREFIX, dir=self.staging) as folder:
            target = Path(folder) / f"copy{suffix}"
            with self.fs.open(self._remote(key), "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            yield target


def open_store(root: str, staging: Path, options: Mapping[str, Any] | None = None) -> MediaStore:
    """The store of a media root: a folder, or an fsspec URL (`s3://…`, `memory://…`)."""
    if "://" in root and not root.startswith("file://"):
        return FsspecMediaStore(root, staging, options or {})
    folder = Path(root.removeprefix("file://"))
    if folder.resolve() == staging.expanduser().resolve():
        return MediaStore(folder)
    return SharedFolderStore(folder, staging)


class SharedFolderStore(MediaStore):
    """A folder other than the staging folder (an NFS share): `put` moves the file there."""

    def __init__(self, root: Path, staging: Path) -> None:
        super().__init__(root)
        self.staging = staging.expanduser().resolve()

    def put(self, path: Path) -> str:
        key = self.key_for(path)
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        return key


def store_for(config: PolmonConfig) -> MediaStore:
    """The media store of a config: `[paths] media_root`, staging in `[paths] media_dir`."""
    return open_store(config.media_root, config.media_dir, config.paths.media_root_options)
