"""Posts, hits and search in real Chromium, on the database the demo's real pipeline fills."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page

from monitor.config import PolmonConfig, load_config
from monitor.queries.hits import list_hits
from monitor.queries.posts import list_posts
from storage.engine import make_engine, transaction
from storage.models import Media
from tests.support import factories
from tests.support.demo_build import demo_copy
from tests.support.factories import T0
from tests.support.web import LiveServer, chromium_page, live_server, page_errors, sign_in

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("web-posts-browser")

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
SAID_AT = 2.5  # where the added video's keyword hit is said


@dataclass
class Demo:
    server: LiveServer
    config: PolmonConfig
    edited: int
    deleted: int
    hostile: int
    video: int  # a video post of ours, its hit said at SAID_AT
    demo_video: int  # a video post of the demo with a transcript hit


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    config_path = demo_copy(tmp_path_factory.mktemp("demo") / "out", tmp_path_factory)
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    with transaction(engine) as session:
        (edited,) = list_posts(session, only_edited=True)
        (deleted,) = list_posts(session, only_deleted=True)
        demo_hit = list_hits(session, source="transcript", limit=1)[0]
        demo_file = next(iter(sorted(config.media_dir.rglob("*.m4a"))))
        copied = config.media_dir / "tests" / "seek.m4a"
        copied.parent.mkdir()
        shutil.copyfile(demo_file, copied)
        owner = factories.account(session, factories.actor(session, "Test Actor"), "telegram", "t")
        hostile = factories.post(session, owner, HOSTILE, published_at=T0)
        video = factories.post(session, owner, "A video.", kind="video", published_at=T0)
        said = factories.transcript(
            session, video, [(0.0, "Good morning."), (SAID_AT, "We will arrest them.")]
        )
        item = session.get_one(Media, said.media_id)
        item.local_path, item.mime_type = "tests/seek.m4a", "audio/mp4"
        factories.hit(
            session,
            video,
            "threats",
            "arrest",
            "transcript",
            segment_id=said.segments[1].id,
            start_seconds=SAID_AT,
        )
        ids = (edited["id"], deleted["id"], hostile.id, video.id, demo_hit["post_id"])
    with live_server(config, engine) as server:
        yield Demo(server, config, *ids)
    engine.dispose()


@pytest.fixture
def page(demo: Demo, browser: Browser) -> Iterator[Page]:
    with chromium_page(demo.server.base_url, browser) as page:
        sign_in(demo.server, page)
        yield page


def player_ready(page: Page) -> None:
    page.wait_for_function("document.querySelector('[data-player]').readyState >= 1")


def current_time(page: Page) -> float:
    seconds: float = page.evaluate("document.querySelector('[data-player]').currentTime")
    return seconds


def test_an_edited_post_shows_both_versions_and_the_diff(
    demo: Demo, page: Page, tmp_path: Path
) -> None:
    page.goto(f"/posts/{demo.edited}")
    versions = page.locator(".version")
    assert versions.count() == 2
    assert page.locator(".version del").count() + page.locator(".version ins").count() >= 1
    first, second = versions.nth(0).inner_text(), versions.nth(1).inner_text()
    assert "Version 1" in first and "Version 2" in second and "first seen" in second
    page.wait_for_selector("#metrics-chart .uplot canvas")  # views over the captures
    assert "views" in page.locator("#metrics-chart .u-legend").inner_text()
    page.screenshot(path=str(tmp_path / "edited-post.png"), full_page=True)


def test_a_deleted_post_is_marked_and_keeps_its_text(demo: Demo, page: Page) -> None:
    page.goto(f"/posts/{demo.deleted}")
    banner = page.locator(".deleted-banner")
    assert banner.is_visible() and "deletion detected" in banner.inner_text()
    assert "posted by mistake" in page.locator("#post-text").inner_text()


def test_clicking_a_transcript_hit_seeks_the_player_to_that_second(
    demo: Demo, page: Page, tmp_path: Path
) -> None:
    page.goto(f"/posts/{demo.video}")
    player_ready(page)
    assert current_time(page) == 0
    page.locator(f'.hits a[data-seek="{SAID_AT}"]').click()
    page.wait_for_function(f"document.querySelector('[data-player]').currentTime === {SAID_AT}")
    assert current_time(page) == SAID_AT
    assert page.url.endswith(f"#t={SAID_AT}")
    page.locator('.segment a[data-seek="0.0"]').click()
    page.wait_for_function("document.querySelector('[data-player]').currentTime < 1")
    assert page.locator(".segment.has-hit").count() == 1
    page.screenshot(path=str(tmp_path / "video-post.png"), full_page=True)


def test_a_hit_from_the_hits_page_opens_the_post_at_the_second(demo: Demo, page: Page) -> None:
    page.goto("/hits?actor=Test+Actor&source=transcript")
    page.locator("a.open-post").click()
    page.wait_for_url(f"**/posts/{demo.video}?t={SAID_AT}#t={SAID_AT}")
    player_ready(page)
    page.wait_for_function(f"document.querySelector('[data-player]').currentTime === {SAID_AT}")
    assert current_time(page) == SAID_AT
    page.goto(f"/posts/{demo.video}?t=1.25")  # a shared link without the #t= part
    player_ready(page)
    page.wait_for_function("document.querySelector('[data-player]').currentTime === 1.25")
    assert current_time(page) == 1.25
    page.goto(f"/posts/{demo.demo_video}")
    player_ready(page)
    assert page.locator(".hits a[data-seek]").count() >= 1


def test_a_khmer_term_typed_with_a_zero_width_space_is_found(demo: Demo, page: Page) -> None:
    page.goto("/search")
    page.fill("input[name=q]", "ក្បត់\u200bជាតិ")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".result mark")
    marks = page.locator(".result mark").all_inner_texts()
    assert marks and all(mark == "ក្បត់ជាតិ" for mark in marks)
    assert page.locator(".result").first.get_attribute("data-kind") == "post"


def test_the_hits_page_charts_per_group_and_exports_csv(
    demo: Demo, page: Page, tmp_path: Path
) -> None:
    errors = page_errors(page)
    page.goto("/hits?source=transcript")
    page.wait_for_selector("#hit-chart .uplot canvas")
    labels = page.locator("#hit-chart .u-legend .u-series .u-label").all_inner_texts()
    assert {"platforms", "threats"} <= set(labels)
    box = page.locator("#hit-chart .u-over").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    values = page.locator("#hit-chart .u-legend .u-series .u-value").all_inner_texts()
    assert any(value.strip().isdigit() for value in values[1:]), values
    page.screenshot(path=str(tmp_path / "hits.png"), full_page=True)
    with page.expect_download() as download_info:
        page.locator("a.export-csv").click()
    saved = tmp_path / "hits.csv"
    download_info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("published_at,group,term,actor")
    assert len(lines) - 1 == page.locator("tr.hit").count()
    assert all(",transcript," in line for line in lines[1:])
    assert errors == []


def test_hostile_text_shows_as_text_and_opens_no_dialog(demo: Demo, page: Page) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(f"/posts/{demo.hostile}")
    assert page.locator("#post-text").inner_text() == HOSTILE
    assert page.locator("main img, main script").count() == 0
    page.goto("/search?q=onerror")
    assert HOSTILE in page.locator(".result").first.inner_text()
    page.goto("/hits")
    assert dialogs == []
