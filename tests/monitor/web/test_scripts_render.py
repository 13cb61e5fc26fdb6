"""Khmer, Thai and right-to-left text render with real fonts and their own direction."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from storage.engine import transaction
from tests.conftest import TestDatabase, require
from tests.support import factories as f
from tests.support.config import make_config
from tests.support.web import chromium_page, live_server, sign_in

# One worker runs this module: its Chromium (the module-scoped `browser`) is launched once.
pytestmark = pytest.mark.xdist_group("web-scripts-render")

TEXTS = {
    "km": "សម្ដេចតេជោ ហ៊ុន សែន ប្រកាសថា ពួកក្បត់ជាតិ",
    "th": "นายกรัฐมนตรีประกาศว่าจะดำเนินการทันที",
    "ar": "قال رئيس الوزراء إن المعارضة عصابات",
}
# The Debian packages that give Chromium a Khmer and a Thai font (`.ci/run` installs them).
FONT_PACKAGES = {"km": "fonts-khmeros", "th": "fonts-thai-tlwg"}


def _font_families(language: str) -> set[str]:
    """The installed font families that cover `language` (fontconfig's own answer)."""
    if shutil.which("fc-list") is None:
        return set()
    listed = subprocess.run(
        ["fc-list", f":lang={language}", "family"], capture_output=True, text=True, check=False
    )
    return {name.strip() for line in listed.stdout.splitlines() for name in line.split(",")}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_platform_text_renders_in_a_font_of_its_script_and_direction(
    language: str, sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    covering = _font_families(language)
    if language in FONT_PACKAGES:
        package = FONT_PACKAGES[language]
        require(bool(covering), f"a {language} font", f"apt-get install {package}")
    with transaction(sqlite_db.engine) as session:
        owner = f.account(session, f.actor(session, "Someone"), "telegram", "someone")
        post_id = f.post(session, owner, TEXTS[language]).id
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        sign_in(server, page)
        page.goto(f"/posts/{post_id}")
        text = page.locator("#post-text")
        assert text.inner_text().strip() == TEXTS[language]
        direction = text.evaluate("node => getComputedStyle(node).direction")
        assert direction == ("rtl" if language == "ar" else "ltr")
        # What Chromium really drew the text with (not what the CSS asked for).
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#post-text"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        page.screenshot(path=str(tmp_path / f"post-{language}.png"))
    used = {font["familyName"] for font in fonts if font["glyphCount"]}
    assert used, fonts
    if language in FONT_PACKAGES:  # drawn with a font that has the script, not boxes
        assert used & covering, (used, covering)
