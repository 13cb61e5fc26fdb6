"""Reading one image with Tesseract (pytesseract): lines of text, languages, confidence.

Failures are told apart by type and exit status, never by Tesseract's or Pillow's wording:
a file Pillow cannot decode is `UnreadableImage` (permanent), a Tesseract run that exits
non-zero or times out is `OcrFailed` (retried), a missing Tesseract or language is
`OcrUnavailable` (every image would fail: the run stops).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytesseract
from PIL import Image, ImageOps, UnidentifiedImageError

from collectors.errors import PolmonError
from monitor.ocr.config import OcrConfig

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-khm tesseract-ocr-eng"


class UnreadableImage(PolmonError):
    """The file is not an image Pillow can decode (corrupt, truncated, another format), or
    it is over `[ocr] max_image_pixels`: reading it again cannot help."""

    expected = True
    permanent = True


class OcrFailed(PolmonError):
    """Tesseract exited with an error or ran out of time on this image: tried again later."""

    expected = True


class OcrUnavailable(PolmonError):
    """Tesseract, or one of the configured languages, is not installed."""

    expected = True


@dataclass(frozen=True)
class TextLine:
    """One line Tesseract read: its words joined by spaces, mean confidence 0..1, box."""

    text: str
    confidence: float | None
    box: tuple[int, int, int, int]  # left, top, width, height


@dataclass(frozen=True)
class ImageReading:
    """What one image holds as text (a storage.ocr.ImageTextToSave)."""

    engine: str
    languages: str
    text: str
    confidence: float | None
    words: int
    lines: tuple[TextLine, ...]
    width: int
    height: int
    processing_seconds: float


def check_tesseract(config: OcrConfig) -> str:
    """Tesseract's version, once every configured language is installed; else OcrUnavailable."""
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(f"tesseract is not installed (Debian: {INSTALL_HINT})") from None
    missing = [name for name in config.languages if name not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{name.lower()}" for name in missing)
        raise OcrUnavailable(
            f"Tesseract has no {', '.join(missing)} language data (Debian: apt-get install "
            f"{packages}); installed: {', '.join(sorted(installed)) or 'none'}"
        )
    return version


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """The image decoded (first frame, transparency on white, EXIF rotation applied)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                width, height = opened.size
                if width * height > max_pixels:
                    raise UnreadableImage(
                        f"image {width}x{height} is over [ocr] max_image_pixels = {max_pixels}"
                    )
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except UnreadableImage:
        raise
    except FileNotFoundError:
        raise UnreadableImage(f"the downloaded file {path} is missing") from None
    except UnidentifiedImageError:
        raise UnreadableImage(
            "not an image Pillow can decode (corrupt or unknown format)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadableImage(f"refused as a decompression bomb: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # Pillow's decoding failures
        raise UnreadableImage(
            f"the image cannot be decoded ({type(exc).__name__}: truncated or corrupt)"
        ) from exc
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _lines(data: dict[str, list[Any]], min_confidence: int) -> list[TextLine]:
    """Words of image_to_data grouped into lines (block, paragraph, line), in reading order."""
    grouped: dict[tuple[int, int, int], list[int]] = {}
    for index, word in enumerate(data["text"]):
        confidence = float(data["conf"][index])
        if not str(word).strip() or confidence < max(min_confidence, 0):
            continue
        key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        grouped.setdefault(key, []).append(index)
    lines = []
    for indexes in grouped.values():
        left = min(data["left"][i] for i in indexes)
        top = min(data["top"][i] for i in indexes)
        right = max(data["left"][i] + data["width"][i] for i in indexes)
        bottom = max(data["top"][i] + data["height"][i] for i in indexes)
        confidences = [float(data["conf"][i]) / 100 for i in indexes]
        lines.append(
            TextLine(
                text=" ".join(str(data["text"][i]).strip() for i in indexes),
                confidence=round(sum(confidences) / len(confidences), 4),
                box=(left, top, right - left, bottom - top),
            )
        )
    return lines


def read_image(path: Path, config: OcrConfig, engine: str) -> ImageReading:
    """Read the text in the image at `path` with the configured languages."""
    started = time.monotonic()
    image = open_image(path, config.max_image_pixels)
    try:
        data = pytesseract.image_to_data(
            image,
            lang=config.tesseract_languages,
            output_type=pytesseract.Output.DICT,
            timeout=config.timeout_seconds,
        )
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(f"tesseract is not installed (Debian: {INSTALL_HINT})") from None
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"tesseract exited with status {exc.status}") from None
    except RuntimeError:  # pytesseract's timeout (it kills the process)
        raise OcrFailed(
            f"tesseract ran over [ocr] timeout_seconds = {config.timeout_seconds}"
        ) from None
    lines = _lines(data, config.min_word_confidence)
    counts = [len(line.text.split(" ")) for line in lines]
    words = sum(counts)
    pairs = zip(lines, counts, strict=True)
    weighted = sum((line.confidence or 0.0) * count for line, count in pairs)
    return ImageReading(
        engine=engine,
        languages=config.tesseract_languages,
        text="\n".join(line.text for line in lines),
        confidence=round(weighted / words, 4) if words else None,  # the mean over words
        words=words,
        lines=tuple(lines),
        width=image.width,
        height=image.height,
        processing_seconds=time.monotonic() - started,
    )
