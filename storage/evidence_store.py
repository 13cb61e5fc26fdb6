"""The evidence root on disk: gzip files named by the sha256 of what they hold, never rewritten."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredFile:
    """Where bytes were put: their key under the root, the file's size, whether it is new."""

    key: str
    stored_bytes: int
    written: bool


class EvidenceStore:
    """Content-addressed, append-only files under `root`: `<prefix>/ab/cdef….gz`.

    The same bytes always land at the same key, so an unchanged page costs nothing twice;
    an existing file is never opened for writing (a new one is written aside, then renamed)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key_for(sha256: str, prefix: str = "captures") -> str:
        return f"{prefix}/{sha256[:2]}/{sha256[2:]}.gz"

    def path(self, key: str) -> Path:
        return self.root / key

    def put(
        self, content: bytes, prefix: str = "captures", sha256: str | None = None
    ) -> StoredFile:
        """Store `content` gzip-compressed under its sha256 unless it is already there."""
        digest = sha256 or hashlib.sha256(content).hexdigest()
        key = self.key_for(digest, prefix)
        target = self.path(key)
        if target.exists():
            return StoredFile(key, target.stat().st_size, False)
        target.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0: the same bytes compress to the same file, wherever and whenever.
        packed = gzip.compress(content, compresslevel=9, mtime=0)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(packed)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).chmod(0o444)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredFile(key, len(packed), True)

    def read(self, key: str) -> bytes:
        """The bytes stored at `key`, uncompressed."""
        return gzip.decompress(self.path(key).read_bytes())
