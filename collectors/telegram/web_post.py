"""Pure parser of one message of a t.me/s page into a PostRecord (only id and time may fail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from collectors.errors import ParseError
from collectors.records import MediaItem, PostRecord
from collectors.telegram.text import (
    absolute,
    background_url,
    clean_html,
    has_class,
    parse_count,
    parse_duration,
    plain_text,
)

_MEDIA_CLASSES = frozenset(
    {
        "tgme_widget_message_photo_wrap",
        "tgme_widget_message_video_player",
        "tgme_widget_message_roundvideo_player",
        "tgme_widget_message_voice_player",
        "tgme_widget_message_document_wrap",
    }
)
_QUOTE_CLASSES = ("tgme_widget_message_reply", "tgme_widget_message_link_preview")
_STICKER_CLASSES = (
    "tgme_widget_message_sticker",
    "tgme_widget_message_videosticker",
    "tgme_widget_message_tgsticker",
)


def find(node: HtmlElement, name: str) -> HtmlElement | None:
    """The first descendant of `node` whose class list holds `name`."""
    for element in node.iterdescendants(etree.Element):
        if name in (element.get("class") or "").split():
            return element
    return None


def text_in(node: HtmlElement | None, name: str | None = None) -> str | None:
    """The stripped reader's text of `node` (or of its descendant of class `name`)."""
    element = find(node, name) if node is not None and name else node
    if element is None:
        return None
    return plain_text(element).strip() or None


def first_attr(node: HtmlElement, xpath: str) -> str | None:
    found = node.xpath(xpath)
    return str(found[0]) if found else None


