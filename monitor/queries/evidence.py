"""Evidence reads: what is still unstamped, and everything one post's export holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from monitor.queries import evidence_screenshots as screenshots
from storage.models import (
    Account,
    Capture,
    EvidenceLeaf,
    Media,
    Post,
    PostVersion,
    TimestampToken,
)
from storage.transcripts import resolve_transcript


@dataclass(frozen=True)
class LeafItem:
    """A hashed item waiting for (or in) a timestamp batch."""

    kind: str  # capture, media, screenshot
    ref_id: int
    sha256: str


def unstamped_items(session: Session, limit: int = 100_000) -> list[LeafItem]:
    """Captures, downloaded media and screenshots not yet in any batch, oldest first."""
    items: list[LeafItem] = []
    captured = select(Capture.id, Capture.sha256).outerjoin(
        EvidenceLeaf, and_(EvidenceLeaf.kind == "capture", EvidenceLeaf.ref_id == Capture.id)
    )
    for ref_id, sha in session.execute(
        captured.where(EvidenceLeaf.id.is_(None)).order_by(Capture.id).limit(limit)
    ):
        items.append(LeafItem("capture", ref_id, sha))
    media = select(Media.id, Media.sha256).outerjoin(
        EvidenceLeaf, and_(EvidenceLeaf.kind == "media", EvidenceLeaf.ref_id == Media.id)
    )
    for ref_id, media_sha in session.execute(
        media.where(
            EvidenceLeaf.id.is_(None),
            Media.sha256.is_not(None),
            Media.local_path.is_not(None),
            Media.duplicate_of_id.is_(None),
        )
        .order_by(Media.id)
        .limit(limit)
    ):
        items.append(LeafItem("media", ref_id, str(media_sha)))
    items += unstamped_screenshots(session, limit)
    return items


def unstamped_screenshots(session: Session, limit: int) -> list[LeafItem]:
    """The screenshots in no batch yet."""
    return [LeafItem("screenshot", i, sha) for i, sha in screenshots.unstamped(session, limit)]


def tokens_without_token(session: Session) -> list[TimestampToken]:
    """Batches kept without a TSA token (no TSA then, or it failed): stamped when one answers."""
    return list(
        session.scalars(
            select(TimestampToken).where(TimestampToken.token.is_(None)).order_by(TimestampToken.id)
        )
    )


@dataclass
class ExportFile:
    """One file of an export: what it is, its bytes' sha256 and where to read them."""

    kind: str  # capture, media, transcript, screenshot
    ref_id: int
    sha256: str | None
    size_bytes: int | None
    name: str  # a name inside the archive
    url: str
    when: datetime | None
    content_type: str | None
    storage_key: str | None = None  # captures: under the evidence root
    local_path: str | None = None  # media: under the media dir
    evidence_file: str | None = None  # screenshots: a plain file under the evidence root
    payload: bytes | None = None  # transcripts: the JSON itself
    http_status: int | None = None
    headers: list[list[str]] = field(default_factory=list)


@dataclass
class ExportPost:
    """A post, its versions (each with its capture id) and its deletion."""

    post_id: int
    platform: str
    account: str
    platform_post_id: str
    url: str | None
    published_at: datetime
    deleted_at: datetime | None
    versions: list[dict[str, Any]] = field(default_factory=list)


def export_post_ids(
    session: Session,
    *,
    post_id: int | None = None,
    hits_group: str | None = None,
    account_ids: list[int] | None = None,
) -> list[int]:
    """The posts an export covers: one, those with hits of a group, or an account's."""
    from storage.models import KeywordHit

    if post_id is not None:
        return list(session.scalars(select(Post.id).where(Post.id == post_id)))
    if hits_group is not None:
        query = select(KeywordHit.post_id).where(KeywordHit.group_name == hits_group)
        return sorted(set(session.scalars(query)))
    if account_ids is not None:
        return list(
            session.scalars(
                select(Post.id).where(Post.account_id.in_(account_ids)).order_by(Post.id)
            )
        )
    return []


def _capture_file(row: Capture) -> ExportFile:
    return ExportFile(
        kind="capture",
        ref_id=row.id,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        name=f"captures/{row.id}",
        url=row.url,
        when=row.fetched_at,
        content_type=row.content_type,
        storage_key=row.storage_key,
        http_status=row.http_status,
        headers=[list(pair) for pair in (row.headers or {}).get("items", [])],
    )


