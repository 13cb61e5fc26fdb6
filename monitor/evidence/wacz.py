"""Writing a WACZ (1.1.1): WARC records by warcio, a CDXJ index, pages, datapackage files.

Every file is stored uncompressed in the ZIP (the WARC is gzip per record already), so a
replay tool can seek into it; `datapackage.json` lists each file's sha256 and size, and
`datapackage-digest.json` the sha256 of `datapackage.json`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WACZ_VERSION = "1.1.1"
WARC_PATH = "archive/data.warc.gz"
# Headers describing the transfer, not the bytes kept (those are the decoded body).
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class WarcItem:
    """One record to write: a response (with status and headers) or a resource."""

    name: str  # its name in the manifest
    url: str
    when: datetime
    payload: bytes
    content_type: str | None = None
    status: int | None = None  # set: an HTTP response record
    headers: list[list[str]] = field(default_factory=list)
    record_id: str = ""  # filled in when written


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload_digest(data: bytes) -> str:
    """The WARC form of a sha256: `sha256:` and base32."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode()


def write_warc(items: list[WarcItem], software: str) -> bytes:
    """A gzipped WARC 1.1 with a warcinfo record, then one record per item (ids set)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    info = writer.create_warcinfo_record(
        "data.warc.gz", {"software": software, "format": "WARC 1.1"}
    )
    writer.write_record(info)
    for item in items:
        extra = {
            "WARC-Date": warc_date(item.when),
            "WARC-Payload-Digest": payload_digest(item.payload),
        }
        if item.status is not None:
            kept = [(k, v) for k, v in item.headers if k.lower() not in _TRANSFER_HEADERS]
            kept.append(("Content-Length", str(len(item.payload))))
            http = StatusAndHeaders(f"{item.status} OK", kept, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                item.url,
                "response",
                payload=io.BytesIO(item.payload),
                length=len(item.payload),
                warc_headers_dict=extra,
                http_headers=http,
            )
        else:
            record = writer.create_warc_record(
                item.url,
                "resource",
                payload=io.BytesIO(item.payload),
                length=len(item.payload),
                warc_content_type=item.content_type or "application/octet-stream",
                warc_headers_dict=extra,
            )
        item.record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(record)
    return buffer.getvalue()


def surt(url: str) -> str:
    """A simple SURT key: host labels reversed, then `)` and the path and query."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    host = ",".join(reversed(parts.hostname.removeprefix("www.").split(".")))
    if parts.port:
        host += f":{parts.port}"
    path = parts.path or "/"
    return f"{host}){path}" + (f"?{parts.query}" if parts.query else "")


def cdxj_index(warc: bytes) -> bytes:
    """A CDXJ line per response/resource record (url key, time, JSON with offset, length)."""
    lines = []
    iterator = ArchiveIterator(io.BytesIO(warc))
    for record in iterator:
        kind = record.rec_type
        if kind not in ("response", "resource"):
            record.raw_stream.read()
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        date = record.rec_headers.get_header("WARC-Date")
        mime = (
            record.http_headers.get_header("Content-Type")
            if record.http_headers
            else record.rec_headers.get_header("Content-Type")
        )
        status = record.http_headers.get_statuscode() if record.http_headers else "200"
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        record.raw_stream.read()
        offset, length = iterator.get_record_offset(), iterator.get_record_length()
        stamp = "".join(ch for ch in date if ch.isdigit())[:14]
        fields = {
            "url": url, "mime": (mime or "").split(";")[0], "status": str(status),
            "digest": digest, "offset": offset, "length": length, "filename": "data.warc.gz",
        }  # fmt: skip
        lines.append(f"{surt(url)} {stamp} {json.dumps(fields, sort_keys=True)}")
    return ("\n".join(sorted(lines)) + "\n").encode()


def record_offsets(warc: bytes) -> dict[str, int]:
    """Each record's offset in the gzipped WARC (for `warcio extract FILE OFFSET`), by id."""
    offsets: dict[str, int] = {}
    iterator = ArchiveIterator(io.BytesIO(warc))
    for record in iterator:
        record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
        record.raw_stream.read()
        offsets[record_id] = iterator.get_record_offset()
    return offsets


def pages_jsonl(pages: list[dict[str, str]]) -> bytes:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    return "".join(json.dumps(line) + "\n" for line in [header, *pages]).encode()


def write_wacz(
    out: Path, files: dict[str, bytes], *, title: str, main_url: str | None, created: datetime
) -> None:
    """The ZIP: `files` (path -> bytes) plus datapackage.json and datapackage-digest.json."""
    resources = [
        {
            "name": Path(path).name.lower(),
            "path": path,
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
        for path, data in files.items()
    ]
    package: dict[str, object] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": "polmon",
        "resources": resources,
    }
    if main_url:
        package["mainPageURL"] = main_url
    package_bytes = json.dumps(package, indent=2).encode()
    digest = {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr("datapackage.json", package_bytes)
        archive.writestr("datapackage-digest.json", json.dumps(digest, indent=2).encode())
    partial.replace(out)
