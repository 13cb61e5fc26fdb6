"""`polmon evidence verify`: recompute every hash of a WACZ, check every proof and token."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from warcio.archiveiterator import ArchiveIterator

from monitor.evidence.merkle import root_of
from monitor.evidence.token import TokenError, load_certificates, verify_token

MANIFEST = "evidence/manifest.json"
BUNDLED_CA = "evidence/tsa-ca.pem"


@dataclass(frozen=True)
class Finding:
    """One line of the verdict: a file (or token) and whether it is intact."""

    ok: bool
    name: str
    detail: str

    def line(self) -> str:
        return f"{'OK' if self.ok else 'FAILED'} {self.name}: {self.detail}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package(archive: zipfile.ZipFile, findings: list[Finding]) -> None:
    """datapackage-digest.json -> datapackage.json -> each listed file's sha256 and size."""
    names = set(archive.namelist())
    for required in ("datapackage.json", "datapackage-digest.json"):
        if required not in names:
            findings.append(Finding(False, required, "missing"))
            return
    package_bytes = archive.read("datapackage.json")
    digest = json.loads(archive.read("datapackage-digest.json"))
    ok = digest.get("hash") == "sha256:" + _sha(package_bytes)
    findings.append(
        Finding(ok, "datapackage.json", "sha256 matches datapackage-digest.json" if ok
                else "altered: sha256 differs from datapackage-digest.json")
    )  # fmt: skip
    listed = set()
    for resource in json.loads(package_bytes).get("resources", []):
        path = resource.get("path", "")
        listed.add(path)
        if path not in names:
            findings.append(Finding(False, path, "listed in datapackage.json, missing"))
            continue
        data = archive.read(path)
        if resource.get("hash") != "sha256:" + _sha(data) or resource.get("bytes") != len(data):
            findings.append(
                Finding(False, path, "altered: sha256 or size differs from datapackage.json")
            )
        else:
            findings.append(Finding(True, path, f"sha256 {_sha(data)[:16]}…, {len(data)} bytes"))
    for extra in sorted(names - listed - {"datapackage.json", "datapackage-digest.json"}):
        findings.append(Finding(False, extra, "not listed in datapackage.json (added)"))


def _payloads(warc: bytes) -> dict[str, bytes]:
    """Each record's payload (after the HTTP headers of a response) by WARC-Record-ID."""
    found: dict[str, bytes] = {}
    for record in ArchiveIterator(io.BytesIO(warc)):
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        found[str(record_id)] = record.raw_stream.read()
    return found


def _tokens(
    archive: zipfile.ZipFile, manifest: dict[str, Any], trusted: list[x509.Certificate]
) -> tuple[dict[int, str], list[Finding]]:
    """The roots of the tokens that verify, by token id, and a finding per token."""
    good: dict[int, str] = {}
    findings = []
    for entry in manifest.get("tokens", []):
        name = f"token {entry.get('id')}"
        if not entry.get("file"):
            findings.append(Finding(False, name, "no TSA token for this batch (unstamped)"))
            continue
        try:
            token = archive.read(entry["file"])
            check = verify_token(token, bytes.fromhex(entry["merkle_root"]), trusted)
        except KeyError:
            findings.append(Finding(False, name, f"{entry['file']} missing"))
            continue
        except (TokenError, ValueError) as exc:
            findings.append(Finding(False, name, f"altered or untrusted: {exc}"))
            continue
        good[int(entry["id"])] = entry["merkle_root"]
        findings.append(
            Finding(True, name, f"signed {check.gen_time.isoformat()} by {check.tsa}, "
                    f"root {entry['merkle_root'][:16]}…")
        )  # fmt: skip
    return good, findings


def _files(
    manifest: dict[str, Any], payloads: dict[str, bytes], roots: dict[int, str]
) -> list[Finding]:
    findings = []
    for entry in manifest.get("files", []):
        name = str(entry.get("name"))
        data = payloads.get(str(entry.get("warc_record_id")))
        if data is None:
            findings.append(Finding(False, name, "its WARC record is missing"))
            continue
        digest = _sha(data)
        if digest != entry.get("sha256") or len(data) != entry.get("size"):
            findings.append(
                Finding(False, name, f"altered: content sha256 {digest[:16]}… is not the "
                        f"manifest's {str(entry.get('sha256'))[:16]}…")
            )  # fmt: skip
            continue
        stamp = entry.get("stamp")
        if stamp is None:
            findings.append(Finding(entry["kind"] == "transcript", name,
                                    "sha256 matches the manifest; not timestamped"))  # fmt: skip
            continue
        root = roots.get(int(stamp["token"]))
        if root is None:
            findings.append(Finding(False, name, f"its token {stamp['token']} does not verify"))
        elif root_of(digest, stamp["proof"]) != root:
            findings.append(
                Finding(False, name, f"altered: its sha256 is not the one token {stamp['token']} "
                        "timestamped (the Merkle proof does not lead to the root)")
            )  # fmt: skip
        else:
            findings.append(
                Finding(True, name, f"sha256 {digest[:16]}… matches, in token {stamp['token']}")
            )
    return findings


def verify_wacz(path: Path, ca_file: Path | None = None) -> list[Finding]:
    """Every check of the archive at `path`, one finding per file and token."""
    findings: list[Finding] = []
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [Finding(False, str(path), f"not a readable WACZ ({exc})")]
    with archive:
        _package(archive, findings)
        try:
            manifest = json.loads(archive.read(MANIFEST))
            warc = archive.read(
                manifest["files"][0]["warc_file"]
                if manifest.get("files")
                else "archive/data.warc.gz"
            )
            payloads = _payloads(warc)
        except (KeyError, ValueError, OSError) as exc:
            findings.append(
                Finding(False, MANIFEST, f"cannot read the manifest or the WARC ({exc})")
            )
            return findings
        if ca_file is not None:
            trusted = load_certificates(ca_file)
            source = str(ca_file)
        elif BUNDLED_CA in archive.namelist():
            trusted = x509.load_pem_x509_certificates(archive.read(BUNDLED_CA))
            source = f"{BUNDLED_CA} (bundled: check its fingerprint with the TSA)"
        else:
            trusted, source = [], "none"
        fingerprints = ", ".join(
            "sha256 " + c.fingerprint(hashes.SHA256()).hex()[:16] + "…" for c in trusted
        )
        findings.append(Finding(bool(trusted), "trusted CA", f"{source} {fingerprints}".strip()))
        roots, token_findings = _tokens(archive, manifest, trusted)
        findings += token_findings
        findings += _files(manifest, payloads, roots)
    return findings
