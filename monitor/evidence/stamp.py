"""`polmon evidence stamp`: hash what is new into a Merkle tree and have a TSA timestamp it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from monitor.config import PolmonConfig
from monitor.evidence.merkle import build
from monitor.evidence.token import TokenError, load_certificates, token_time, verify_token
from monitor.evidence.tsa import request_token
from monitor.queries.evidence import tokens_without_token, unstamped_items
from monitor.reports import counts_line
from storage.engine import transaction
from storage.evidence_stamps import record_batch, record_token
from storage.evidence_store import EvidenceStore
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class StampReport:
    """One stamping run: leaves hashed, batches made and stamped, TSA failures."""

    leaves: int = 0
    batches: int = 0
    stamped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.leaves

    def summary_line(self) -> str:
        return counts_line(
            {"leaves": self.leaves, "batches": self.batches, "stamped": self.stamped}
        )

    def problems(self) -> list[str]:
        return list(self.errors)


def _manifest(root: str, items: list[tuple[str, int, str, list[list[str]]]]) -> bytes:
    """The batch's manifest: every leaf's kind, id, sha256 and proof, and the root."""
    document = {
        "merkle_root": root,
        "hashing": "leaf=sha256(0x00||sha256 of the file), node=sha256(0x01||left||right)",
        "leaves": [
            {"index": i, "kind": kind, "id": ref_id, "sha256": sha, "proof": proof}
            for i, (kind, ref_id, sha, proof) in enumerate(items)
        ],
    }
    return json.dumps(document, indent=1, sort_keys=True).encode()


def run_stamp(config: PolmonConfig, engine: Engine) -> StampReport:
    """Make one batch of every unstamped capture, media file and screenshot, then ask the TSA
    (when `[evidence] tsa_url` is set) for a token over each batch still without one."""
    report = StampReport()
    store = EvidenceStore(config.evidence_root)
    evidence = config.evidence
    with transaction(engine) as session:
        items = unstamped_items(session)
        if items:
            root, proofs = build([item.sha256 for item in items])
            rows = [
                (item.kind, item.ref_id, item.sha256, [list(step) for step in proof])
                for item, proof in zip(items, proofs, strict=True)
            ]
            manifest = store.put(_manifest(root, rows), prefix="manifests")
            record_batch(
                session,
                root,
                rows,
                manifest_key=manifest.key,
                tsa_url=evidence.tsa_url,
                now=utcnow(),
            )
            report.leaves, report.batches = len(rows), 1
    if evidence.tsa_url is None:
        return report
    tsa_ca = config.resolve(evidence.tsa_ca_file) if evidence.tsa_ca_file else None
    with transaction(engine) as session:
        waiting = [(batch.id, batch.merkle_root) for batch in tokens_without_token(session)]
    for batch_id, root in waiting:
        digest = bytes.fromhex(root)
        try:
            token = request_token(
                evidence.tsa_url, digest, timeout=evidence.tsa_timeout_seconds, ca_file=tsa_ca
            )
            trusted = load_certificates(tsa_ca) if tsa_ca else []
            gen_time = verify_token(token, digest, trusted).gen_time if trusted else None
            error = None
        except TokenError as exc:
            token, gen_time, error = None, None, str(exc)
            report.errors.append(f"batch {batch_id}: {exc}")
            log.warning("evidence batch %s not stamped: %s", batch_id, exc)
        if gen_time is None and token is not None:
            gen_time = token_time(token)
        with transaction(engine) as session:
            record_token(
                session,
                batch_id,
                tsa_url=evidence.tsa_url,
                token=token,
                gen_time=gen_time,
                error=error,
            )
        report.stamped += int(token is not None)
    return report
