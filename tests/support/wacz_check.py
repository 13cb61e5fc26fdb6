"""An independent check of a WACZ (zip layout, datapackage digests, every WARC record read by
warcio with its digests checked) and the tampering helpers the verify tests use."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_wacz(path: Path) -> dict[str, bytes]:
    """Assert the WACZ's structure and digests; return each WARC record's payload by id."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        for required in ("archive/data.warc.gz", "pages/pages.jsonl", "datapackage.json",
                         "datapackage-digest.json", "indexes/index.cdx"):  # fmt: skip
            assert required in names, required
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        package_bytes = archive.read("datapackage.json")
        digest = json.loads(archive.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json", "hash": "sha256:" + sha256(package_bytes)}
        package = json.loads(package_bytes)
        assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
        for name, resource in listed.items():
            # What py-wacz's validator (frictionless, its path checks) also requires.
            assert re.fullmatch(r"[-a-z0-9._/]+", resource["name"]), resource["name"]
            assert len(name.split("/")) <= 2, f"{name}: py-wacz compares the last two parts"
            data = archive.read(name)
            assert resource["hash"] == "sha256:" + sha256(data) and resource["bytes"] == len(data)
        pages = archive.read("pages/pages.jsonl").decode().splitlines()
        assert json.loads(pages[0])["format"] == "json-pages-1.0"
        payloads: dict[str, bytes] = {}
        records = ArchiveIterator(io.BytesIO(archive.read("archive/data.warc.gz")),
                                  check_digests=True)  # fmt: skip
        for record in records:
            payloads[record.rec_headers.get_header("WARC-Record-ID")] = record.raw_stream.read()
        assert records.err_count == 0  # warcio found no digest mismatch
    return payloads


def rewrite(
    path: Path, name: str, change: Callable[[bytes], bytes], *, fix_package: bool = True
) -> None:
    """Replace one file of the ZIP by `change(its bytes)`; with `fix_package`, the forger
    also rewrites datapackage.json and its digest to match."""
    with zipfile.ZipFile(path) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    files[name] = change(files[name])
    if fix_package:
        package = json.loads(files["datapackage.json"])
        for resource in package["resources"]:
            data = files[resource["path"]]
            resource["hash"], resource["bytes"] = "sha256:" + sha256(data), len(data)
        files["datapackage.json"] = json.dumps(package, indent=2).encode()
        files["datapackage-digest.json"] = json.dumps(
            {"path": "datapackage.json", "hash": "sha256:" + sha256(files["datapackage.json"])}
        ).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for filename, data in files.items():
            archive.writestr(filename, data)


def flip_byte_in_record(record_id: str) -> Callable[[bytes], bytes]:
    """A change of a WARC: one byte of one record's payload flipped, the record rewritten
    (digest headers dropped, as a forger would) and the rest kept."""

    def change(warc: bytes) -> bytes:
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for record in ArchiveIterator(io.BytesIO(warc)):
            payload = record.raw_stream.read()
            if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                payload = bytes([payload[0] ^ 1]) + payload[1:]
                for header in ("WARC-Payload-Digest", "WARC-Block-Digest", "Content-Length"):
                    record.rec_headers.remove_header(header)
            copy = writer.create_warc_record(
                record.rec_headers.get_header("WARC-Target-URI") or "",
                record.rec_type,
                payload=io.BytesIO(payload),
                length=len(payload),
                warc_headers=record.rec_headers,
                http_headers=record.http_headers,
            )
            writer.write_record(copy)
        return out.getvalue()

    return change
