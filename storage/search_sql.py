"""SQL expressions the search queries use; migration 0003 indexes these exact forms."""

from __future__ import annotations

# Full-text-search objects are named fts_* (storage.migrations.HAND_MADE_PREFIXES).
# Zero-width characters stripped from indexed text (as in monitor.keywords.normalize).
ZERO_WIDTH_CODEPOINTS = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)


def sqlite_strip(expr: str) -> str:
    """SQLite: `expr` (NULL as '') without zero-width characters."""
    out = f"coalesce({expr}, '')"
    for code in ZERO_WIDTH_CODEPOINTS:
        out = f"replace({out}, char({code}), '')"
    return out


_PG_ZERO_WIDTH = "E'" + "".join(f"\\u{code:04X}" for code in ZERO_WIDTH_CODEPOINTS) + "'"


def pg_strip(expr: str) -> str:
    """PostgreSQL: `expr` without zero-width characters (immutable, usable in an index)."""
    return f"translate({expr}, {_PG_ZERO_WIDTH}, '')"


def pg_post_document(alias: str = "") -> str:
    """PostgreSQL: a post's searchable text (title and text), as its search indexes have it."""
    prefix = f"{alias}." if alias else ""
    return pg_strip(f"coalesce({prefix}title, '') || ' ' || coalesce({prefix}\"text\", '')")


def pg_segment_document(alias: str = "") -> str:
    """PostgreSQL: a transcript segment's searchable text, as its search indexes have it."""
    prefix = f"{alias}." if alias else ""
    return pg_strip(f'{prefix}"text"')


def pg_poll_document(alias: str = "") -> str:
    """PostgreSQL: a post's poll (question and options), as its search indexes have it."""
    prefix = f"{alias}." if alias else ""
    return pg_strip(f"coalesce({prefix}poll_text, '')")


def pg_image_document(alias: str = "") -> str:
    """PostgreSQL: an image's OCR text, as its search indexes (migration 0010) have it."""
    prefix = f"{alias}." if alias else ""
    return pg_strip(f'{prefix}"text"')
