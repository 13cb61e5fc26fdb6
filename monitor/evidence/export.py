"""`polmon evidence export`: posts with their captures, media, transcripts and timestamp
proofs as one WACZ file a third party can check (see docs/evidence.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor.config import PolmonConfig
from monitor.evidence.wacz import (
    WARC_PATH,
    WarcItem,
    cdxj_index,
    pages_jsonl,
    record_offsets,
    write_warc,
)
from monitor.evidence.wacz import write_wacz as _zip
from monitor.media_store import MediaKeyError, store_for
from monitor.queries.evidence import (
    ExportFile,
    ExportPost,
    export_post,
    leaves_for,
    tokens_by_id,
)
from storage.engine import transaction
from storage.evidence_store import EvidenceStore
from storage.types import utcnow

MANIFEST = "evidence/manifest.json"
HASHING = (
    "leaf = sha256(0x00 || sha256 of the file's bytes); node = sha256(0x01 || left || right); "
    "proof steps from the leaf up: ['L', sibling] means sha256(0x01 || sibling || current)"
)
README = """polmon evidence export

evidence/manifest.json lists every file (a WARC record in archive/data.warc.gz) with its
sha256, size and capture time, and for each one the Merkle proof linking its sha256 to the
root an RFC 3161 token (evidence/token-<id>.tst) timestamps. Check a token without polmon:

  openssl ts -verify -digest <merkle_root> -token_in -in evidence/token-<id>.tst \\
      -CAfile <the TSA's CA certificate>

See docs/evidence.md of polmon for the rest (sha256sum, the Merkle proof in a few lines).
"""


class EvidenceError(PolmonError):
    """An export that cannot be made as asked (no such post, a file altered on disk)."""

    expected = True


@dataclass
class ExportReport:
    posts: int
    files: int
    stamped: int
    out: Path


def _read(config: PolmonConfig, store: EvidenceStore, item: ExportFile) -> bytes:
    if item.payload is not None:
        return item.payload
    try:
        if item.storage_key is not None:
            return store.read(item.storage_key)
        if item.local_path is not None:
            return store_for(config).read_bytes(item.local_path)
        if item.evidence_file is not None:
            return (config.evidence_root / item.evidence_file).read_bytes()
    except OSError as exc:
        raise EvidenceError(f"{item.name}: cannot read its file ({exc.strerror})") from None
    except MediaKeyError as exc:
        raise EvidenceError(f"{item.name}: {exc}") from None
    raise EvidenceError(f"{item.name}: no file")


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_evidence(
    config: PolmonConfig, engine: Engine, post_ids: list[int], out: Path
) -> ExportReport:
    """Write the WACZ of these posts to `out`; a stored file whose bytes no longer match the
    sha256 recorded when it was kept stops the export (EvidenceError)."""
    if not post_ids:
        raise EvidenceError("no post to export")
    store = EvidenceStore(config.evidence_root)
    posts: list[ExportPost] = []
    files: dict[tuple[str, int], ExportFile] = {}
    with transaction(engine) as session:
        for post_id in post_ids:
            try:
                described, found = export_post(session, post_id)
            except Exception as exc:  # NoResultFound: no such post
                raise EvidenceError(f"no post with id {post_id}") from exc
            posts.append(described)
            files.update({(f.kind, f.ref_id): f for f in found})
        leaves = leaves_for(session, list(files))
        tokens = tokens_by_id(session, {leaf.token_id for leaf in leaves.values()})
        leaf_rows: dict[tuple[str, int], dict[str, Any]] = {
            key: {
                "token": leaf.token_id,
                "index": leaf.leaf_index,
                "proof": (leaf.proof or {}).get("path", []),
            }
            for key, leaf in leaves.items()
        }
        token_rows = {
            t.id: (t.merkle_root, t.token, t.gen_time, t.tsa_url, t.leaf_count)
            for t in tokens.values()
        }
    items: list[WarcItem] = []
    entries: list[dict[str, Any]] = []
    for key, item in files.items():
        data = _read(config, store, item)
        digest = hashlib.sha256(data).hexdigest()
        if item.sha256 is not None and digest != item.sha256:
            raise EvidenceError(
                f"{item.name}: the stored file's sha256 {digest} is not the {item.sha256} "
                "recorded when it was kept (altered on disk)"
            )
        record = WarcItem(
            name=item.name, url=item.url, when=item.when or utcnow(), payload=data,
            content_type=item.content_type, status=item.http_status, headers=item.headers,
        )  # fmt: skip
        items.append(record)
        stamp = leaf_rows.get(key)
        entries.append(
            {
                "name": item.name,
                "kind": item.kind,
                "id": item.ref_id,
                "url": item.url,
                "captured_at": _when(item.when),
                "http_status": item.http_status,
                "content_type": item.content_type,
                "sha256": digest,
                "size": len(data),
                "warc_file": WARC_PATH,
                "stamp": None
                if stamp is None
                else {
                    "token": stamp["token"],
                    "index": stamp["index"],
                    "proof": stamp["proof"],
                },
            }
        )
    warc = write_warc(items, f"polmon {_version()}")
    offsets = record_offsets(warc)
    for entry, written in zip(entries, items, strict=True):
        entry["warc_record_id"] = written.record_id
        entry["warc_offset"] = offsets[written.record_id]
    archive: dict[str, bytes] = {WARC_PATH: warc, "indexes/index.cdx": cdxj_index(warc)}
    pages = [
        {"id": one.record_id, "url": one.url, "ts": one.when.isoformat(), "title": one.name}
        for one in items
        if one.status is not None
    ]
    archive["pages/pages.jsonl"] = pages_jsonl(pages)
    token_entries = []
    for token_id, (root, token, gen_time, tsa_url, count) in sorted(token_rows.items()):
        entry = {
            "id": token_id, "merkle_root": root, "leaf_count": count,
            "gen_time": _when(gen_time), "tsa_url": tsa_url, "file": None,
        }  # fmt: skip
        if token is not None:
            entry["file"] = f"evidence/token-{token_id}.tst"
            archive[entry["file"]] = bytes(token)
        token_entries.append(entry)
    manifest = {
        "polmon_evidence": 1,
        "created": utcnow().isoformat(),
        "hashing": HASHING,
        "posts": [_post_json(post) for post in posts],
        "files": entries,
        "tokens": token_entries,
    }
    archive[MANIFEST] = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    if config.evidence.tsa_ca_file is not None:
        ca = config.resolve(config.evidence.tsa_ca_file)
        if ca.is_file():
            archive["evidence/tsa-ca.pem"] = ca.read_bytes()
    archive["evidence/README.txt"] = README.encode()
    title = f"polmon evidence: {len(posts)} post(s)"
    _zip(out, archive, title=title, main_url=posts[0].url, created=utcnow())
    stamped = sum(1 for entry in entries if entry["stamp"] is not None)
    return ExportReport(posts=len(posts), files=len(entries), stamped=stamped, out=out)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("polmon")
    except PackageNotFoundError:
        return "unknown"


def _post_json(post: ExportPost) -> dict[str, Any]:
    value = asdict(post)
    value["published_at"] = _when(post.published_at)
    value["deleted_at"] = _when(post.deleted_at)
    return value
