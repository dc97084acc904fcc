"""The page footer (``n / N`` by default) of every PDF, drawn once the document is whole,
and read back for ``check``: the one mechanism for the handout (and so the booklet and
2-up, imposed from it), the digest assembled from chapters, and the tagged digest.

Why after layout: a digest is assembled from chapters laid out separately
(:mod:`.pdfmerge`), so a page's number and the total are known only once it is whole.
Why WeasyPrint draws it: the footer is CSS in one template, ``templates/page.css.j2``
(block ``footer``), which a theme overrides like any other — its text
(``"第 " counter(page) " 页"``), font, size, colour and place. The footer is laid out as a
*folio* document: one blank page per page of the document, of the same box, showing only
the footer's margin boxes, so ``counter(page)`` and ``counter(pages)`` are the
document's. Each folio page is then placed on its page as a form XObject named
:data:`RESOURCE`, with pikepdf (qpdf), as a pagination artifact in a graphics state of its
own (so tagged PDFs stay valid), and :func:`footers` reads the text of those forms.
A folio document is kept in the cache by its stylesheet and page count: handouts of the
same length share it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
from pikepdf import Name, Stream

from .. import cache
from ..options import PAPERS, Options
from ..render import render_template
from .pdfdoc import opened, save, writes_object_streams
from .pdffonts import finish

#: the form XObject each page's footer is drawn from: a fixed name, the same bytes each build
RESOURCE = Name("/BPFolio")
#: what marks the footer's content: a pagination artifact, outside the structure tree
ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
#: changes when folio documents are made differently, so older cached ones are not found
FOLIO_FORMAT = "1"
_UNITS = {"mm": 72 / 25.4, "in": 72.0, "pt": 1.0, "cm": 72 / 2.54}
#: with --duplex, the inside margin gains this (for the binding) and the outside loses some
GUTTER_MM, OUTSIDE_MM = 5.0, 3.0


def margins(options: Options) -> dict[str, str]:
    """The page margins as CSS lengths: top, bottom, and (with ``--duplex``) inside and outside."""
    values = PAPERS[options.paper].margin.split()
    top, right, bottom, left = (values * 4)[:4] if len(values) == 1 else values
    inside = f"calc({left} + {GUTTER_MM}mm)" if options.duplex else left
    outside = f"calc({right} - {OUTSIDE_MM}mm)" if options.duplex else right
    return {"top": top, "bottom": bottom, "inside": inside, "outside": outside, "left": left, "right": right}


def points(length: str) -> float:
    """A CSS length in mm, in, pt or cm, in points."""
    # the lookbehind keeps the pattern linear in a search too (the package's rule)
    number, unit = re.fullmatch(r"(?<![\d.])([\d.]++)(mm|in|pt|cm)", length).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def bottom_margin(options: Options) -> float:
    """The bottom margin of the page, in points (the footer is centred in it)."""
    return points(margins(options)["bottom"])


def page_css(options: Options, footer: bool = False) -> str:
    """``templates/page.css.j2`` (the theme's when it has one): the page box with the
    running title, laid out with the text; with ``footer``, the page box with the footer."""
    return render_template(
        "page.css.j2",
        options.theme,
        paper=PAPERS[options.paper],
        duplex=options.duplex,
        margins=margins(options),
        options=options,
        footer=footer,
    )


def folio_document(count: int, options: Options) -> bytes:
    """``count`` blank pages of the document's box with their footers: the folio document
    (fonts compacted and named by content, as every PDF's are)."""
    from weasyprint import CSS, HTML

    css = page_css(options, footer=True)
    name = cache.key("folio", FOLIO_FORMAT, css, str(count))
    found = cache.get("folios", name)
    if found is not None:
        return found
    lang = "zh-Hant" if options.script == "hant" else "zh-Hans"
    blank = "body { margin: 0; } div + div { break-before: page; }"
    document = HTML(string=f'<html lang="{lang}"><body>' + "<div></div>" * count).render(
        stylesheets=[CSS(string=css), CSS(string=blank)]
    )
    with opened(document.write_pdf(pdf_identifier=name[:32].encode("ascii"))) as pdf:
        finish(pdf)
        data = save(pdf)
    cache.put("folios", name, data)
    return data


@contextmanager
def stamped(pdf: pikepdf.Pdf, pages: range, options: Options) -> Iterator[None]:
    """``pdf``'s ``pages`` with their footers, numbered as pages of the whole document (the
    others, a digest's cover and contents, have none). Save ``pdf`` inside the ``with``:
    the folio document it draws from is read when it is written."""
    with opened(folio_document(len(pdf.pages), options)) as folio:
        before = pdf.make_indirect(Stream(pdf, b"q\n"))
        for index in pages:
            page = pdf.pages[index]
            _own_resources(page).XObject[RESOURCE] = pdf.copy_foreign(folio.pages[index].as_form_xobject())
            left, bottom = float(page.mediabox[0]), float(page.mediabox[1])
            place = f"1 0 0 1 {left:.2f} {bottom:.2f} cm " if left or bottom else ""
            page.contents_add(before, prepend=True)
            page.contents_add(
                Stream(pdf, b"Q\nq " + ARTIFACT + f" {place}{RESOURCE} Do EMC Q\n".encode("ascii"))
            )
        yield


def _own_resources(page: pikepdf.Page) -> pikepdf.Dictionary:
    """The page's resources, and their XObjects, its own: WeasyPrint shares one dictionary
    among all pages, and each page draws its own footer under the same name."""
    resources = pikepdf.Dictionary(dict(page.obj.get("/Resources", {}).items()))
    resources.XObject = pikepdf.Dictionary(dict(resources.get("/XObject", {}).items()))
    page.obj.Resources = resources
    return resources


def number(data: bytes, options: Options) -> bytes:
    """A chapter numbered ``1 / N`` … ``N / N`` (as the theme writes it): the handout."""
    with opened(data) as pdf, stamped(pdf, range(len(pdf.pages)), options):
        return save(pdf, object_streams=writes_object_streams(options))


def footers(path: Path) -> list[str] | None:
    """The text of each page's footer, as drawn ("" for a page without one); None
    without poppler's pdftotext. What ``check`` takes out of the text it compares."""
    if shutil.which("pdftotext") is None:
        return None
    with pikepdf.open(path) as pdf:
        count, alone = len(pdf.pages), pikepdf.new()
        for page in pdf.pages:
            alone.add_blank_page(page_size=(float(page.mediabox[2]), float(page.mediabox[3])))
            form = _form(page)
            if form is not None:
                copy = alone.pages[-1]
                copy.add_resource(alone.copy_foreign(form), Name.XObject, RESOURCE)
                copy.contents_add(Stream(alone, f"{RESOURCE} Do".encode("ascii")))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            alone.save(file.name)
            text = _pdftotext(Path(file.name))
    return [" ".join(page.split()) for page in text.split("\f")[:count]]


def _form(page: pikepdf.Page) -> pikepdf.Object | None:
    """The page's footer form, when it has one."""
    xobjects = page.obj.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary())
    return xobjects.get(str(RESOURCE))


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
