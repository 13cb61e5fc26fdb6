"""How sure a keyword hit is, in words: one label and one threshold rule for every place a hit
is shown (CLI, web app, digest, alerts), so an approximate hit is never shown as an exact one.

A hit's `confidence` (0..1) says how sure the words were heard (a transcript); exact text
sources (a post's text, a poll) have None. `approximate` marks a fuzzy match, not the term
itself. Thresholds never drop a hit without a confidence: its text is exact.
"""

from __future__ import annotations

# Below this a hit is shown as "low confidence" (the threshold options filter; this only marks).
LOW_CONFIDENCE = 0.6
APPROXIMATE_MARK = "≈"


def percent(confidence: float) -> str:
    """`87%` (rounded down, so 0.999 is never shown as a certain 100%)."""
    return f"{int(max(0.0, min(1.0, confidence)) * 100)}%"


def is_low(confidence: float | None) -> bool:
    return confidence is not None and confidence < LOW_CONFIDENCE


def match_label(confidence: float | None, approximate: bool) -> str:
    """`exact`, `confidence 92%`, `low confidence 41%`, `≈ approximate, confidence 82%`."""
    parts = [f"{APPROXIMATE_MARK} approximate"] if approximate else []
    if confidence is not None:
        parts.append(f"{'low ' if is_low(confidence) else ''}confidence {percent(confidence)}")
    return ", ".join(parts) or "exact"


def passes(
    confidence: float | None,
    approximate: bool,
    *,
    min_confidence: float | None = None,
    include_approximate: bool = True,
) -> bool:
    """Whether a hit is kept by a threshold (the same rule as `monitor.queries.hits`' SQL)."""
    if approximate and not include_approximate:
        return False
    return min_confidence is None or confidence is None or confidence >= min_confidence
