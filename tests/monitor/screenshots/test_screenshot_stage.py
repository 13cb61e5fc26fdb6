"""The screenshot stage with real Chromium (the module's `browser`) against the t.me stand-in on
127.0.0.1: a real PNG of the post's embed, failing and hanging pages retried without stopping
the others, a deleted post rendered by polmon with its hostile text escaped, and the post page
showing the screenshot."""

from __future__ import annotations

import hashlib
import io
import socket
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from PIL import Image, ImageStat
from playwright.sync_api import Browser
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Response

from monitor.config import PolmonConfig
from monitor.screenshots.browser import Capturer
from monitor.screenshots.files import evidence_dir
from monitor.screenshots.render import rendered_version_html
from monitor.screenshots.worker import run_screenshots
from storage.engine import transaction
from storage.models import Post, Screenshot, ScreenshotJob
from storage.screenshots import screenshot_target
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories as f
from tests.support.config import make_config
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite
from tests.support.web import chromium_page, live_server, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("screenshots")]

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script> & \u202e"


def _config(tmp_path: Path, db: TestDatabase, **evidence: object) -> PolmonConfig:
    return make_config(
        tmp_path, db, evidence={"screenshots": "hits", "screenshot_timeout_seconds": 20, **evidence}
    )


def _hit_posts(db: TestDatabase, base: str, ids: list[int], *, deleted: bool = False) -> list[int]:
    """Posts of @pm with a keyword hit (their links on the stand-in); returns their ids."""
    with transaction(db.engine) as session:
        owner = f.account(session, f.actor(session, "PM"), handle="pm")
        made = []
        for number in ids:
            post = f.post(
                session,
                owner,
                f"curfew {number}",
                post_id=str(number),
                url=f"{base}pm/{number}",
                deleted_at=utcnow() if deleted else None,
            )
            f.version(session, post, f"curfew {number}", utcnow())
            f.hit(session, post, "orders", "curfew")
            made.append(post.id)
        return made


def _site_posts(site: TelegramSite, ids: list[int]) -> None:
    channel = site.add(SiteChannel("pm", "Prime Minister", 42, 1_000))
    for number in ids:
        channel.add(SitePost(number, NOW, text=f"Curfew tonight, post {number}"))


