"""Pure parsers of Telegram's public web pages: t.me/s/<channel> (posts) and t.me/<channel>."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from collectors.errors import AccountUnavailable, LoginRequired, ParseError
from collectors.records import AccountProfile, PostRecord, SkippedItem
from collectors.telegram.text import absolute, parse_count, plain_text, xclass
from collectors.telegram.web_post import (
    ClassIndex,
    first_attr,
    parse_message,
    split_data_post,
    text_in,
)

__all__ = ["ChannelPage", "parse_channel_page", "parse_message", "parse_profile_page"]

_MESSAGE = f"//div[{xclass('tgme_widget_message')}][@data-post]"
_EXTRA_NUMBER = re.compile(r"(\d[\d\s\u00a0\u202f,.']*)")
_EXTRA_KINDS = (("subscriber", "channel"), ("member", "group"))


@dataclass(slots=True)
class ChannelPage:
    """One t.me/s page: the channel's header, its posts (page order, oldest first) and the
    cursors to the next older (`before`) and newer (`after`) pages."""

    channel: AccountProfile
    posts: list[PostRecord] = field(default_factory=list)
    before: int | None = None
    after: int | None = None
    skipped: list[SkippedItem] = field(default_factory=list)


def first(node: HtmlElement, xpath: str) -> HtmlElement | None:
    found = node.xpath(xpath)
    return found[0] if found else None


def text_of(node: HtmlElement, xpath: str) -> str | None:
    element = first(node, xpath)
    if element is None:
        return None
    return plain_text(element).strip() or None


def _document(html: str | bytes, what: str) -> HtmlElement:
    if not html or not html.strip():
        raise ParseError(f"{what}: empty page")
    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise ParseError(f"{what}: unreadable HTML ({exc})") from None


def parse_channel_page(html: str | bytes) -> ChannelPage:
    """Parse a t.me/s/<channel> page. A missing channel raises AccountUnavailable, a channel
    without web preview LoginRequired, a page that is not a channel history ParseError."""
    doc = _document(html, "t.me/s page")
    nodes = doc.xpath(_MESSAGE)
    history = first(doc, f"//*[{xclass('tgme_channel_history')}]")
    if history is None and not nodes:
        _raise_for_non_history(doc)
    channel = _channel_header(doc)
    posts: list[PostRecord] = []
    skipped: list[SkippedItem] = []
    good: list[HtmlElement] = []
    for node in nodes:
        try:
            posts.append(parse_message(node))
            good.append(node)
        except ParseError as exc:  # only this message's identity failed: skip it alone
            skipped.append(SkippedItem(_post_id(node), str(exc)))
    if good and channel.platform_id is None:
        channel.platform_id = _channel_id(good[0].get("data-view"))
    if channel.handle is None and good:
        channel.handle = str(good[0].get("data-post")).rpartition("/")[0]
    return ChannelPage(
        channel=channel,
        posts=posts,
        before=_cursor(doc, "data-before"),
        after=_cursor(doc, "data-after"),
        skipped=skipped,
    )


def _post_id(node: HtmlElement) -> str | None:
    try:
        return split_data_post(node.get("data-post"))[1]
    except ParseError:
        return None


def _raise_for_non_history(doc: HtmlElement) -> None:
    if _is_contact_shell(doc):
        name = _contact_name(doc)
        raise AccountUnavailable(
            f"t.me: no public channel @{name} (deleted, renamed or made private)",
            status="unavailable",
        )
    if first(doc, f"//*[{xclass('tgme_page_extra')}]") is not None:
        raise LoginRequired(
            "t.me: this channel has no public web preview; use the telethon backend "
            "(set telegram.api_id and run `polmon telegram login`)"
        )
    title = text_of(doc, "//title") or "no title"
    raise ParseError(f"t.me/s page without a channel history (unexpected markup; title {title!r})")


def _channel_header(doc: HtmlElement) -> AccountProfile:
    info = first(doc, f"//*[{xclass('tgme_channel_info')}]")
    profile = AccountProfile()
    if info is None:
        return profile
    index = ClassIndex(info)
    username = index.text("tgme_channel_info_header_username")
    profile.handle = username.lstrip("@") if username else None
    link = index.first("tgme_channel_info_header_username")
    profile.url = absolute(first_attr(link, ".//a/@href")) if link is not None else None
    profile.display_name = index.text("tgme_channel_info_header_title")
    profile.description = index.text("tgme_channel_info_description")
    photo = index.first("tgme_page_photo_image")
    profile.avatar_url = absolute(first_attr(photo, ".//img/@src")) if photo is not None else None
    counters: dict[str, int] = {}
    approximate: dict[str, bool] = {}
    for counter in index.all("tgme_channel_info_counter"):
        kind = text_in(counter, "counter_type")
        value = parse_count(text_in(counter, "counter_value"))
        if kind and value is not None:
            counters[kind.lower()] = value[0]
            approximate[kind.lower()] = value[1]
    for kind in ("subscribers", "members", "subscriber", "member"):
        if kind in counters:
            profile.followers, profile.is_approximate = counters[kind], approximate[kind]
            break
    verified = index.first("verified-icon") is not None
    profile.raw = {"counters": counters, "verified": verified, "source": "t.me/s"}
    return profile


def _channel_id(data_view: str | None) -> str | None:
    """The channel's numeric id from a message's `data-view` token (base64 JSON, `c` = -id)."""
    if not data_view:
        return None
    try:
        padded = data_view + "=" * (-len(data_view) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded)).get("c")
    except (binascii.Error, ValueError, UnicodeDecodeError, AttributeError):
        return None
    return str(abs(value)) if isinstance(value, int) and value else None


def _cursor(doc: HtmlElement, attribute: str) -> int | None:
    values = doc.xpath(f"//a[{xclass('tme_messages_more')}]/@{attribute}")
    for value in values:
        if str(value).isdigit():
            return int(value)
    return None


def parse_profile_page(html: str | bytes) -> AccountProfile:
    """Parse t.me/<channel>: title, description, avatar and the exact subscriber count.

    A username nobody holds (deleted, renamed or private channel) raises AccountUnavailable.
    """
    doc = _document(html, "t.me page")
    if _is_contact_shell(doc):
        raise AccountUnavailable(
            f"t.me: no public channel @{_contact_name(doc)} (deleted, renamed or made private)",
            status="unavailable",
        )
    page = first(doc, f"//*[{xclass('tgme_page')}]")
    title = text_of(doc, f"//*[{xclass('tgme_page_title')}]")
    if page is None or title is None:
        raise ParseError("t.me page without tgme_page/tgme_page_title (unexpected markup)")
    extra = text_of(doc, f"//*[{xclass('tgme_page_extra')}]")
    raw: dict[str, Any] = {"source": "t.me", "kind": None}
    profile = AccountProfile(display_name=title, raw=raw)
    if extra:
        raw["extra"] = extra
        if extra.startswith("@"):
            raw["kind"] = "user"
        for word, kind in _EXTRA_KINDS:
            if word in extra.lower():
                raw["kind"] = kind
                match = _EXTRA_NUMBER.search(extra)
                count = parse_count(match.group(1).strip(" ,.")) if match else None
                if count is not None:
                    profile.followers, profile.is_approximate = count
                break
    profile.description = text_of(doc, f"//*[{xclass('tgme_page_description')}]")
    profile.avatar_url = absolute(first_attr(doc, f"//img[{xclass('tgme_page_photo_image')}]/@src"))
    raw["verified"] = (
        first(doc, f"//*[{xclass('tgme_page_title')}]//*[{xclass('verified-icon')}]") is not None
    )
    preview = first_attr(doc, f"//a[{xclass('tgme_page_context_link')}]/@href")
    raw["has_preview"] = preview is not None
    handle = first_attr(doc, "//meta[@property='al:android:url']/@content") or ""
    if "domain=" in handle:
        profile.handle = handle.split("domain=", 1)[1].split("&", 1)[0] or None
    if profile.handle:
        profile.url = f"https://t.me/{profile.handle}"
    return profile


def _is_contact_shell(doc: HtmlElement) -> bool:
    """t.me's page for a username that resolves to nothing public."""
    if first(doc, f"//*[{xclass('tgme_page_extra')}]") is not None:
        return False
    if first(doc, f"//*[{xclass('tgme_channel_info')}]") is not None:
        return False
    description = text_of(doc, f"//*[{xclass('tgme_page_description')}]") or ""
    og_title = first_attr(doc, "//meta[@property='og:title']/@content") or ""
    return "you can contact" in description.lower() or og_title.startswith("Telegram: Contact @")


def _contact_name(doc: HtmlElement) -> str:
    og_title = first_attr(doc, "//meta[@property='og:title']/@content") or ""
    if "@" in og_title:
        return og_title.rsplit("@", 1)[1].strip()
    link = first(doc, f"//*[{xclass('tgme_page_description')}]//a")
    return plain_text(link).strip().lstrip("@") if link is not None else "?"
