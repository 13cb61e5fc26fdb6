"""Evidence tables: captured responses, RFC 3161 timestamp tokens and their Merkle leaves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _in
from storage.types import BigIntPK, utcnow

CAPTURE_KINDS = ("http", "ytdlp_info", "telethon")
LEAF_KINDS = ("capture", "media", "screenshot")


class Capture(Base):
    """One response a collector read, kept byte for byte (append-only).

    The bytes live gzip-compressed under the evidence root at `storage_key`, named by their
    sha256, so two responses with the same bytes share one file."""

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("sha256", "url", "fetched_at"),
        CheckConstraint(_in("kind", CAPTURE_KINDS), name="kind"),
        Index(None, "account_id", "fetched_at"),
        Index(None, "fetched_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="http")
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    http_status: Mapped[int | None] = mapped_column(Integer)
    # The response's headers in order: {"items": [[name, value], ...]} (None: not HTTP).
    headers: Mapped[dict[str, Any] | None]
    content_type: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)  # the bytes as fetched
    stored_bytes: Mapped[int] = mapped_column(BigInteger)  # the compressed file's size
    storage_key: Mapped[str] = mapped_column(Text)  # captures/ab/cdef….gz under the root
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimestampToken(Base):
    """One stamped batch: the Merkle root over its leaves and the TSA's token for it."""

    __tablename__ = "timestamp_tokens"
    __table_args__ = (Index(None, "created_at"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    merkle_root: Mapped[str] = mapped_column(String(64))
    leaf_count: Mapped[int] = mapped_column(Integer)
    # The manifest (every leaf's kind, id and sha256) as a JSON file under the evidence root.
    manifest_key: Mapped[str | None] = mapped_column(Text)
    tsa_url: Mapped[str | None] = mapped_column(Text)
    token: Mapped[bytes | None] = mapped_column(LargeBinary)  # DER TimeStampToken
    gen_time: Mapped[datetime | None]  # the time the TSA signed
    error: Mapped[str | None] = mapped_column(Text)  # why no token (TSA down, refused…)


class EvidenceLeaf(Base):
    """One hashed item (capture, media file, screenshot) in a stamped batch, with its proof."""

    __tablename__ = "evidence_leaves"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        CheckConstraint(_in("kind", LEAF_KINDS), name="kind"),
        Index(None, "token_id"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("timestamp_tokens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(BigInteger)  # captures.id, media.id or screenshots.id
    sha256: Mapped[str] = mapped_column(String(64))
    leaf_index: Mapped[int] = mapped_column(Integer)
    # The audit path from the leaf up: {"path": [["L" or "R", sibling hex], ...]}.
    proof: Mapped[dict[str, Any] | None]
