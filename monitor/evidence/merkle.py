"""A Merkle tree over sha256 digests (RFC 6962 hashing) and the audit path of each leaf.

Leaf hash: sha256(0x00 || digest); node hash: sha256(0x01 || left || right); an odd node at
the end of a level moves up unchanged. The root is what the TSA timestamps: a proof links
each file's sha256 to it, so one token covers every file of a batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# One step of a proof: the sibling's side ("L" or "R") and its hash, hex.
ProofStep = tuple[str, str]


def leaf_hash(digest: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + digest).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def build(digests: Sequence[str]) -> tuple[str, list[list[ProofStep]]]:
    """The root (hex) over these sha256 hex digests, in order, and each leaf's audit path."""
    if not digests:
        raise ValueError("a Merkle tree needs at least one leaf")
    level = [leaf_hash(bytes.fromhex(d)) for d in digests]
    # positions[i]: where leaf i's ancestor sits in the current level
    positions = list(range(len(digests)))
    proofs: list[list[ProofStep]] = [[] for _ in digests]
    while len(level) > 1:
        for leaf, position in enumerate(positions):
            sibling = position ^ 1
            if sibling < len(level):
                side = "L" if sibling < position else "R"
                proofs[leaf].append((side, level[sibling].hex()))
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
        positions = [position // 2 for position in positions]
    return level[0].hex(), proofs


def root_of(digest: str, proof: Sequence[Sequence[str]]) -> str:
    """The root a leaf's sha256 (hex) and its audit path lead to."""
    current = leaf_hash(bytes.fromhex(digest))
    for side, sibling in proof:
        other = bytes.fromhex(sibling)
        current = node_hash(other, current) if side == "L" else node_hash(current, other)
    return current.hex()