def export_post(session: Session, post_id: int) -> tuple[ExportPost, list[ExportFile]]:
    """One post's export: its versions, the captures they came from (and the listing that no
    longer held it, when deleted), its media files, transcripts with segments, screenshots."""
    post, account = session.execute(
        select(Post, Account).join(Account, Account.id == Post.account_id).where(Post.id == post_id)
    ).one()
    described = ExportPost(
        post.id, account.platform, account.handle, post.platform_post_id, post.url,
        post.published_at, post.deleted_at,
    )  # fmt: skip
    files: dict[tuple[str, int], ExportFile] = {}
    versions = session.scalars(
        select(PostVersion).where(PostVersion.post_id == post_id).order_by(PostVersion.id)
    )
    capture_ids: list[int] = []
    for version in versions:
        described.versions.append(
            {
                "version_id": version.id,
                "seen_at": version.seen_at.isoformat(),
                "text": version.text,
                "title": version.title,
                "capture_id": version.capture_id,
            }
        )
        if version.capture_id is not None:
            capture_ids.append(version.capture_id)
    for row in session.scalars(select(Capture).where(Capture.id.in_(capture_ids))):
        files[("capture", row.id)] = _capture_file(row)
    if post.deleted_at is not None:
        gone = select(Capture).where(
            Capture.account_id == post.account_id,
            Capture.fetched_at > post.last_seen_at,
            Capture.fetched_at <= post.deleted_at,
        )
        for row in session.scalars(gone):
            files[("capture", row.id)] = _capture_file(row)
    for item in session.scalars(select(Media).where(Media.post_id == post_id)):
        original = session.get(Media, item.duplicate_of_id) if item.duplicate_of_id else item
        if original is not None and original.sha256 and original.local_path:
            files[("media", original.id)] = ExportFile(
                kind="media",
                ref_id=original.id,
                sha256=original.sha256,
                size_bytes=original.size_bytes,
                name=f"media/{original.id}",
                url=item.source_url or f"urn:polmon:media:{original.id}",
                when=original.downloaded_at,
                content_type=original.mime_type,
                local_path=original.local_path,
            )
        transcript = resolve_transcript(session, item.id)
        if transcript is not None:
            payload = {
                "media_id": item.id,
                "backend": transcript.backend,
                "model": transcript.model,
                "language": transcript.language,
                "text": transcript.text,
                "created_at": transcript.created_at.isoformat(),
                "segments": [
                    {"start": s.start_seconds, "end": s.end_seconds, "text": s.text}
                    for s in transcript.segments
                ],
            }
            files[("transcript", transcript.id)] = ExportFile(
                kind="transcript", ref_id=transcript.id, sha256=None, size_bytes=None,
                name=f"transcripts/{transcript.id}.json",
                url=f"urn:polmon:transcript:{transcript.id}", when=transcript.created_at,
                content_type="application/json", payload=_json_bytes(payload),
            )  # fmt: skip
    for screenshot in post_screenshots(session, post_id):
        files[("screenshot", screenshot.ref_id)] = screenshot
    return described, list(files.values())


def post_screenshots(session: Session, post_id: int) -> list[ExportFile]:
    """A post's screenshots: PNGs stored as they are under the evidence root (not gzipped)."""
    return [
        ExportFile(
            kind="screenshot",
            ref_id=shot_id,
            sha256=sha,
            size_bytes=size,
            name=f"screenshots/{shot_id}.png",
            url=url or f"urn:polmon:screenshot:{shot_id}",
            when=when,
            content_type="image/png",
            evidence_file=key,
        )
        for shot_id, url, when, sha, size, key in screenshots.of_post(session, post_id)
    ]


def leaves_for(
    session: Session, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], EvidenceLeaf]:
    """The stamped leaves of these (kind, ref id) items."""
    found: dict[tuple[str, int], EvidenceLeaf] = {}
    by_kind: dict[str, list[int]] = {}
    for kind, ref_id in keys:
        by_kind.setdefault(kind, []).append(ref_id)
    for kind, ids in by_kind.items():
        for leaf in session.scalars(
            select(EvidenceLeaf).where(EvidenceLeaf.kind == kind, EvidenceLeaf.ref_id.in_(ids))
        ):
            found[(leaf.kind, leaf.ref_id)] = leaf
    return found


def tokens_by_id(session: Session, ids: set[int]) -> dict[int, TimestampToken]:
    return {
        t.id: t for t in session.scalars(select(TimestampToken).where(TimestampToken.id.in_(ids)))
    }


def _json_bytes(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).encode()
