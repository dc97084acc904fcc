"""The EPUB's page-list: where each page of the A4 handout begins, so that an e-reader
shows the page a printed copy is on (EPUB Accessibility 1.1, ``pageBreakSource``).

The handout is laid out as the PDF edition lays it out (its chapter, from the cache when
the build's PDF is the A4 handout, else laid out here), and read back: WeasyPrint names
a destination for every id, on the page where its element begins. A page is marked at
the first of the ids the EPUB can mark ("title", a section, a pair) that begins on it;
a page on which none begins (the middle of a long original text) has no marker.
"""

from __future__ import annotations

from ..errors import Report
from ..model import Article, edition_sections
from ..options import Options

#: the paper of the handout whose pages the e-book's page-list gives
PAPER = "A4"
#: what the package's ``a11y:pageBreakSource`` says the page numbers are of
SOURCE = "briefpress A4 handout"


def handout_options(options: Options) -> Options:
    """The build's options with the handout on A4 paper: the same layout, and the same
    chapter in the cache, as the build's own PDF when it is A4."""
    return options if options.paper == PAPER else options.replace(paper=PAPER)


def markable(article: Article) -> list[str]:
    """The ids an EPUB marker can stand before, in the order of the text."""
    ids = ["title"]
    for name in edition_sections(article):
        ids.append(name)
        if name == "bilingual":
            ids.extend(f"pair-{pair.index}" for pair in article.pairs)
    return ids


def anchor_pages(pdf: bytes) -> dict[str, int]:
    """Each named destination of ``pdf`` with the (1-based) page it is on."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        names = document.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        pages: dict[tuple[int, int], int] = {
            page.obj.objgen: number for number, page in enumerate(document.pages, start=1)
        }
        found = {}
        for name, target in pikepdf.NameTree(names.Dests).items():
            array = target.get("/D") if isinstance(target, pikepdf.Dictionary) else target
            if isinstance(array, pikepdf.Array) and len(array):
                page = pages.get(array[0].objgen)
                if page is not None:
                    found[str(name)] = page
        return found


def page_breaks(article: Article, options: Options) -> dict[str, int]:
    """The id at which each page of the article's A4 handout begins: {id: page}.

    The handout's warnings are the PDF edition's to give: they are not repeated here."""
    from .pdf import chapter

    on_page = anchor_pages(chapter(article, handout_options(options), Report()))
    breaks: dict[str, int] = {}
    last = 0
    for ident in markable(article):
        page = on_page.get(ident)
        if page is not None and page > last:
            breaks[ident] = last = page
    return breaks
