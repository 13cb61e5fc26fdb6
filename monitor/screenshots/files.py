"""Screenshot files, content-addressed under the evidence folder: screenshots/ab/cdef….png."""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from monitor.config import PolmonConfig

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def evidence_dir(config: PolmonConfig) -> Path:
    """Where evidence files live: `[evidence] root`, by default `<data_dir>/evidence`, next to
    the media folder (captures, manifests and screenshots together)."""
    return config.evidence_root


@dataclass(frozen=True)
class StoredPng:
    key: str  # relative to the evidence folder
    sha256: str
    size_bytes: int
    width: int
    height: int


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header chunk; ValueError if it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def store_png(root: Path, data: bytes) -> StoredPng:
    """Write the PNG under `root` by its sha256 (once: the same bytes share one file), through
    a temporary file renamed into place so a crash never leaves half a file under the name."""
    width, height = png_size(data)
    digest = hashlib.sha256(data).hexdigest()
    key = f"screenshots/{digest[:2]}/{digest[2:]}.png"
    path = root / key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return StoredPng(key, digest, len(data), width, height)


def screenshot_path(root: Path, key: str) -> Path | None:
    """The file of a stored key, only if it lies inside `root`'s screenshots folder."""
    base = (root / "screenshots").resolve()
    path = (root / key).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None
