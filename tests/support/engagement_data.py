"""Posts with `post_metrics` captures at known ages, and the view curves worked out by hand.

Account `chan` (Hun Sen): eight posts a day apart from T0, captured at exactly 1 h, 6 h, 24 h,
plus one post 30 days older. With `[engagement] baseline_posts = 8` the old post is not part of
the typical curve, which is then, at 1 h, the median of
40, 100, 120, 140, 160, 180, 450, 600 = (140 + 160) / 2 = 150:
`boost` (600 = 4x) and `edge` (450 = exactly 3x) are boosted, `low` (40 <= 150 / 3) is
suppressed. At 6 h only four posts have a value (fewer than min_posts = 5): no typical value.
At 24 h six posts: 1000 1100 1200 1200 1300 1400 -> 1200.

Account `side` (Sam Rainsy): three posts, too few for a typical curve, that show how a value at
an age is read: interpolation, a gap too long, and the last capture held until last seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from storage.engine import transaction
from tests.support import factories
from tests.support.factories import T0

H = timedelta(hours=1)
DAY = timedelta(days=1)
ENGAGEMENT_TOML = "[engagement]\nbaseline_posts = 8\nmin_posts = 5\n"
# The text of the boosted post: hostile in every output.
HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> \x1b[31mred'


@dataclass(frozen=True)
class Scenario:
    ids: dict[str, int]


# name -> (day published after T0, views at 1 h, at 6 h, at 24 h)
CHAN: dict[str, tuple[int, int | None, int | None, int | None]] = {
    "b1": (0, 100, 500, 1000),
    "b2": (1, 120, 600, 1100),
    "b3": (2, 140, 700, 1200),
    "b4": (3, 160, 800, 1300),
    "b5": (4, 180, None, 1400),
    "boost": (5, 600, None, 1200),
    "low": (6, 40, None, None),
    "edge": (7, 450, None, None),
}


def build(engine: Engine) -> Scenario:
    ids: dict[str, int] = {}
    with transaction(engine) as session:
        hun = factories.actor(session, "Hun Sen")
        chan = factories.account(session, hun, "telegram", "chan")
        old = factories.post(session, chan, "old", published_at=T0 - 30 * DAY)
        factories.metric(session, old, H, 10_000)
        old.last_seen_at = old.published_at + H
        ids["old"] = old.id
        for name, (day, *views) in CHAN.items():
            text = HOSTILE if name == "boost" else name
            post = factories.post(session, chan, text, published_at=T0 + day * DAY)
            for age, value in zip((H, 6 * H, 24 * H), views, strict=True):
                if value is not None:
                    factories.metric(session, post, age, value)
                    post.last_seen_at = post.published_at + age  # not seen since
            ids[name] = post.id

        rainsy = factories.actor(session, "Sam Rainsy")
        side = factories.account(session, rainsy, "telegram", "side")
        # 30 min / 1 h 30 around 1 h; 6 h exact; 20 h / 30 h around 24 h; nothing near 7 d.
        interp = factories.post(session, side, "interp", published_at=T0)
        for age, views, shares, hearts in (
            (H / 2, 100, 2, 4),
            (3 * H / 2, 300, 6, 12),
            (6 * H, 1000, 10, 20),
            (20 * H, 1800, 30, 40),
            (30 * H, 2400, 40, 50),
        ):
            factories.metric(session, interp, age, views, shares=shares, reactions={"👍": hearts})
        interp.last_seen_at = interp.published_at + 30 * H
        # 10 min and 2 h 30: too far apart for a 1 h value; nothing after.
        gap = factories.post(session, side, "gap", published_at=T0 + DAY)
        factories.metric(session, gap, H / 6, 50)
        factories.metric(session, gap, 5 * H / 2, 700)
        gap.last_seen_at = gap.published_at + 5 * H / 2
        # Last capture at 5 d, seen again unchanged at 8 d: 7 d reads 5000.
        held = factories.post(session, side, "held", published_at=T0 + 2 * DAY)
        factories.metric(session, held, 5 * DAY, 5000)
        held.last_seen_at = held.published_at + 8 * DAY
        ids.update(interp=interp.id, gap=gap.id, held=held.id)
    return Scenario(ids)
