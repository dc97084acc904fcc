"""The text of built editions, and whether every paragraph of a source is in it, in order.

A digest holds several articles: each one's paragraphs are looked for after the
previous article's, so an article left out, or two swapped, is found too.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

from ..cjk import shorten
from ..editions.pagenumbers import footers
from ..model import Article, tokens_text
from ..options import Options
from ..reading import Finding as Row
from ..reading import open_book

#: a tag in a spine document (XHTML has no < inside a tag)
_TAG = re.compile(r"<[^<>]++>")


def squash(text: str) -> str:
    """Text without spaces and hyphens: line breaks, hyphenation and the PDF's zero-width
    break points in very long words do not count."""
    return re.sub(r"[\s\-\u00ad\u2010\u200b]+", "", text)


def paragraphs(article: Article) -> list[tuple[str, int, str]]:
    """(which text, source line, text) of every block of the original and the translation."""
    # an image alone has no text in a PDF, and a shared one is shown once on the bilingual pages;
    # a note's reference is there as its number, wherever in the paragraph it stands
    refs = {note.label: str(note.number) for note in article.footnotes}
    texts = (("original", article.original), ("translation", article.translation or []))
    found = [
        (name, block.line, tokens_text(block.tokens, refs))
        for name, blocks in texts
        for block in blocks
        if not block.image_only
    ]
    return [item for item in found if squash(item[2])]


def in_order(text: str, article: Article, start: int = 0, drop: str = "") -> tuple[Row | None, int]:
    """The first paragraph missing from ``text`` after ``start`` (each text's paragraphs in
    order), or None; and where the article's text ends in ``text``. ``drop``: characters
    left out of the paragraphs (``text`` is already without them).

    The original is usually there twice, on the bilingual pages and as the original
    text: when a second copy starts after the first, it is checked as well.
    """
    blocks = [(name, line, _without(paragraph, drop)) for name, line, paragraph in paragraphs(article)]
    end = start
    for which in ("original", "translation"):
        wanted = [(line, paragraph) for name, line, paragraph in blocks if name == which]
        position, passes = start, 0
        while wanted and passes < 2:
            if passes == 1 and text.find(squash(wanted[0][1]), position) < 0:
                break  # no second copy (translation-only pages, or the translation)
            for line, paragraph in wanted:
                found = text.find(squash(paragraph), position)
                if found < 0:
                    where = "missing" if passes or squash(paragraph) not in text[start:] else "out of order"
                    copy = " (the original text section)" if passes else ""
                    detail = f"{which} paragraph at line {line} {where}{copy}: {paragraph[:60]!r}"
                    return Row("", False, detail), end
                position = found + 1
                end = max(end, found + len(squash(paragraph)))
            passes += 1
            if which == "translation":
                break
    return None, end


_MARKER_LINE = re.compile(r"^[•◦▪]$\n?", re.MULTILINE)

#: the paragraph numbers in the margin (¶N), which WeasyPrint draws after the page's text
_PAIR_NUMBERS = re.compile(r"(?:¶\d+)+$")


def pdf_text(path: Path, articles: list[Article], options: Options) -> str | None:
    """The PDF's text without running heads, folios, page footnotes and paragraph numbers;
    None without poppler."""
    if shutil.which("pdftotext") is None:
        return None
    # -raw keeps the order the text is drawn in: a side-by-side row reads left cell, right cell
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # a list item's marker is drawn after the page's text: a paragraph split over the
    # page's end would read with a "•" inside it
    pages = _MARKER_LINE.sub("", raw).split("\f")
    columns = options.running_title_columns
    titles = list(
        dict.fromkeys(squash(t) for a in articles for t in (shorten(a.meta.title, columns), a.meta.title))
    )
    notes = [
        squash(f"{note.number}. {tokens_text(tokens)}")
        for article in articles
        for note in article.footnotes
        for tokens in (note.original, note.translation)
        if tokens
    ]
    cleaned = []
    folios = footers(path) or []  # as the edition drew them (the theme's text)
    for number, page in enumerate(pages, start=1):
        flat, folio = squash(page), squash(folios[number - 1]) if number <= len(folios) else ""
        if folio:  # drawn last, so it ends the page's text
            flat = flat[: -len(folio)] if flat.endswith(folio) else flat.replace(folio, "", 1)
        for item in notes:
            flat = flat.replace(item, "")
        if number > 1:  # the running head, once a page
            for title in titles:
                flat = flat.replace(title, "", 1)
        cleaned.append(_PAIR_NUMBERS.sub("", flat))
    return "".join(cleaned)


def epub_text(path: Path) -> str:
    """The text of the EPUB's spine documents, in reading order (the book read defensively:
    BookError when it is not one)."""
    parts = []
    for _, markup in open_book(path).documents():
        body = markup.decode("utf-8", "replace").split("<body", 1)[-1]
        parts.append(html.unescape(_TAG.sub(" ", body)))
    return squash(" ".join(parts))


def _without(text: str, drop: str) -> str:
    return text.translate({ord(ch): None for ch in drop}) if drop else text


def text_row(label: str, text: str, articles: list[Article], drop: str = "") -> Row:
    """Whether every paragraph of every one of ``articles`` is in ``text``, article after
    article. ``drop``: characters that do not count. In a PDF, those no font has: they
    print as boxes, and WeasyPrint gives all of them in one CJK font (65,535 glyphs leave
    no spare code) a single code, so they extract as one another."""
    count = sum(len(paragraphs(article)) for article in articles)
    text, position = _without(text, drop), 0
    for article in articles:
        missing, position = in_order(text, article, position, drop)
        if missing is not None:
            where = f"{article.path}: " if len(articles) > 1 else ""
            return Row(f"{label} ({count} paragraphs)", False, where + missing.detail)
    scope = (
        f"every paragraph of {len(articles)} articles, in order"
        if len(articles) > 1
        else "every paragraph, in order"
    )
    return Row(f"{label} ({count} paragraphs)", True, scope)
