"""The digest reads well: legend beside the lines, audience flags, one row per segment, fonts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from matplotlib.transforms import Bbox

from monitor.config import PolmonConfig
from monitor.digest.chart import MAX_LINES, audience_figure
from monitor.digest.data import ALL, AudienceRow, DigestData, Period
from monitor.digest.gather import gather
from monitor.digest.render import render
from monitor.keywords import rescan_keywords
from storage.engine import session_factory, transaction
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.digest_data import HOSTILE

NOW = datetime(2025, 5, 2, 0, 0, tzinfo=UTC)
PERIOD = Period(NOW - timedelta(days=1), NOW, "UTC")
CONFIG = PolmonConfig.model_validate({"keywords": {"threats": {"terms": ["arrest", "traitor"]}}})


def _world(db: TestDatabase) -> None:
    """Kem Sokha: a Facebook page deleted 3 days ago, a Telegram channel doubling 2 days ago,
    a steady TikTok account; a post and a spoken segment each naming both watched terms."""
    with transaction(db.engine) as session:
        owner = factories.actor(session, "Kem Sokha")
        page = factories.account(session, owner, "facebook", "kspage", status="deleted")
        channel = factories.account(session, owner, "telegram", "ks")
        tiktok = factories.account(session, owner, "tiktok", "@ks")
        start = NOW - timedelta(days=8)
        factories.snapshots(session, page, [(d, 100_000) for d in range(6)], start=start)
        factories.snapshots(
            session, channel, [(d, 10_000 if d < 6 else 20_000) for d in range(8)], start=start
        )
        factories.snapshots(session, tiktok, [(d, 5_000) for d in range(8)], start=start)
        factories.post(
            session, channel, "They will arrest the traitor.", published_at=NOW - timedelta(hours=2)
        )
        factories.post(
            session, channel, HOSTILE + " arrest the traitor", published_at=NOW - timedelta(hours=4)
        )
        video = factories.post(
            session, tiktok, "speech", published_at=NOW - timedelta(hours=3), kind="video"
        )
        segments = [(0.0, "the traitor will face arrest"), (5.0, "calm"), (9.0, "arrest again")]
        factories.transcript(session, video, segments)
    rescan_keywords(CONFIG, db.engine)


def _digest(db: TestDatabase) -> DigestData:
    _world(db)
    with session_factory(db.engine)() as session:
        return gather(session, CONFIG, PERIOD, ALL, generated_at=NOW)


def test_one_row_per_segment_or_post_whatever_it_matched(db: TestDatabase) -> None:
    (threats,) = _digest(db).hit_groups
    assert threats.terms == {"arrest": 4, "traitor": 3} and threats.total == 7
    rows = [(hit.source_kind, hit.snippet, sorted(hit.terms)) for hit in threats.hits]
    spoken = [row for row in rows if row[0] == "transcript"]
    assert sorted(spoken) == [
        ("transcript", "arrest again", ["arrest"]),
        ("transcript", "the traitor will face arrest", ["arrest", "traitor"]),
    ]
    assert len(rows) == threats.sources == 4 and threats.more == 0


def test_audience_rows_carry_flags_and_the_deleted_status(db: TestDatabase) -> None:
    rows = {row.platform: row for row in _digest(db).audience}
    day = (NOW - timedelta(days=2)).date()
    assert rows["facebook"].ended and rows["facebook"].latest == 100_000
    assert rows["facebook"].flags == ["deleted", "migration to telegram:ks"]
    assert rows["telegram"].flags == [
        f"jump +100% on {day:%d %b}",
        "migration from facebook:kspage",
    ]
    assert rows["tiktok"].flags == [] and not rows["tiktok"].ended


def test_html_and_text_show_flags_marker_fonts_and_stay_escaped(db: TestDatabase) -> None:
    rendered = render(_digest(db), inline=False)
    html = rendered.html
    assert re.search(r'data-status="deleted"[^>]*>deleted</span>', html)
    assert "jump +100% on" in html and "migration to telegram:ks" in html
    (stack,) = set(re.findall(r"font-family:([^;\"]+)", unescape(html)))
    fonts = [name.strip(" '") for name in stack.split(",")]
    assert {"Noto Sans Khmer", "Khmer OS"} <= set(fonts) and fonts[-1] == "sans-serif"
    # The segment naming both terms is one row, both terms marked.
    assert html.count("will face") == 1
    assert re.search(r"the <mark[^>]*>traitor</mark> will face <mark[^>]*>arrest</mark>", html)
    assert "&lt;a href=&#39;javascript:alert(1)&#39;&gt;click&lt;/a&gt;" in html
    assert "<a href='javascript" not in html and "<script>" not in html
    assert "[DELETED, last count]" in rendered.text
    assert "flags: jump +100% on" in rendered.text
    assert rendered.text.count("the traitor will face arrest") == 1
    assert (
        '"They will arrest the traitor." [arrest, traitor]\n    https://t.me/ks/' in rendered.text
    )


def _overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_chart_legend_sits_outside_the_plot(db: TestDatabase) -> None:
    long_rows = [
        AudienceRow(
            actor=f"A rather long actor name number {i}"
            + (" and more" * 12 if i == MAX_LINES else ""),
            platform="telegram",
            handle=f"h{i}",
            latest=1_000 + i,
            latest_at=NOW,
            change_1d=None,
            change_7d=None,
            series=[(NOW - timedelta(days=d), 1_000 + i * d) for d in range(7, -1, -1)],
        )
        for i in range(MAX_LINES + 2)
    ]
    for rows in (_digest(db).audience, long_rows):
        figure = audience_figure(rows)
        assert figure is not None
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        (legend,) = figure.legends
        box = legend.get_window_extent(renderer)
        (axes,) = figure.axes
        plot = axes.get_tightbbox(renderer)
        assert plot is not None and not _overlap(box, plot)
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
        assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1
        if rows is long_rows:
            assert len(legend.get_texts()) == MAX_LINES
