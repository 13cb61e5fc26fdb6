"""Pure parser of one message of a t.me/s page into a PostRecord (only id and time may fail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from collectors.errors import ParseError
from collectors.records import MediaItem, PostRecord
from collectors.telegram_text import (
    absolute,
    background_url,
    clean_html,
    has_class,
    parse_count,
    parse_duration,
    plain_text,
    xclass,
)

_OUTSIDE_QUOTES = (
    "not(ancestor::*["
    + " or ".join(
        xclass(c) for c in ("tgme_widget_message_reply", "tgme_widget_message_link_preview")
    )
    + "])"
)
_TEXT = f".//div[{xclass('js-message_text')}][not(ancestor::div[{xclass('js-message_text')}])]"
_MEDIA_CLASSES = (
    "tgme_widget_message_photo_wrap",
    "tgme_widget_message_video_player",
    "tgme_widget_message_roundvideo_player",
    "tgme_widget_message_voice_player",
    "tgme_widget_message_document_wrap",
)
_MEDIA = f".//*[{' or '.join(xclass(c) for c in _MEDIA_CLASSES)}][{_OUTSIDE_QUOTES}]"
_STICKER_CLASSES = (
    "tgme_widget_message_sticker",
    "tgme_widget_message_videosticker",
    "tgme_widget_message_tgsticker",
)
_STICKER = f".//*[{' or '.join(xclass(c) for c in _STICKER_CLASSES)}]"


def first(node: HtmlElement, xpath: str) -> HtmlElement | None:
    found = node.xpath(xpath)
    return found[0] if found else None


def text_of(node: HtmlElement, xpath: str) -> str | None:
    element = first(node, xpath)
    if element is None:
        return None
    value = plain_text(element).strip()
    return value or None


def parse_message(node: HtmlElement) -> PostRecord:
    """One `div.tgme_widget_message[data-post]` → PostRecord; ParseError without id or time."""
    channel, post_id = split_data_post(node.get("data-post"))
    date_link = first(node, f".//a[{xclass('tgme_widget_message_date')}]")
    url = absolute(date_link.get("href")) if date_link is not None else None
    published = _published_at(node, f"{channel}/{post_id}")
    raw: dict[str, Any] = {}
    record = PostRecord(
        platform_post_id=post_id,
        published_at=published,
        url=url or f"https://t.me/{channel}/{post_id}",
    )
    text_node = _text_node(node)
    if text_node is not None:
        record.text = plain_text(text_node)
        record.text_html = clean_html(text_node)
    views = parse_count(text_of(node, f".//span[{xclass('tgme_widget_message_views')}]"))
    if views is not None:
        record.views, record.views_approximate = views
    record.reactions = _reactions(node, raw)
    record.is_edited = _is_edited(node)
    _forwarded(node, record)
    _reply(node, record, channel, raw)
    record.media = _media(node, raw)
    record.kind = _kind(node, record.media, raw)
    _link_preview(node, raw)
    author = text_of(node, f".//span[{xclass('tgme_widget_message_from_author')}]")
    if author:
        raw["author"] = author
    record.raw = raw or None
    return record


def split_data_post(value: str | None) -> tuple[str, str]:
    """`'durov/481'` → ('durov', '481')."""
    channel, _, post_id = (value or "").strip().rpartition("/")
    if not channel or not post_id.isdigit():
        raise ParseError(f"t.me message without a usable data-post id ({value!r})")
    return channel, post_id


def _published_at(node: HtmlElement, where: str) -> datetime:
    stamps = node.xpath(f".//a[{xclass('tgme_widget_message_date')}]//time/@datetime")
    stamps = stamps or node.xpath(f".//*[{xclass('tgme_widget_message_footer')}]//time/@datetime")
    if not stamps:
        raise ParseError(f"t.me message {where} has no time (truncated page or changed markup)")
    try:
        value = datetime.fromisoformat(str(stamps[0]))
    except ValueError:
        raise ParseError(f"t.me message {where} has an unreadable time {stamps[0]!r}") from None
    if value.tzinfo is None:
        raise ParseError(f"t.me message {where} has a time without a zone {stamps[0]!r}")
    return value


def _text_node(node: HtmlElement) -> HtmlElement | None:
    text_node = first(node, _TEXT)
    if text_node is None:
        return None
    children = list(text_node)
    # Albums wrap the caption in a second, identical text div.
    if (
        len(children) == 1
        and has_class(children[0], "js-message_text")
        and not (text_node.text or "").strip()
        and not (children[0].tail or "").strip()
    ):
        return children[0]
    return text_node


def _reactions(node: HtmlElement, raw: dict[str, Any]) -> dict[str, int] | None:
    """Counts per emoji; `paid` for star reactions, `custom:<id>` for custom emoji
    shown without a fallback character."""
    reactions: dict[str, int] = {}
    for span in node.xpath(f".//*[{xclass('tgme_reaction')}]"):
        count = parse_count("".join(span.xpath("text()")))
        if count is None:
            continue
        emoji = "".join(plain_text(e) for e in span.xpath(f".//i[{xclass('emoji')}]")).strip()
        custom = span.xpath(".//tg-emoji/@emoji-id")
        if has_class(span, "tgme_reaction_paid"):
            key = "paid"
        elif emoji:
            key = emoji
        elif custom:
            key = f"custom:{custom[0]}"
        else:
            continue
        reactions[key] = reactions.get(key, 0) + count[0]
        if count[1]:
            raw["reactions_approximate"] = True
    return reactions or None


def _is_edited(node: HtmlElement) -> bool:
    meta = first(node, f".//*[{xclass('tgme_widget_message_meta')}]")
    if meta is None:
        return False
    return "edited" in "".join(meta.xpath("text()")).lower()


def _forwarded(node: HtmlElement, record: PostRecord) -> None:
    source = first(node, f".//*[{xclass('tgme_widget_message_forwarded_from')}]")
    if source is None:
        return
    name = first(source, f".//*[{xclass('tgme_widget_message_forwarded_from_name')}]")
    if name is None:
        record.forwarded_from = plain_text(source).strip().removeprefix("Forwarded from").strip()
        return
    record.forwarded_from = plain_text(name).strip() or None
    record.forwarded_from_url = absolute(name.get("href"))


def _reply(node: HtmlElement, record: PostRecord, channel: str, raw: dict[str, Any]) -> None:
    reply = first(node, f".//a[{xclass('tgme_widget_message_reply')}]")
    if reply is None:
        return
    href = absolute(reply.get("href")) or ""
    path = href.split("?", 1)[0].rstrip("/").split("/")
    if len(path) >= 2 and path[-1].isdigit() and path[-2].lower() == channel.lower():
        record.reply_to_id = path[-1]
    elif href:
        raw["reply_to_url"] = href


def _media(node: HtmlElement, raw: dict[str, Any]) -> list[MediaItem]:
    items: list[MediaItem] = []
    item_pages: list[str | None] = []
    for element in node.xpath(_MEDIA):
        item = _media_item(element, raw)
        if item is None:
            continue
        item.position = len(items)
        items.append(item)
        item_pages.append(absolute(element.get("href")))
    grouped = first(node, f".//*[{xclass('tgme_widget_message_grouped_wrap')}]")
    if grouped is not None:
        ids = [_post_id_of(page) for page in item_pages]
        raw["album_ids"] = [i for i in ids if i is not None]
    return items


def _post_id_of(url: str | None) -> str | None:
    last = (url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def _media_item(element: HtmlElement, raw: dict[str, Any]) -> MediaItem | None:
    page = absolute((element.get("href") or "").split("?", 1)[0]) or None
    if has_class(element, "tgme_widget_message_photo_wrap"):
        return MediaItem(kind="photo", source_url=background_url(element.get("style")) or page)
    if has_class(element, "tgme_widget_message_document_wrap"):
        icon = first(element, f".//*[{xclass('tgme_widget_message_document_icon')}]")
        audio = icon is not None and has_class(icon, "audio")
        raw.setdefault("documents", []).append(
            {
                "title": text_of(element, f".//*[{xclass('tgme_widget_message_document_title')}]"),
                "extra": text_of(element, f".//*[{xclass('tgme_widget_message_document_extra')}]"),
            }
        )
        return MediaItem(kind="audio" if audio else "document", source_url=page)
    if has_class(element, "tgme_widget_message_voice_player"):
        return MediaItem(
            kind="voice",
            source_url=absolute(first_attr(element, ".//audio/@src")) or page,
            duration_seconds=parse_duration(
                text_of(element, f".//time[{xclass('tgme_widget_message_voice_duration')}]")
            ),
            mime_type="audio/ogg",
        )
    round_video = has_class(element, "tgme_widget_message_roundvideo_player")
    prefix = "tgme_widget_message_roundvideo" if round_video else "tgme_widget_message_video"
    src = absolute(first_attr(element, ".//video/@src"))
    duration = parse_duration(
        text_of(
            element,
            f".//time[{xclass(prefix + '_duration')} or {xclass('message_video_duration')}]",
        )
    )
    if src is None and has_class(element, "not_supported"):
        label = text_of(element, f".//*[{xclass('message_media_not_supported_label')}]")
        raw.setdefault("media_not_shown", []).append(label or "not shown on the web")
    kind = "round_video" if round_video else "video"
    if (
        not round_video
        and duration is None
        and first(element, ".//video[@autoplay][@loop]") is not None
    ):
        kind = "other"  # a GIF-like animation: silent, looped, no duration shown
    return MediaItem(
        kind=kind,
        source_url=src or page,
        duration_seconds=duration,
        thumbnail_url=background_url(
            first_attr(element, f".//*[{xclass(prefix + '_thumb')}]/@style")
        ),
        mime_type="video/mp4" if src else None,
    )


def first_attr(node: HtmlElement, xpath: str) -> str | None:
    found = node.xpath(xpath)
    return str(found[0]) if found else None


def _kind(node: HtmlElement, media: list[MediaItem], raw: dict[str, Any]) -> str:
    if has_class(node, "service_message"):
        return "service"
    poll = first(node, f".//*[{xclass('tgme_widget_message_poll')}]")
    if poll is not None:
        raw["poll"] = _poll(node, poll)
        return "poll"
    sticker = first(node, _STICKER)
    if sticker is not None:
        raw["sticker_url"] = absolute(
            sticker.get("data-webp") or first_attr(sticker, ".//@src") or ""
        ) or background_url(sticker.get("style"))
        return "sticker"
    if first(node, f".//*[{xclass('tgme_widget_message_grouped_wrap')}]") is not None:
        return "album"
    if media:
        return "video" if media[0].kind == "other" else media[0].kind
    if first(node, f".//*[{xclass('tgme_widget_message_location_wrap')}]") is not None:
        return "other"
    return "text"


def _poll(node: HtmlElement, poll: HtmlElement) -> dict[str, Any]:
    options = []
    for option in poll.xpath(f".//*[{xclass('tgme_widget_message_poll_option')}]"):
        percent = text_of(option, f".//*[{xclass('tgme_widget_message_poll_option_percent')}]")
        options.append(
            {
                "text": text_of(option, f".//*[{xclass('tgme_widget_message_poll_option_text')}]"),
                "percent": int(percent.rstrip("%"))
                if percent and percent.rstrip("%").isdigit()
                else None,
            }
        )
    voters = parse_count(text_of(node, f".//*[{xclass('tgme_widget_message_voters')}]"))
    return {
        "question": text_of(poll, f".//*[{xclass('tgme_widget_message_poll_question')}]"),
        "type": text_of(poll, f".//*[{xclass('tgme_widget_message_poll_type')}]"),
        "options": options,
        "voters": voters[0] if voters else None,
    }


def _link_preview(node: HtmlElement, raw: dict[str, Any]) -> None:
    preview = first(node, f".//a[{xclass('tgme_widget_message_link_preview')}]")
    if preview is None:
        return
    image = first(
        preview,
        f".//*[{xclass('link_preview_image')} or {xclass('link_preview_right_image')}"
        f" or {xclass('link_preview_video_thumb')}]",
    )
    fields = {
        "url": absolute(preview.get("href")),
        "site_name": text_of(preview, f".//*[{xclass('link_preview_site_name')}]"),
        "title": text_of(preview, f".//*[{xclass('link_preview_title')}]"),
        "description": text_of(preview, f".//*[{xclass('link_preview_description')}]"),
        "image_url": background_url(image.get("style")) if image is not None else None,
        "video_url": absolute(first_attr(preview, ".//video/@src")),
    }
    raw["link_preview"] = {key: value for key, value in fields.items() if value}
