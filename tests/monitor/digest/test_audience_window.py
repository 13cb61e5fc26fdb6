"""The digest's audience section shows each account's change over the period, both engines."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from lxml import html as lxml_html

from monitor.config import PolmonConfig
from monitor.digest.data import ALL, Period
from monitor.digest.gather import gather
from monitor.digest.render import render
from storage.engine import session_factory, transaction
from tests.conftest import TestDatabase
from tests.support import growth_window
from tests.support.growth_window import DAY0


def test_the_period_change_from_its_first_to_its_last_capture(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        growth_window.build(session)
    period = Period(DAY0, DAY0 + timedelta(days=1), "UTC")
    with session_factory(db.engine)() as session:
        data = gather(session, PolmonConfig(), period, ALL, generated_at=period.end)
    rows = {row.handle: row for row in data.audience}
    # Kem Sokha: 850,000 at 10:00, 862,500 at 11:00 -> +12,500, 1.47 %.
    kem = rows["kemsokha"]
    assert (kem.latest, kem.change_period, kem.percent_period) == (862_500, 12_500, 1.47)
    assert kem.change_1d is None  # nothing captured a day before
    # Sam Rainsy's channel, day 0: 100,000 at 08:00 -> 100,500 at 20:00 = +500, 0.5 %.
    sam = rows["samrainsy"]
    assert (sam.change_period, sam.percent_period) == (500, 0.5)
    assert rows["@samrainsy"].change_period is None  # not captured in the period
    rendered = render(data, prefix="[t]", inline=False)
    assert "change over this period" in rendered.text
    (kem_line,) = [line for line in rendered.text.splitlines() if "862,500" in line]
    assert "kemsokha" in kem_line
    assert "+12,500 (+1.47%)" in kem_line
    tree = lxml_html.document_fromstring(rendered.html)
    cells = [unescape(cell.text_content()) for cell in tree.xpath('//td[@data-change="period"]')]
    assert "+12,500 (+1.47%)" in cells and "+500 (+0.50%)" in cells and "—" in cells
    assert "This period" in rendered.html
