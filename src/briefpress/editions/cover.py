"""The EPUB's cover image: title, verdict, date and site name, set in the CJK font."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .. import cache
from ..cjk import wrap as wrap_text
from ..errors import BuildError
from ..fonts import INSTALL_HINT, font_file
from ..model import Article
from ..options import Options

WIDTH, HEIGHT = COVER_SIZE = 1600, 2560  # 1:1.6, the proportion Kindle and Kobo recommend
MARGIN = 150
PAPER = (246, 241, 232)
INK = (32, 30, 28)
MUTED = (104, 98, 90)
ACCENT = (162, 70, 31)


def _font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    found = font_file(family, bold) or font_file(family)
    if found is None:
        raise BuildError(f"the cover needs the font {family!r}; {INSTALL_HINT}")
    path, index = found
    return ImageFont.truetype(str(path), size=size, index=index)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    return wrap_text(text, width, font.getlength)


def render_cover(article: Article, options: Options) -> bytes:
    meta = article.meta
    byline = meta.date.isoformat() + (f"  ·  {meta.author}" if meta.author else "")
    return cover_image(meta.title, meta.summary, byline, options)


def cover_image(title: str, summary: str | None, byline: str, options: Options) -> bytes:
    """A 1600×2560 PNG: site name, title, the verdict (or any line under it), byline.

    Drawing it takes a third of a second; the same words in the same fonts give the same
    picture, so it is kept in the cache by them.
    """
    faces = [str(font_file(options.cjk_sans_font, True)), str(font_file(options.cjk_font))]
    name = cache.key(
        "cover", title, summary or "", byline, options.site_name, *faces, Path(__file__).read_bytes()
    )
    cached = cache.get("covers", name)
    if cached is not None:
        return cached
    data = draw_cover(title, summary, byline, options)
    cache.put("covers", name, data)
    return data


def draw_cover(title: str, summary: str | None, byline: str, options: Options) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    site = _font(options.cjk_sans_font, 64, bold=True)
    draw.text((MARGIN, 220), options.site_name, font=site, fill=ACCENT)
    draw.rectangle((MARGIN, 330, MARGIN + 180, 342), fill=ACCENT)

    y = 520
    title_font = _font(options.cjk_sans_font, 120, bold=True)
    title_lines = wrap(title, title_font, inner)
    if len(title_lines) > 6:  # very long titles get a smaller face rather than overflow
        title_font = _font(options.cjk_sans_font, 84, bold=True)
        title_lines = wrap(title, title_font, inner)
    for line in title_lines[:9]:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += int(title_font.size * 1.32)

    if summary:
        y += 90
        top = y
        verdict = _font(options.cjk_font, 60)
        for line in wrap(summary, verdict, inner - 40)[:8]:
            draw.text((MARGIN + 40, y), line, font=verdict, fill=MUTED)
            y += int(verdict.size * 1.6)
        draw.rectangle((MARGIN, top + 8, MARGIN + 8, y - 30), fill=ACCENT)

    footer = _font(options.cjk_sans_font, 56)
    draw.line((MARGIN, HEIGHT - 330, WIDTH - MARGIN, HEIGHT - 330), fill=MUTED, width=3)
    draw.text((MARGIN, HEIGHT - 270), byline, font=footer, fill=INK)

    buffer = io.BytesIO()
    # a small palette keeps the antialiased text and makes the file a third of the size
    image.quantize(colors=32, dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