def _shots(db: TestDatabase) -> list[Screenshot]:
    with transaction(db.engine) as session:
        rows = session.execute(select(Screenshot).order_by(Screenshot.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def test_a_post_with_a_hit_gets_a_real_screenshot_of_its_embed(
    db: TestDatabase, tmp_path: Path, site: TelegramSite, httpserver: HTTPServer, browser: Browser
) -> None:
    _site_posts(site, [7])
    (post_id,) = _hit_posts(db, httpserver.url_for("/"), [7])
    config = _config(tmp_path, db)
    report = run_screenshots(config, db.engine, browser=browser)
    assert (report.queued, report.pages, report.failed, report.retrying) == (1, 1, 0, 0)
    assert "/pm/7?embed=1" in site.requests
    (shot,) = _shots(db)
    assert (shot.post_id, shot.kind, shot.url) == (
        post_id,
        "page",
        httpserver.url_for("/pm/7?embed=1"),
    )
    path = evidence_dir(config) / shot.storage_key
    data = path.read_bytes()
    assert shot.storage_key == f"screenshots/{shot.sha256[:2]}/{shot.sha256[2:]}.png"
    assert hashlib.sha256(data).hexdigest() == shot.sha256 and len(data) == shot.size_bytes
    image = Image.open(io.BytesIO(data))
    image.verify()  # a whole, valid PNG
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (shot.width, shot.height))
    assert shot.width == config.evidence.viewport_width
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 5, "the screenshot is blank"
    # Nothing more to do: a second run queues and takes nothing.
    again = run_screenshots(config, db.engine, browser=browser)
    assert (again.queued, again.handled) == (0, 0)


def test_a_failing_and_a_hanging_page_are_retried_and_do_not_stop_the_others(
    db: TestDatabase, tmp_path: Path, site: TelegramSite, httpserver: HTTPServer, browser: Browser
) -> None:
    _site_posts(site, [1, 3])
    site.fault("/pm/1", Response("boom", status=500))
    ids = _hit_posts(db, httpserver.url_for("/"), [1, 2, 3])
    config = _config(tmp_path, db, screenshot_timeout_seconds=4)
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        with transaction(db.engine) as session:
            hanging = session.get(Post, ids[1])
            assert hanging is not None
            hanging.url = f"http://127.0.0.1:{silent.getsockname()[1]}/pm/2"
        report = run_screenshots(config, db.engine, browser=browser)
    assert (report.pages, report.retrying, report.failed) == (1, 2, 0)
    assert [shot.post_id for shot in _shots(db)] == [ids[2]]
    with transaction(db.engine) as session:
        jobs = {
            job.post_id: (job.status, job.attempts, job.last_error, job.next_attempt_at)
            for job in session.execute(select(ScreenshotJob)).scalars()
        }
    for post_id, reason in ((ids[0], "HTTP 500"), (ids[1], "did not load within 4 s")):
        status, attempts, error, next_attempt = jobs[post_id]
        assert (status, attempts) == ("queued", 1) and reason in (error or "")
        assert next_attempt is not None and next_attempt > utcnow()  # backing off
    assert jobs[ids[2]][0] == "done"
    # Once due again and the site answers, the retry takes them.
    with transaction(db.engine) as session:
        for job in session.execute(select(ScreenshotJob)).scalars():
            job.next_attempt_at = utcnow() - timedelta(seconds=1)
    retried = run_screenshots(config, db.engine, browser=browser)
    assert (retried.pages, retried.retrying) == (1, 1)  # the 500 is gone; the other hangs on


def test_a_deleted_post_is_rendered_by_polmon_escaped_and_offline(
    db: TestDatabase, tmp_path: Path, site: TelegramSite, httpserver: HTTPServer, browser: Browser
) -> None:
    base = httpserver.url_for("/")
    with transaction(db.engine) as session:
        owner = f.account(session, f.actor(session, "PM"), handle="pm")
        post = f.post(session, owner, HOSTILE, post_id="9", url=f"{base}pm/9", deleted_at=utcnow())
        version = f.version(session, post, HOSTILE, utcnow())
        version.title = HOSTILE
        version.text_html = (
            f'<b>bold</b> <a href="javascript:alert(3)">link</a><img src="{base}tracker.png">'
            f'<iframe src="{base}frame"></iframe><i>{escape(HOSTILE)}'
        )
        post_id, version_id = post.id, version.id
    config = _config(tmp_path, db)
    report = run_screenshots(config, db.engine, browser=browser)
    assert (report.queued, report.rendered, report.pages) == (1, 1, 0)
    (shot,) = _shots(db)
    assert (shot.post_id, shot.post_version_id, shot.kind, shot.url) == (
        post_id,
        version_id,
        "rendered_version",
        None,
    )
    assert site.requests == []  # the rendering loaded nothing, the deleted page was not asked
    image = Image.open(evidence_dir(config) / shot.storage_key)
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 5
    with transaction(db.engine) as session:
        job = session.execute(select(ScreenshotJob.id)).scalar_one()
        target = screenshot_target(session, job)
    assert target is not None
    html = rendered_version_html(target)
    assert "polmon's rendering of the last-seen version" in html
    assert (
        HOSTILE not in html
        and "<script>" not in html
        and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    )
    assert str(escape(HOSTILE)) in html  # the title, as text
    assert "<b>bold</b>" in html and "javascript:" not in html and "tracker.png" not in html
    assert "<iframe" not in html and "<img" not in html


def test_the_post_page_shows_the_screenshot_behind_the_login(
    db: TestDatabase, tmp_path: Path, site: TelegramSite, httpserver: HTTPServer, browser: Browser
) -> None:
    _site_posts(site, [5])
    (post_id,) = _hit_posts(db, httpserver.url_for("/"), [5])
    config = _config(tmp_path, db)
    run_screenshots(config, db.engine, browser=browser)
    (shot,) = _shots(db)
    stored = (evidence_dir(config) / shot.storage_key).read_bytes()
    with (
        live_server(config, db.engine) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        assert client.get(f"/screenshots/{shot.id}").status_code in (302, 303, 401)
        sign_in(server, client)
        page = client.get(f"/posts/{post_id}").text
        served = client.get(f"/screenshots/{shot.id}")
        missing = client.get(f"/screenshots/{shot.id + 1000}")
    assert f'<img src="/screenshots/{shot.id}"' in page
    assert shot.sha256 in page and "The page as a person saw it" in page
    assert served.status_code == 200 and served.content == stored
    assert served.headers["content-type"] == "image/png"
    assert missing.status_code == 404
    with live_server(config, db.engine) as server, chromium_page(server.base_url, browser) as tab:
        sign_in(server, tab)
        tab.goto(f"/posts/{post_id}")
        selector = f'img[src="/screenshots/{shot.id}"]'
        # The image is lazy and decodes after the page's load event: bring it into view, wait
        # for it, then read its size.
        tab.locator(selector).scroll_into_view_if_needed()
        tab.wait_for_function(
            "sel => { const img = document.querySelector(sel); "
            "return img !== null && img.complete && img.naturalWidth > 0; }",
            arg=selector,
        )
        assert tab.locator(selector).evaluate("img => img.naturalWidth") == shot.width


def test_our_rendering_loads_nothing_even_if_the_html_asks(
    tmp_path: Path, site: TelegramSite, httpserver: HTTPServer, browser: Browser
) -> None:
    """The guard under the sanitizer: every request of polmon's own page is aborted."""
    base = httpserver.url_for("/")
    page = (
        f'<link rel="stylesheet" href="{base}style.css"><img src="{base}pixel.png">'
        f'<iframe src="{base}frame"></iframe><p style="background:url({base}bg.png)">text</p>'
    )
    config = make_config(tmp_path)
    png = Capturer(config.evidence, browser).rendering(page)
    assert png.startswith(b"\x89PNG") and site.requests == []
