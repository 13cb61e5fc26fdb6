"""Datasette metadata for a polmon SQLite database: titles, descriptions, full-text search."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from sqlalchemy.engine import make_url

# Each table and view an analyst browses: (title, description), as docs/schema.md has them.
TABLES: dict[str, tuple[str, str]] = {
    "actors": ("Actors", "People and organisations whose accounts are watched ([[actors]])."),
    "accounts": (
        "Accounts",
        "One account of an actor on one platform; status shows deleted, private, renamed.",
    ),
    "audience_snapshots": (
        "Audience snapshots",
        "Followers, likes, views and post counts of an account at each capture.",
    ),
    "audience_daily": (
        "Audience per day",
        "The last snapshot of each account per UTC day (kept by triggers).",
    ),
    "posts": (
        "Posts",
        "Every post and video collected. The search box matches title and text: any substring "
        "of three characters or more, in any script (Khmer included).",
    ),
    "post_versions": (
        "Post versions",
        "Every text a post has had, oldest first: edits are here.",
    ),
    "post_metrics": (
        "Post metrics over time",
        "Views, likes, shares and comments of a post whenever a count changed.",
    ),
    "media": (
        "Media",
        "Videos and audio of posts: download and transcription status, file, duration.",
    ),
    "transcripts": ("Transcripts", "What was said in one media file, with language and model."),
    "transcript_segments": (
        "Transcript segments",
        "Timed pieces of transcripts. The search box matches the spoken text: any substring of "
        "three characters or more.",
    ),
    "keyword_hits": (
        "Keyword hits",
        "A watched term found in a post's text or a transcript segment (see v_keyword_hits).",
    ),
    "collection_runs": ("Collection runs", "One collection pass over one account."),
    "account_events": (
        "Account events",
        "Renamed, deleted, gone private, came back, handle reassigned.",
    ),
    "digests": ("Digests", "Digest emails per recipient list and period."),
    "job_runs": ("Job runs", "Runs of the scheduled jobs of polmon run."),
    "app_state": ("App state", "Small named values kept between runs."),
    "v_audience_daily_account": (
        "Audience per account and day",
        "One row per account and UTC day with a capture, with actor, platform and handle. "
        "Days without a capture have no row: gaps, not zeros.",
    ),
    "v_audience_daily_actor": (
        "Audience per actor and day",
        "Sums over the accounts captured that day; compare accounts_reporting between days "
        "before reading a change as growth.",
    ),
    "alert_events": (
        "Alert events",
        "The outbox: every hit, new post, edit, deletion and account event an alert rule may "
        "fire on, written with what caused it.",
    ),
    "alert_deliveries": (
        "Alert deliveries",
        "One event for one rule and channel: pending, delivered, or failed with its error.",
    ),
    "image_texts": (
        "Text read in photos",
        "What Tesseract read in each downloaded photo (OCR): text, languages, mean confidence "
        "0..1, size; media_id names the photo.",
    ),
    "screenshots": (
        "Screenshots",
        "A PNG of a post as a person sees it (kind page: its public page; rendered_version: "
        "polmon's own rendering of a stored version, e.g. of a deleted post): sha256, size, "
        "storage_key under the evidence folder.",
    ),
    "screenshot_jobs": (
        "Screenshot queue",
        "The screenshot stage's work: one job per post version and kind, queued, capturing, "
        "done or failed, with attempts and the last error.",
    ),
    "captures": (
        "Captures (evidence)",
        "Each response a post was read from, kept byte for byte under the evidence root "
        "(storage_key): URL, time, HTTP status, headers, sha256. post_versions.capture_id "
        "points here.",
    ),
    "timestamp_tokens": (
        "Timestamp batches",
        "A Merkle root over captures, media and screenshots, and the RFC 3161 token a "
        "timestamp authority signed over it (empty until one answered).",
    ),
    "evidence_leaves": (
        "Timestamped items",
        "One capture, media file or screenshot in a batch, with its sha256 and Merkle proof.",
    ),
    "rate_budgets": (
        "Request budgets",
        "The next free request slot per host (and proxy), shared by every process and machine "
        "that collects or downloads: the per-host politeness limit across workers.",
    ),
    "v_keyword_hits": (
        "Keyword hits with their posts",
        "Every keyword hit with its post, account and actor: snippet, link, second spoken.",
    ),
}

# Table -> (full-text table, the table's column that is the full-text table's rowid).
FULL_TEXT: dict[str, tuple[str, str]] = {
    "posts": ("fts_posts", "id"),
    "transcript_segments": ("fts_segments", "id"),
    "image_texts": ("fts_images", "id"),
}

FACETS: dict[str, list[str]] = {
    "accounts": ["platform", "status"],
    "posts": ["kind"],
    "media": ["status", "kind", "skip_reason"],
    "image_texts": ["languages"],
    "screenshots": ["kind"],
    "screenshot_jobs": ["status", "kind"],
    "account_events": ["kind"],
    "job_runs": ["job_name", "status"],
    "alert_events": ["kind"],
    "captures": ["kind", "http_status"],
    "evidence_leaves": ["kind"],
    "alert_deliveries": ["status", "rule", "channel"],
    "v_keyword_hits": ["group_name", "term", "actor", "platform", "source_kind"],
    "v_audience_daily_account": ["actor", "platform"],
}

SORT_DESC: dict[str, str] = {
    "posts": "published_at",
    "keyword_hits": "published_at",
    "v_keyword_hits": "published_at",
    "account_events": "detected_at",
    "collection_runs": "started_at",
    "job_runs": "started_at",
    "audience_snapshots": "captured_at",
    "alert_events": "detected_at",
    "captures": "fetched_at",
}

# Documented tables kept out of Datasette's pages: the web app's logins (argon2 hashes).
SENSITIVE = ("users",)
# Full-text tables of a column Datasette's search box does not use (posts search title/text).
OTHER_FULL_TEXT = ("fts_polls",)
# Tables nobody browses: migrations' bookkeeping, the full-text index internals, SENSITIVE.
HIDDEN = (
    "alembic_version",
    *SENSITIVE,
    *(
        f"{fts}{suffix}"
        for fts in (*(fts for fts, _pk in FULL_TEXT.values()), *OTHER_FULL_TEXT)
        for suffix in ("", "_data", "_idx", "_docsize", "_config")
    ),
)


# The user's text as one FTS5 phrase (quotes doubled), so any input is one substring.
# Written out in each query: the SQL stays literal text.
QUERIES: dict[str, dict[str, str]] = {
    "search_posts": {
        "title": "Search posts",
        "description": "Posts whose title or text contains the text (three characters or "
        "more, any script), newest first, with actor, platform and link.",
        "sql": (
            "SELECT p.published_at, ac.name AS actor, a.platform, a.handle, p.url, p.title, "
            "p.text, p.views, p.deleted_at FROM fts_posts "
            "JOIN posts p ON p.id = fts_posts.rowid "
            "JOIN accounts a ON a.id = p.account_id JOIN actors ac ON ac.id = a.actor_id "
            "WHERE fts_posts MATCH '\"' || replace(:text, '\"', '\"\"') || '\"' "
            "ORDER BY p.published_at DESC LIMIT 500"
        ),
    },
    "search_transcripts": {
        "title": "Search what was said",
        "description": "Transcript segments containing the text, with the second it is said "
        "and the post's link, newest post first.",
        "sql": (
            "SELECT p.published_at, ac.name AS actor, a.platform, p.url, s.start_seconds, "
            "s.text, s.is_hallucination FROM fts_segments "
            "JOIN transcript_segments s ON s.id = fts_segments.rowid "
            "JOIN transcripts t ON t.id = s.transcript_id JOIN media m ON m.id = t.media_id "
            "JOIN posts p ON p.id = m.post_id JOIN accounts a ON a.id = p.account_id "
            "JOIN actors ac ON ac.id = a.actor_id "
            "WHERE fts_segments MATCH '\"' || replace(:text, '\"', '\"\"') || '\"' "
            "ORDER BY p.published_at DESC, s.start_seconds LIMIT 500"
        ),
    },
}


def database_name(database_url: str) -> str:
    """The name Datasette gives a SQLite file (its stem); ValueError for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ValueError(
            f"Datasette reads SQLite files; the configured database is {url.get_backend_name()}"
        )
    return PurePath(url.database).stem


def _table(name: str) -> dict[str, Any]:
    title, description = TABLES[name]
    entry: dict[str, Any] = {"title": title, "description": description}
    if name in FULL_TEXT:
        fts_table, fts_pk = FULL_TEXT[name]
        entry.update(fts_table=fts_table, fts_pk=fts_pk)
    if name in FACETS:
        entry["facets"] = FACETS[name]
    if name in SORT_DESC:
        entry["sort_desc"] = SORT_DESC[name]
    return entry


def metadata(name: str) -> dict[str, Any]:
    """Datasette metadata (`datasette polmon.sqlite3 -m FILE`) for database `name`."""
    tables = {table: _table(table) for table in TABLES}
    tables.update({table: {"hidden": True} for table in HIDDEN})
    return {
        "title": "polmon",
        "description": "Posts, transcripts, keyword hits and audience of the watched accounts. "
        "All times are UTC. Column meanings: docs/schema.md.",
        "databases": {name: {"tables": tables, "queries": QUERIES}},
    }
