"""The digest HTML in headless Chromium: it renders (a non-blank screenshot) and no script runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from monitor.digest import run_digest
from tests.conftest import TestDatabase, require
from tests.support.config import make_config
from tests.support.digest_data import CONFIG_BODY, NOW, populate

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("digest-browser")

# Flips the page title and marks <body> if it ever runs: what the hostile post text tries.
PROBE = "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    require(found is not None, "headless Chromium", "install the Debian package `chromium`")
    assert found is not None
    return found


def browse(
    chromium: str, profile: Path, page: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def test_digest_renders_in_chromium_without_running_scripts(
    chromium: str, sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    populate(sqlite_db.engine)
    config = make_config(tmp_path, body=CONFIG_BODY)
    [outcome] = run_digest(config, sqlite_db.engine, now=NOW, send=False)
    assert outcome.rendered is not None
    page = tmp_path / "digest.html"
    page.write_text(outcome.rendered.html, encoding="utf-8")
    profile = tmp_path / "profile"

    # The harness can see a script run: a page that does carry one is changed by it.
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><title>clean</title><body>{PROBE}</body>")
    assert "<title>PWNED</title>" in browse(chromium, profile, control, "--dump-dom").stdout

    dom = browse(chromium, profile, page, "--dump-dom").stdout
    tree = lxml_html.document_fromstring(dom)
    assert tree.findtext(".//title").startswith("[polmon] digest: 6 new posts")
    assert tree.find("body").get("data-pwned") is None
    assert tree.xpath("//script") == [] and "<img src=x" not in dom
    assert "&lt;script&gt;document.title='PWNED'" in dom  # shown as text, inert

    shot = tmp_path / "digest.png"
    browse(chromium, profile, page, "--window-size=900,2600", f"--screenshot={shot}")
    with Image.open(shot) as image:
        assert image.size == (900, 2600)
        colours = image.convert("RGB").getcolors(maxcolors=900 * 2600)
    assert colours is not None
    non_white = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert len(colours) > 50 and non_white > 0.03 * 900 * 2600, "the screenshot is blank"
    # The audience chart (a data: PNG) is drawn: matplotlib's first line colour, #1f77b4.
    chart_blue = sum(count for count, rgb in colours if rgb == (31, 119, 180))
    assert chart_blue > 100
