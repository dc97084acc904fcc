"""The Kobo edition (``.kepub.epub``): the EPUB with the markup Kobo's reader wants.

Kobo's reading statistics, highlights, footnote pop-ups and quick page turns rely on
every sentence being in a ``<span class="koboSpan" id="kobo.P.S">`` (P counts the text
blocks of a document, S the sentences of a block) and the body's content being inside
``<div id="book-columns"><div id="book-inner">``, as kepubify writes it. Kobo's
"Publisher Default" font has no Chinese, so this edition embeds the CJK font subset.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ..errors import Report
from ..model import Article
from ..options import Options
from .epub import BookInfo, build_time, normalise_zip, render_book

XHTML = "http://www.w3.org/1999/xhtml"
#: elements whose text is read as a block (a paragraph of the count P)
BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "dt",
    "dd",
    "pre",
    "figcaption",
    "caption",
}
#: not text to read
SKIP = {"script", "style", "svg", "math", "head"}
#: where a sentence ends: . ! ? … before a space or the end (so "example.org" and "3.5"
#: stay whole), or 。！？ anywhere; with any closing quotes and the spaces after. A run of
#: . ! ? … is tried only from its first mark, so a long run read once, not once per mark
SENTENCE_END = re.compile(r"(?:(?<![.!?…])[.!?…]++[\"'”’)）」』]*+(?=\s|$)|[。！？]++[”’）」』]*+)\s*+")


def sentences(text: str) -> list[str]:
    parts, start = [], 0
    for end in SENTENCE_END.finditer(text):
        if end.end() > start:
            parts.append(text[start : end.end()])
            start = end.end()
    if start < len(text):
        parts.append(text[start:])
    return parts or [text]


class Spanner:
    """Numbers the blocks of one document and wraps their sentences."""

    def __init__(self) -> None:
        self.paragraph = 0

    def span(self, text: str, segment: int) -> etree._Element:
        element = etree.Element(
            f"{{{XHTML}}}span", {"class": "koboSpan", "id": f"kobo.{self.paragraph}.{segment}"}
        )
        element.text = text
        return element

    def block(self, block: etree._Element) -> None:
        self.paragraph += 1
        self.segment = 0
        self.inline(block, top=True)

    def wrapped(self, text: str | None) -> list[etree._Element]:
        if not text or not text.strip():
            return []
        spans = []
        for part in sentences(text):
            self.segment += 1
            spans.append(self.span(part, self.segment))
        return spans

    def inline(self, element: etree._Element, top: bool = False) -> None:
        """Wrap the text of ``element`` and its inline descendants (not nested blocks).

        The element's new children are put in place at once: inserting each span where
        it goes would cost a search of the children per span, the square of their number."""
        placed = self.wrapped(element.text)
        if placed:
            element.text = None
        children = list(element)
        for child in children:
            placed.append(child)
            if not isinstance(child.tag, str) or etree.QName(child).localname in SKIP:
                continue
            if child.get("class") == "koboSpan":
                continue
            if etree.QName(child).localname in BLOCKS:
                self.block(child)
            else:
                self.inline(child)
            tail = self.wrapped(child.tail)
            if tail:
                child.tail = None
                placed += tail
        if len(placed) != len(children):
            element[:] = placed

    def walk(self, element: etree._Element) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name in SKIP:
                continue
            if name in BLOCKS:
                self.block(child)
            else:
                self.walk(child)


def kobo_document(data: bytes) -> bytes:
    """One XHTML document with koboSpans and the wrapper divs."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    root = etree.fromstring(data, parser)
    body = root.find(f"{{{XHTML}}}body")
    if body is None:
        return data
    Spanner().walk(body)
    children = list(body)
    # the wrappers go into the tree first: moving a large subtree into an element not yet
    # in the document costs the square of its size in lxml
    columns = etree.SubElement(body, f"{{{XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{{{XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, "\n"
    for child in children:
        inner.append(child)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def render(article: Article, options: Options, report: Report) -> bytes:
    """The kepub: the EPUB with the CJK subset embedded, each chapter in Kobo's markup."""
    embedded = options.replace(embed_fonts=True)
    book = render_book(BookInfo.for_article(article, embedded), [article], embedded, article.path)
    return kobo_book(book, build_time(article.meta.date))


def kobo_book(book: bytes, moment) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            name = info.filename.rsplit("/", 1)[-1]
            if name.endswith(".xhtml") and name not in ("nav.xhtml", "cover.xhtml"):
                data = kobo_document(data)
            target.writestr(info, data)
    return normalise_zip(output.getvalue(), moment)
