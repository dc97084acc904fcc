"""Several laid-out chapters as one PDF: a digest assembled instead of laid out again.

Each article's chapter (its handout's pages, unnumbered) is appended behind the front
matter with pikepdf (qpdf copies the pages and what they use); its bookmarks nest under
the article's title; its links by name are pointed at its own pages; the subsets of
each CJK face that agree become one font (:func:`.pdffonts.merge_faces`), identical
font programs are stored once; and the pages are numbered through the whole digest.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from ..options import Options
from .pagenumbers import stamp
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


def merge(front: bytes, chapters: list[Chapter], options: Options, info: Info) -> bytes:
    """The front matter, then every chapter; pages after the front matter numbered."""
    with ExitStack() as sources:  # qpdf copies the pages' streams when the merged file is written
        merged = pikepdf.new()
        first = sources.enter_context(opened(front))
        merged.pages.extend(first.pages)
        versions = [first.pdf_version]
        first_numbered = len(merged.pages)
        with merged.open_outline() as outline:
            for chapter in chapters:
                source = sources.enter_context(opened(chapter.data))
                versions.append(source.pdf_version)
                offset = len(merged.pages)
                explicit_links(source)
                merged.pages.extend(source.pages)
                outline.root.append(_outline(merged, source, chapter.title, offset))
        link_contents(merged, range(first_numbered))
        merge_faces(merged)
        stamp(
            merged, range(first_numbered, len(merged.pages)), first_numbered + 1, len(merged.pages), options
        )
        describe(merged, info)
        return save(merged, version=max(versions))


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


def _outline(merged: pikepdf.Pdf, source: pikepdf.Pdf, title: str, offset: int) -> pikepdf.OutlineItem:
    """The chapter's bookmarks, under one for its title, pointing at its pages in ``merged``."""
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

    top = pikepdf.OutlineItem(title, _explicit(merged, offset))
    with source.open_outline() as outline:
        top.children.extend(copied(item) for item in outline.root)
    return top


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
