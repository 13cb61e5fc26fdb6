"""`[evidence]`: which responses are kept, where, and the RFC 3161 timestamp authority."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from collectors.settings import PositiveFloat, Section

EvidenceChoice = Literal["all", "hits", "none"]


class EvidenceConfig(Section):
    # Which responses every account keeps unless it (or its actor) says `evidence = …`:
    # all: every page/info/message read; hits: only those holding a post with a keyword hit,
    # an edit or a deletion; none: nothing. "all" by default: a post that matters later (a
    # deleted one) can only be proven from a capture kept before anyone knew it would.
    capture: EvidenceChoice = "all"
    root: Path | None = None  # default: <data_dir>/evidence (captures/, manifests/)
    # An RFC 3161 timestamp authority (e.g. "https://freetsa.org/tsr"); without one the
    # hashes and manifests are still kept, unstamped.
    tsa_url: str | None = None
    tsa_ca_file: Path | None = None  # the TSA's CA certificate(s), PEM: tokens checked against it
    tsa_timeout_seconds: PositiveFloat = 30.0
