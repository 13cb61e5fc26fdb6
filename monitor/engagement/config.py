"""`[engagement]`: how view curves are read and when a post is flagged boosted or suppressed."""

from __future__ import annotations

from pydantic import Field

from collectors.settings import PositiveInt, Section


class EngagementConfig(Section):
    # A value at an age is interpolated between the two captures around it only when they are
    # at most this many times the age apart (1.0: within 1 h of each other for the 1 h value).
    max_gap_ratio: float = Field(default=1.0, gt=0)
    baseline_posts: PositiveInt = 30  # the typical curve: the account's latest posts
    min_posts: PositiveInt = 5  # ... with a value at that age, or no typical value there
    boosted_ratio: float = Field(default=3.0, gt=1)  # views >= this × the typical value
    suppressed_ratio: float = Field(default=3.0, gt=1)  # views <= the typical value / this
