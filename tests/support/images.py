"""Images with known text for the OCR tests, rendered with Pillow and Debian's fonts."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.conftest import require

KHMER_FONT = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def tesseract_languages() -> set[str]:
    """The languages the installed Tesseract reads (empty when it is not installed)."""
    if shutil.which("tesseract") is None:
        return set()
    listed = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, check=False, timeout=30
    )
    return set(listed.stdout.split()[1:]) if listed.returncode == 0 else set()


def require_ocr() -> None:
    """Tesseract with Khmer and English, the Khmer font, and pytesseract: skip (fail in CI)."""
    how = "apt-get install tesseract-ocr tesseract-ocr-khm tesseract-ocr-eng fonts-khmeros"
    require(shutil.which("tesseract") is not None, "tesseract-ocr", how)
    languages = tesseract_languages()
    require({"khm", "eng"} <= languages, "tesseract-ocr-khm / tesseract-ocr-eng", how)
    require(KHMER_FONT.is_file() and LATIN_FONT.is_file(), "fonts-khmeros / fonts-dejavu", how)
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        require(False, "pytesseract", "pip install pytesseract (the `ocr` extra)")


def text_image(text: str, font: Path = LATIN_FONT, size: int = 32, fmt: str = "PNG") -> bytes:
    """`text` in black on white, one line per line of `text`, as an image file's bytes."""
    face = ImageFont.truetype(str(font), size)
    box = ImageDraw.Draw(Image.new("L", (1, 1))).multiline_textbbox((0, 0), text, font=face)
    image = Image.new("L", (int(box[2]) + 40, int(box[3]) + 40), 255)
    ImageDraw.Draw(image).multiline_text((20, 20), text, font=face, fill=0)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def photo_without_text(fmt: str = "JPEG") -> bytes:
    """A small picture of shapes and a colour gradient: no text at all."""
    image = Image.new("RGB", (240, 160))
    pixels = image.load()
    assert pixels is not None
    for x in range(240):
        for y in range(160):
            pixels[x, y] = (x, y + 60, 150)
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 30, 110, 110), fill=(230, 200, 40))
    draw.rectangle((140, 60, 210, 140), fill=(40, 90, 60))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()
