"""Several laid-out chapters as one PDF: a digest assembled instead of laid out again.

The articles' chapters (their handouts' pages, unnumbered) are first assembled into one
body with pikepdf (qpdf copies the pages and what they use): each chapter's bookmarks
nest under its article's title, its links by name are pointed at its own pages, and the
subsets of each CJK face that agree become one font (:func:`.pdffonts.merge_faces`),
identical font programs stored once. The body needs nothing but the chapters, so it can
be assembled while the cover and contents are laid out; then the front matter goes in
front, its fonts merged with the body's, and the pages are numbered through.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from ..options import Options
from .pagenumbers import stamped
from .pdfdoc import opened, save
from .pdffonts import merge_faces

#: how the front matter's contents links name the page they lead to
PAGE_LINK = "briefpress-page:"


@dataclass
class Chapter:
    title: str
    data: bytes
    pages: int = 0


@dataclass
class Info:
    """The merged document's metadata."""

    title: str
    author: str
    subject: str
    keywords: str
    lang: str
    identifier: bytes
    extra: dict[str, str] = field(default_factory=dict)


def chapters_of(pdfs: list[tuple[str, bytes]]) -> list[Chapter]:
    chapters = []
    for title, data in pdfs:
        with opened(data) as pdf:
            chapters.append(Chapter(title, data, len(pdf.pages)))
    return chapters


def assemble(chapters: list[Chapter]) -> bytes:
    """The chapters as one PDF, unnumbered: each one's bookmarks under its title, its links
    by name made explicit, the subsets of each face merged where they agree. It needs
    only the chapters, so it can be made while the front matter is laid out."""
    with ExitStack() as sources:  # qpdf copies the pages' streams when the file is written
        body = pikepdf.new()
        versions = []
        with body.open_outline() as outline:
            for chapter in chapters:
                source = sources.enter_context(opened(chapter.data))
                versions.append(source.pdf_version)
                offset = len(body.pages)
                explicit_links(source)
                body.pages.extend(source.pages)
                top = pikepdf.OutlineItem(chapter.title, _explicit(body, offset))
                top.children.extend(_outline(body, source, offset))
                outline.root.append(top)
        merge_faces(body)
        return save(body, version=max(versions))


def merge(front: bytes, body: bytes, options: Options, info: Info) -> bytes:
    """The front matter, then the assembled chapters (:func:`assemble`), their fonts merged
    with the front's; the pages after the front matter numbered."""
    with opened(front) as first, opened(body) as rest:
        merged = pikepdf.new()
        merged.pages.extend(first.pages)
        first_numbered = len(merged.pages)
        merged.pages.extend(rest.pages)
        with merged.open_outline() as outline:
            outline.root.extend(_outline(merged, rest, first_numbered))
        link_contents(merged, range(first_numbered))
        merge_faces(merged)
        describe(merged, info)
        with stamped(merged, range(first_numbered, len(merged.pages)), options):
            return save(merged, version=max(first.pdf_version, rest.pdf_version))


def _destination(value: Any, names: dict[str, Any]) -> Any:
    """A link's target as an explicit destination array, when it names one in ``names``."""
    if isinstance(value, pikepdf.Name):
        value = str(value)[1:]
    if isinstance(value, (pikepdf.String, str)):
        return names.get(str(value))
    return None


def explicit_links(pdf: pikepdf.Pdf) -> None:
    """Links by name (``/Dest`` or ``GoTo``) made explicit: the names are the chapter's own,
    and do not survive the merge; the pages they point at do."""
    root_names = pdf.Root.get("/Names")
    if root_names is None or "/Dests" not in root_names:
        return
    names = {str(name): dest for name, dest in pikepdf.NameTree(root_names.Dests).items()}
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            target = annotation.get("/Dest")
            action = annotation.get("/A")
            if target is None and action is not None and action.get("/S") == "/GoTo":
                target = action.get("/D")
            explicit = _destination(target, names)
            if explicit is not None:
                if "/A" in annotation:
                    del annotation["/A"]
                annotation.Dest = pikepdf.Array(explicit)


def _outline(merged: pikepdf.Pdf, source: pikepdf.Pdf, offset: int) -> list[pikepdf.OutlineItem]:
    """``source``'s bookmarks, pointing at its pages as they are in ``merged`` from ``offset``."""
    index = {page.obj.objgen: n for n, page in enumerate(source.pages)}

    def copied(item: pikepdf.OutlineItem) -> pikepdf.OutlineItem:
        target = item.destination
        page = 0
        rest: list[Any] = [pikepdf.Name.XYZ, None, None, 0]
        if isinstance(target, pikepdf.Array) and len(target) and target[0].is_indirect:
            page = index.get(target[0].objgen, 0)
            rest = list(target)[1:]
        new = pikepdf.OutlineItem(item.title, pikepdf.Array([merged.pages[offset + page].obj, *rest]))
        new.children.extend(copied(child) for child in item.children)
        return new

    with source.open_outline() as outline:
        return [copied(item) for item in outline.root]


def _explicit(pdf: pikepdf.Pdf, index: int) -> pikepdf.Array:
    return pikepdf.Array([pdf.pages[index].obj, pikepdf.Name.XYZ, None, None, 0])


def link_contents(pdf: pikepdf.Pdf, pages: range) -> None:
    """The contents page's links (``briefpress-page:N``) become links to page N."""
    for index in pages:
        for annotation in pdf.pages[index].obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PAGE_LINK):
                del annotation["/A"]
                annotation.Dest = _explicit(pdf, int(uri[len(PAGE_LINK) :]) - 1)


def describe(pdf: pikepdf.Pdf, info: Info) -> None:
    values = {
        "/Title": info.title,
        "/Author": info.author,
        "/Subject": info.subject,
        "/Keywords": info.keywords,
        "/Producer": "briefpress",
        **info.extra,
    }
    for key, value in values.items():
        pdf.docinfo[key] = pikepdf.String(value)
    pdf.Root.Lang = pikepdf.String(info.lang)
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(info.identifier), pikepdf.String(info.identifier)])
