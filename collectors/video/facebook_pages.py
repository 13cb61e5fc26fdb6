"""Pure parsers of public Facebook pages: page metadata and counts, video and reel links."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html

from collectors.errors import AccountUnavailable, LoginRequired
from collectors.records import AccountProfile
from collectors.video.info import parse_count

_COUNT_TEXT = r"([\d][\d.,]*\s*[KMB]?)"
_OG_LIKES = re.compile(_COUNT_TEXT + r"\s+(?:likes?|people like this)\b", re.I)
_OG_FOLLOWERS = re.compile(_COUNT_TEXT + r"\s+(?:followers?|people follow this)\b", re.I)
_JSON_FOLLOWERS = re.compile(r'"(?:follower_count|followers_count)"\s*:\s*(\d+)')
_JSON_LIKES = re.compile(r'"global_likers_count"\s*:\s*(\d+)')
_PAGE_ID = (
    re.compile(r'"pageID"\s*:\s*"(\d+)"'),
    re.compile(r"fb://(?:page|profile)/(?:\?id=)?(\d+)"),
    re.compile(r'"page_id"\s*:\s*"(\d+)"'),
)
_UNAVAILABLE = (
    "this content isn't available",
    "this page isn't available",
    "content isn't available right now",
    "the link you followed may be broken",
)
_LOGIN_MARKERS = ('id="login_form"', "You must log in to continue", 'id="loginbutton"')
_VIDEO_LINK = re.compile(
    r"(?:https?://(?:www\.|m\.|web\.)?facebook\.com)?"
    r"/(?:(?P<page>[\w.\-]+)/videos/(?:[\w.\-]+/)?(?P<vid>\d{6,})"
    r"|reel/(?P<reel>\d{6,})"
    r"|watch/?\?v=(?P<watch>\d{6,}))"
)
LOGIN_HINT = (
    "export the site's cookies from a logged-in browser in Netscape format and set "
    '[video] cookies_file = "/path/to/cookies.txt"'
)


def _meta(doc: lxml.html.HtmlElement, name: str) -> str | None:
    for node in doc.xpath(f'//meta[@property="{name}" or @name="{name}"]'):
        content = (node.get("content") or "").strip()
        if content:
            return content
    return None


def _is_login_wall(html: str) -> bool:
    return any(marker in html for marker in _LOGIN_MARKERS)


def parse_facebook_page(html: str) -> AccountProfile:
    """Name, id and follower/like counts of a public page, from meta tags and embedded JSON.

    Exact counts from JSON beat the abbreviated ones in og:description ("1.2M followers").
    A login wall raises LoginRequired, an unavailable page AccountUnavailable.
    """
    try:
        doc = lxml.html.fromstring(html)
    except lxml.etree.ParserError:
        doc = lxml.html.fromstring("<html></html>")
    title = _meta(doc, "og:title")
    low = html.lower()
    if title is None:
        if _is_login_wall(html):
            raise LoginRequired(f"Facebook shows a login wall instead of the page; {LOGIN_HINT}")
        if any(marker in low for marker in _UNAVAILABLE):
            raise AccountUnavailable("Facebook says this page isn't available")
    description = _meta(doc, "og:description")
    followers, followers_rough = parse_count(_first(_OG_FOLLOWERS, description))
    likes, likes_rough = parse_count(_first(_OG_LIKES, description))
    if match := _JSON_FOLLOWERS.search(html):
        followers, followers_rough = int(match.group(1)), False
    if match := _JSON_LIKES.search(html):
        likes, likes_rough = int(match.group(1)), False
    page_id = next((m.group(1) for rx in _PAGE_ID if (m := rx.search(html))), None)
    if title is None and page_id is None and followers is None:
        raise AccountUnavailable("no page metadata in Facebook's answer (removed or renamed?)")
    return AccountProfile(
        platform_id=page_id,
        url=_meta(doc, "og:url"),
        display_name=re.sub(r"\s*\|\s*Facebook$", "", title) if title else None,
        description=description,
        avatar_url=_meta(doc, "og:image"),
        followers=followers,
        likes=likes,
        is_approximate=followers_rough or likes_rough,
        raw={"og:title": title, "og:description": description, "page_id": page_id},
    )


def _first(pattern: re.Pattern[str], text: str | None) -> str | None:
    match = pattern.search(text or "")
    return match.group(1) if match else None


@dataclass(frozen=True)
class VideoLink:
    """A video or reel linked from a page; `url` is rebuilt on the base the page came from."""

    video_id: str
    url: str


def page_slug(page_url: str) -> str | None:
    """The page's name in its URL (`hunmanet5` of facebook.com/hunmanet5/; the id of a
    profile.php?id= URL)."""
    parts = urlsplit(page_url)
    names = [p for p in parts.path.split("/") if p]
    if names[:1] == ["profile.php"]:
        ids = parse_qs(parts.query).get("id")
        return ids[0] if ids else None
    return names[0].lower() if names else None


def page_location(page_url: str, base_url: str) -> str:
    """The page on `base_url`: the configured URL's path (and a profile.php id) kept."""
    raw = page_url.strip()
    parts = urlsplit(raw if "://" in raw else f"https://facebook.com/{raw.lstrip('/')}")
    path = parts.path.strip("/")
    page = base_url.rstrip("/") + "/" + path
    ids = parse_qs(parts.query).get("id")
    return f"{page}?id={ids[0]}" if path == "profile.php" and ids else page


def tab_url(page: str, tab: str) -> str:
    """A page's tab: `<page>/videos`, or `profile.php?id=…&sk=videos` (`reels_tab` for reels)."""
    if "/profile.php?" in page:
        return f"{page}&sk={'reels_tab' if tab == 'reels' else tab}"
    return f"{page}/{tab}"


def parse_video_links(
    html: str, base_url: str, owners: Collection[str] | None = None
) -> list[VideoLink]:
    """Video and reel links of a page's videos/reels tab, in page order, each once.

    Links in embedded JSON (`\\/reel\\/123`) count too. With `owners` (the page's name and
    id), `/<other>/videos/<id>` links of other pages (suggestions) are left out.
    """
    allowed = {owner.lower() for owner in owners or () if owner}
    text = htmllib.unescape(html.replace("\\/", "/"))
    base = base_url.rstrip("/")
    seen: set[str] = set()
    links: list[VideoLink] = []
    for match in _VIDEO_LINK.finditer(text):
        if match.group("vid"):
            owner, video_id = match.group("page"), match.group("vid")
            if allowed and owner.lower() not in allowed:
                continue
            url = f"{base}/{owner}/videos/{video_id}/"
        elif match.group("reel"):
            video_id = match.group("reel")
            url = f"{base}/reel/{video_id}"
        else:
            video_id = match.group("watch")
            url = f"{base}/watch/?v={video_id}"
        if video_id not in seen:
            seen.add(video_id)
            links.append(VideoLink(video_id, url))
    return links


def video_id_from_url(url: str) -> str | None:
    match = _VIDEO_LINK.search(url)
    if not match:
        return None
    return match.group("vid") or match.group("reel") or match.group("watch")
