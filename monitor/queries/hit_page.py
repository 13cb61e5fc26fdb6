"""What the hits page offers to filter by: keyword groups and terms, and actors by name."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from storage.models import Actor, KeywordHit


class HitChoices(TypedDict):
    """Groups (configured or with stored hits), terms with hits, and actors, sorted."""

    groups: list[str]
    terms: list[str]
    actors: list[str]


def hit_choices(session: Session, configured_groups: Collection[str]) -> HitChoices:
    """The values the hit filters may take, for the page's pickers."""
    stored = set(session.scalars(select(KeywordHit.group_name).distinct()))
    terms = session.scalars(select(KeywordHit.term).distinct().order_by(KeywordHit.term))
    actors = session.scalars(select(Actor.name).order_by(Actor.name))
    return HitChoices(
        groups=sorted(set(configured_groups) | stored), terms=list(terms), actors=list(actors)
    )
