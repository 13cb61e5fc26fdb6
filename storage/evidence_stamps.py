"""Timestamp batches: the Merkle root, its leaves with their proofs, and the TSA's token."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import EvidenceLeaf, TimestampToken

# (kind, ref id, sha256, audit path [[side, hex], ...]) in leaf order.
LeafRow = tuple[str, int, str, list[list[str]]]


def record_batch(
    session: Session,
    root: str,
    leaves: Sequence[LeafRow],
    *,
    manifest_key: str | None,
    tsa_url: str | None,
    now: datetime,
) -> int:
    """A new batch (no token yet) with its leaves; returns its id."""
    batch = TimestampToken(
        created_at=now,
        merkle_root=root,
        leaf_count=len(leaves),
        manifest_key=manifest_key,
        tsa_url=tsa_url,
    )
    session.add(batch)
    session.flush()
    session.add_all(
        EvidenceLeaf(
            token_id=batch.id,
            kind=kind,
            ref_id=ref_id,
            sha256=sha,
            leaf_index=index,
            proof={"path": proof},
        )
        for index, (kind, ref_id, sha, proof) in enumerate(leaves)
    )
    session.flush()
    return batch.id


def record_token(
    session: Session,
    batch_id: int,
    *,
    tsa_url: str | None,
    token: bytes | None,
    gen_time: datetime | None,
    error: str | None,
) -> None:
    """The TSA's answer for a batch: its token and time, or why there is none."""
    session.execute(
        update(TimestampToken)
        .where(TimestampToken.id == batch_id, TimestampToken.token.is_(None))
        .values(tsa_url=tsa_url, token=token, gen_time=gen_time, error=error)
        .execution_options(synchronize_session=False)
    )
