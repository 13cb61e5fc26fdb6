"""The Merkle tree: every leaf's proof leads to the root, a changed leaf or step does not."""

from __future__ import annotations

import hashlib

import pytest

from monitor.evidence.merkle import build, leaf_hash, root_of


def digests(count: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(count)]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 33])
def test_every_proof_leads_to_the_root_and_no_other_leaf_does(count: int) -> None:
    leaves = digests(count)
    root, proofs = build(leaves)
    for leaf, proof in zip(leaves, proofs, strict=True):
        assert root_of(leaf, proof) == root
        changed = hashlib.sha256(bytes.fromhex(leaf)).hexdigest()
        assert root_of(changed, proof) != root
    if count > 1:
        side, sibling = proofs[0][0]
        flipped = [("L" if side == "R" else "R", sibling), *proofs[0][1:]]
        assert root_of(leaves[0], flipped) != root


def test_a_single_leaf_is_its_own_hashed_root_and_an_empty_tree_is_refused() -> None:
    (leaf,) = digests(1)
    assert build([leaf]) == (leaf_hash(bytes.fromhex(leaf)).hex(), [[]])
    with pytest.raises(ValueError):
        build([])
