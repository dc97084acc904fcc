"""The EPUB's cover image: title, verdict, date and site name, set in the CJK font; a
digest's lists its articles' titles. Titles and verdicts break between words, in
balanced lines."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .. import cache
from ..cjk import balanced
from ..errors import BuildError
from ..fonts import INSTALL_HINT, font_file
from ..l10n import labels
from ..model import Article
from ..options import Options

WIDTH, HEIGHT = COVER_SIZE = 1600, 2560  # 1:1.6, the proportion Kindle and Kobo recommend
MARGIN = 150
PAPER = (246, 241, 232)
INK = (32, 30, 28)
MUTED = (104, 98, 90)
ACCENT = (162, 70, 31)
#: at most this many lines of a digest's titles, the last saying how many more there are
MAX_ENTRIES = 10


def _font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    found = font_file(family, bold) or font_file(family)
    if found is None:
        raise BuildError(f"the cover needs the font {family!r}; {INSTALL_HINT}")
    path, index = found
    return ImageFont.truetype(str(path), size=size, index=index)


def entry_lines(
    entries: Sequence[str], room: int, width: float, measure: Callable[[str], float], more: str
) -> list[str]:
    """A digest's titles for its cover, one line each (a long one shortened with "…"), in
    ``room`` lines: when they are not all there, the last line says how many more
    (``more``, with ``{count}``) rather than leave them out unsaid."""
    shown = list(entries) if len(entries) <= room else list(entries[: room - 1])
    lines = [_one_line(entry, width, measure) for entry in shown]
    if len(shown) < len(entries):
        lines.append(more.format(count=len(entries) - len(shown)))
    return lines


def _one_line(text: str, width: float, measure: Callable[[str], float]) -> str:
    if measure(text) <= width:
        return text
    cut = len(text)
    while cut > 1 and measure(text[:cut].rstrip(" ,.:;，。：；、") + "…") > width:
        cut -= 1
    return text[:cut].rstrip(" ,.:;，。：；、") + "…"


def render_cover(article: Article, options: Options) -> bytes:
    meta = article.meta
    byline = meta.date.isoformat() + (f"  ·  {meta.author}" if meta.author else "")
    return cover_image(meta.title, meta.summary, byline, options)


def cover_image(
    title: str, summary: str | None, byline: str, options: Options, entries: Sequence[str] = ()
) -> bytes:
    """A 1600×2560 PNG: site name, title, the verdict (or any line under it) or a
    digest's ``entries`` (its articles' titles), byline.

    Drawing it takes a third of a second; the same words in the same fonts give the same
    picture, so it is kept in the cache by them.
    """
    faces = [str(font_file(options.cjk_sans_font, True)), str(font_file(options.cjk_font))]
    words = [title, summary or "", byline, options.site_name, options.lang_ui, *entries]
    name = cache.key("cover", *words, *faces, Path(__file__).read_bytes())
    cached = cache.get("covers", name)
    if cached is not None:
        return cached
    data = draw_cover(title, summary, byline, options, entries)
    cache.put("covers", name, data)
    return data


def title_lines(title: str, options: Options) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The title's face and lines: broken between words and balanced, in a smaller face
    when the large one would take more than six lines."""
    inner = WIDTH - 2 * MARGIN
    title_font = _font(options.cjk_sans_font, 120, bold=True)
    lines = balanced(title, inner, title_font.getlength)
    if len(lines) > 6:  # very long titles get a smaller face rather than overflow
        title_font = _font(options.cjk_sans_font, 84, bold=True)
        lines = balanced(title, inner, title_font.getlength)
    return title_font, lines[:9]


def draw_cover(
    title: str, summary: str | None, byline: str, options: Options, entries: Sequence[str] = ()
) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    site = _font(options.cjk_sans_font, 64, bold=True)
    draw.text((MARGIN, 220), options.site_name, font=site, fill=ACCENT)
    draw.rectangle((MARGIN, 330, MARGIN + 180, 342), fill=ACCENT)

    y = 520
    title_font, lines = title_lines(title, options)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += int(title_font.size * 1.32)

    verdict = _font(options.cjk_font, 60)
    step = int(verdict.size * 1.6)
    if entries:
        room = min(MAX_ENTRIES, (HEIGHT - 420 - (y + 90)) // step)
        more = labels(options.lang_ui)["digest_cover_more"]
        under = entry_lines(entries, max(1, room), inner - 40, verdict.getlength, more)
    else:
        # the verdict as the title: between words, in balanced lines (never "战|略")
        under = balanced(summary, inner - 40, verdict.getlength)[:8] if summary else []
    if under:
        y += 90
        top = y
        for line in under:
            draw.text((MARGIN + 40, y), line, font=verdict, fill=MUTED)
            y += step
        draw.rectangle((MARGIN, top + 8, MARGIN + 8, y - 30), fill=ACCENT)

    footer = _font(options.cjk_sans_font, 56)
    draw.line((MARGIN, HEIGHT - 330, WIDTH - MARGIN, HEIGHT - 330), fill=MUTED, width=3)
    draw.text((MARGIN, HEIGHT - 270), byline, font=footer, fill=INK)

    buffer = io.BytesIO()
    # a small palette keeps the antialiased text and makes the file a third of the size
    image.quantize(colors=32, dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