class ClassIndex:
    """A subtree's elements by class, in document order, collected in a single walk."""

    def __init__(self, node: HtmlElement) -> None:
        self.node = node
        self.by_class: dict[str, list[HtmlElement]] = {}
        self.media: list[HtmlElement] = []
        for element in node.iterdescendants(etree.Element):
            classes = (element.get("class") or "").split()
            for name in classes:
                self.by_class.setdefault(name, []).append(element)
            if not _MEDIA_CLASSES.isdisjoint(classes):
                self.media.append(element)
        quoted = {
            inner
            for name in _QUOTE_CLASSES
            for quote in self.all(name)
            for inner in quote.iter(etree.Element)
        }
        self.media = [element for element in self.media if element not in quoted]

    def all(self, name: str) -> list[HtmlElement]:
        return self.by_class.get(name, [])

    def first(self, name: str) -> HtmlElement | None:
        found = self.by_class.get(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        return text_in(self.first(name))


def parse_message(node: HtmlElement) -> PostRecord:
    """One `div.tgme_widget_message[data-post]` → PostRecord; ParseError without id or time."""
    channel, post_id = split_data_post(node.get("data-post"))
    index = ClassIndex(node)
    date_link = index.first("tgme_widget_message_date")
    url = absolute(date_link.get("href")) if date_link is not None else None
    raw: dict[str, Any] = {}
    record = PostRecord(
        platform_post_id=post_id,
        published_at=published_at_of(index, f"{channel}/{post_id}"),
        url=url or f"https://t.me/{channel}/{post_id}",
    )
    text_node = text_node_of(index)
    if text_node is not None:
        record.text = plain_text(text_node)
        record.text_html = clean_html(text_node)
    views = parse_count(index.text("tgme_widget_message_views"))
    if views is not None:
        record.views, record.views_approximate = views
    record.reactions = reactions_of(index, raw)
    record.is_edited = _is_edited(index)
    _forwarded(index, record)
    _reply(index, record, channel, raw)
    record.media = media_of(index, raw)
    record.kind = kind_of(index, record.media, raw)
    _link_preview(index, raw)
    author = index.text("tgme_widget_message_from_author")
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


def published_at_of(index: ClassIndex, where: str) -> datetime:
    stamps = [
        stamp
        for name in ("tgme_widget_message_date", "tgme_widget_message_footer")
        for holder in index.all(name)
        for stamp in holder.xpath(".//time/@datetime")
    ]
    if not stamps:
        raise ParseError(f"t.me message {where} has no time (truncated page or changed markup)")
    try:
        value = datetime.fromisoformat(str(stamps[0]))
    except ValueError:
        raise ParseError(f"t.me message {where} has an unreadable time {stamps[0]!r}") from None
    if value.tzinfo is None:
        raise ParseError(f"t.me message {where} has a time without a zone {stamps[0]!r}")
    return value


def text_node_of(index: ClassIndex) -> HtmlElement | None:
    """The outermost message text (not a reply's quote); albums nest it twice."""
    text_node = index.first("js-message_text")
    if text_node is None:
        return None
    children = list(text_node)
    if (
        len(children) == 1
        and has_class(children[0], "js-message_text")
        and not (text_node.text or "").strip()
        and not (children[0].tail or "").strip()
    ):
        return children[0]
    return text_node


def reactions_of(index: ClassIndex, raw: dict[str, Any]) -> dict[str, int] | None:
    """Counts per emoji; `paid` for star reactions, `custom:<id>` for custom emoji
    shown without a fallback character."""
    reactions: dict[str, int] = {}
    for span in index.all("tgme_reaction"):
        count = parse_count("".join(span.xpath("text()")))
        if count is None:
            continue
        emoji = "".join(plain_text(e) for e in span.iter("i") if has_class(e, "emoji")).strip()
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


def _is_edited(index: ClassIndex) -> bool:
    meta = index.first("tgme_widget_message_meta")
    return meta is not None and "edited" in "".join(meta.xpath("text()")).lower()


def _forwarded(index: ClassIndex, record: PostRecord) -> None:
    source = index.first("tgme_widget_message_forwarded_from")
    if source is None:
        return
    name = find(source, "tgme_widget_message_forwarded_from_name")
    if name is None:
        record.forwarded_from = plain_text(source).strip().removeprefix("Forwarded from").strip()
        return
    record.forwarded_from = plain_text(name).strip() or None
    record.forwarded_from_url = absolute(name.get("href"))


def _reply(index: ClassIndex, record: PostRecord, channel: str, raw: dict[str, Any]) -> None:
    reply = index.first("tgme_widget_message_reply")
    if reply is None:
        return
    href = absolute(reply.get("href")) or ""
    path = href.split("?", 1)[0].rstrip("/").split("/")
    if len(path) >= 2 and path[-1].isdigit() and path[-2].lower() == channel.lower():
        record.reply_to_id = path[-1]
    elif href:
        raw["reply_to_url"] = href


def media_of(index: ClassIndex, raw: dict[str, Any]) -> list[MediaItem]:
    items: list[MediaItem] = []
    pages: list[str | None] = []
    for element in index.media:
        item = _media_item(element, raw)
        item.position = len(items)
        items.append(item)
        pages.append(absolute(element.get("href")))
    if index.first("tgme_widget_message_grouped_wrap") is not None:
        ids = [_post_id_of(page) for page in pages]
        raw["album_ids"] = [i for i in ids if i is not None]
    return items


def _post_id_of(url: str | None) -> str | None:
    last = (url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def _media_item(element: HtmlElement, raw: dict[str, Any]) -> MediaItem:
    page = absolute((element.get("href") or "").split("?", 1)[0]) or None
    if has_class(element, "tgme_widget_message_photo_wrap"):
        return MediaItem(kind="photo", source_url=background_url(element.get("style")) or page)
    if has_class(element, "tgme_widget_message_document_wrap"):
        icon = find(element, "tgme_widget_message_document_icon")
        raw.setdefault("documents", []).append(
            {
                "title": text_in(element, "tgme_widget_message_document_title"),
                "extra": text_in(element, "tgme_widget_message_document_extra"),
            }
        )
        audio = icon is not None and has_class(icon, "audio")
        return MediaItem(kind="audio" if audio else "document", source_url=page)
    if has_class(element, "tgme_widget_message_voice_player"):
        return MediaItem(
            kind="voice",
            source_url=absolute(first_attr(element, ".//audio/@src")) or page,
            duration_seconds=parse_duration(text_in(element, "tgme_widget_message_voice_duration")),
            mime_type="audio/ogg",
        )
    round_video = has_class(element, "tgme_widget_message_roundvideo_player")
    prefix = "tgme_widget_message_roundvideo" if round_video else "tgme_widget_message_video"
    src = absolute(first_attr(element, ".//video/@src"))
    duration = parse_duration(
        text_in(element, prefix + "_duration") or text_in(element, "message_video_duration")
    )
    if src is None and has_class(element, "not_supported"):
        label = text_in(element, "message_media_not_supported_label")
        raw.setdefault("media_not_shown", []).append(label or "not shown on the web")
    kind = "round_video" if round_video else "video"
    if not round_video and duration is None and element.xpath(".//video[@autoplay][@loop]"):
        kind = "other"  # a GIF-like animation: silent, looped, no duration shown
    thumb = find(element, prefix + "_thumb")
    return MediaItem(
        kind=kind,
        source_url=src or page,
        duration_seconds=duration,
        thumbnail_url=background_url(thumb.get("style")) if thumb is not None else None,
        mime_type="video/mp4" if src else None,
    )


def kind_of(index: ClassIndex, media: list[MediaItem], raw: dict[str, Any]) -> str:
    if has_class(index.node, "service_message"):
        return "service"
    poll = index.first("tgme_widget_message_poll")
    if poll is not None:
        raw["poll"] = _poll(index, poll)
        return "poll"
    sticker = next((s for name in _STICKER_CLASSES for s in index.all(name)), None)
    if sticker is not None:
        raw["sticker_url"] = absolute(
            sticker.get("data-webp") or first_attr(sticker, ".//@src") or ""
        ) or background_url(sticker.get("style"))
        return "sticker"
    if index.first("tgme_widget_message_grouped_wrap") is not None:
        return "album"
    if media:
        return "video" if media[0].kind == "other" else media[0].kind
    if index.first("tgme_widget_message_location_wrap") is not None:
        return "other"
    return "text"


def _poll(index: ClassIndex, poll: HtmlElement) -> dict[str, Any]:
    options = []
    for option in index.all("tgme_widget_message_poll_option"):
        percent = (text_in(option, "tgme_widget_message_poll_option_percent") or "").rstrip("%")
        options.append(
            {
                "text": text_in(option, "tgme_widget_message_poll_option_text"),
                "percent": int(percent) if percent.isdigit() else None,
            }
        )
    voters = parse_count(index.text("tgme_widget_message_voters"))
    return {
        "question": text_in(poll, "tgme_widget_message_poll_question"),
        "type": text_in(poll, "tgme_widget_message_poll_type"),
        "options": options,
        "voters": voters[0] if voters else None,
    }


def _link_preview(index: ClassIndex, raw: dict[str, Any]) -> None:
    preview = index.first("tgme_widget_message_link_preview")
    if preview is None:
        return
    image = next(
        (
            element
            for name in (
                "link_preview_image",
                "link_preview_right_image",
                "link_preview_video_thumb",
            )
            if (element := find(preview, name)) is not None
        ),
        None,
    )
    fields = {
        "url": absolute(preview.get("href")),
        "site_name": text_in(preview, "link_preview_site_name"),
        "title": text_in(preview, "link_preview_title"),
        "description": text_in(preview, "link_preview_description"),
        "image_url": background_url(image.get("style")) if image is not None else None,
        "video_url": absolute(first_attr(preview, ".//video/@src")),
    }
    raw["link_preview"] = {key: value for key, value in fields.items() if value}
