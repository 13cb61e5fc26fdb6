"""polmon's own rendering of a stored post version, for a deleted post whose page is gone:
a self-contained HTML page (no external resource, every platform text escaped), clearly
labelled as polmon's rendering, not the platform's page."""

from __future__ import annotations

import html
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from storage.screenshots import ScreenshotTarget

# Formatting kept from a version's stored HTML; everything else (attributes, links' targets,
# images, scripts, styles) is dropped and its text kept, escaped.
KEPT_TAGS = frozenset({"b", "strong", "i", "em", "u", "s", "del", "code", "pre", "blockquote"})

# Nothing may be loaded: the page is set as content and every request is aborted too.
CSP = "default-src 'none'; style-src 'unsafe-inline'"


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, auto_reload=False
)


class _Formatting(HTMLParser):
    """Stored HTML reduced to KEPT_TAGS (no attributes) and `<br>`, every text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("<br>")
        elif tag in KEPT_TAGS:
            self.parts.append(f"<{tag}>")
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in KEPT_TAGS and tag in self.open:
            while self.open:  # close what was left open inside it too
                inner = self.open.pop()
                self.parts.append(f"</{inner}>")
                if inner == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.parts.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.parts) + "".join(f"</{tag}>" for tag in reversed(self.open))


def formatted_text(text_html: str | None, text: str | None) -> str:
    """The version's text as safe HTML: its stored HTML reduced to formatting, or its plain
    text escaped (line breaks kept by the page's `pre-wrap`)."""
    if text_html:
        parser = _Formatting()
        parser.feed(text_html)
        return parser.result()
    return html.escape(text or "", quote=False)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def rendered_version_html(target: ScreenshotTarget) -> str:
    """The self-contained page Chromium photographs for a `rendered_version` screenshot."""
    body = Markup(formatted_text(target.version_html, target.version_text))
    return _ENV.get_template("rendered_version.html").render(
        t=target,
        csp=CSP,
        body=body,
        seen=_when(target.version_seen_at),
        published=_when(target.published_at),
    )
