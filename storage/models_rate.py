"""Shared politeness budgets: the next free request slot per host and egress (docs/schema.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base
from storage.types import utcnow


class RateBudgetRow(Base):
    """One host as reached through one egress (a proxy, or none): every process and machine
    takes its request slots from this row (`storage.rate_budgets`)."""

    __tablename__ = "rate_budgets"
    # A budget key: the host, or "host via scheme://proxy:port" (no credentials).
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    # The next free slot, seconds since the Unix epoch by the database's clock.
    next_slot_at: Mapped[float] = mapped_column(Float(precision=53), default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
