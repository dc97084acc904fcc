"""Several laid-out chapters as one PDF: a digest assembled instead of laid out again.

Each article's chapter (its handout's pages, unnumbered) is appended behind the front
matter with its bookmarks nested under the article's title; links inside a chapter are
pointed at that chapter's own pages; the CJK fonts that every chapter embeds as a
subset of the same face are merged into one font (the compacted subsets keep their
CIDs, so their glyphs, widths and text mappings simply combine); identical objects are
stored once; and the pages are numbered through the whole digest.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from ..options import Options
from .pagenumbers import stamp

#: how the front matter's contents links name the page they lead to
PAGE_LINK = "briefpress-page:"


@dataclass
class Chapter:
    title: str
    reader: PdfReader
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
        reader = PdfReader(io.BytesIO(data))
        chapters.append(Chapter(title, reader, len(reader.pages)))
    return chapters


def merge(front: bytes, chapters: list[Chapter], options: Options, info: Info) -> bytes:
    """The front matter, then every chapter; pages after the front matter numbered."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
    first_numbered = len(writer.pages)
    for chapter in chapters:
        dests = {
            str(name): (chapter.reader.get_destination_page_number(dest), dest.left, dest.top)
            for name, dest in chapter.reader.named_destinations.items()
        }
        offset = len(writer.pages)
        writer.append(chapter.reader, outline_item=chapter.title)
        retarget(writer, range(offset, len(writer.pages)), dests, offset)
    names = writer._root_object.get("/Names")
    if names is not None:  # each chapter's names were its own; its links are explicit now
        names.get_object().pop(NameObject("/Dests"), None)
    link_contents(writer, range(first_numbered))
    merge_cid_fonts(writer)
    stamp(writer, range(first_numbered, len(writer.pages)), first_numbered + 1, len(writer.pages), options)
    describe(writer, info)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    output = io.BytesIO()
    writer.write(output)
    # written again from its root, so that what the merged fonts replaced is left out
    clean = PdfWriter(clone_from=PdfReader(io.BytesIO(output.getvalue())))
    clean._ID = writer._ID
    output = io.BytesIO()
    clean.write(output)
    return output.getvalue()


def _explicit(writer: PdfWriter, index: int, left: Any, top: Any) -> ArrayObject:
    def number(value: Any) -> Any:
        return FloatObject(value) if value is not None else NumberObject(0)

    return ArrayObject(
        [
            writer.pages[index].indirect_reference,
            NameObject("/XYZ"),
            number(left),
            number(top),
            NumberObject(0),
        ]
    )


def retarget(writer: PdfWriter, pages: range, dests: dict[str, tuple], offset: int) -> None:
    """Links by name inside a chapter, pointed at that chapter's own pages."""
    for index in pages:
        for ref in writer.pages[index].get("/Annots", []) or []:
            annotation = ref.get_object()
            target = annotation.get("/Dest")
            if target is None and annotation.get("/A") is not None and annotation["/A"].get("/S") == "/GoTo":
                target = annotation["/A"].get("/D")
            if isinstance(target, (NameObject, TextStringObject, ByteStringObject, str)):
                name = str(target).lstrip("/") if isinstance(target, NameObject) else str(target)
                if name in dests:
                    page, left, top = dests[name]
                    annotation.pop(NameObject("/A"), None)
                    annotation[NameObject("/Dest")] = _explicit(writer, offset + page, left, top)


def link_contents(writer: PdfWriter, pages: range) -> None:
    """The contents page's links (``briefpress-page:N``) become links to page N."""
    for index in pages:
        for ref in writer.pages[index].get("/Annots", []) or []:
            annotation = ref.get_object()
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PAGE_LINK):
                target = int(uri[len(PAGE_LINK) :]) - 1
                annotation.pop(NameObject("/A"), None)
                annotation[NameObject("/Dest")] = _explicit(writer, target, None, None)


def describe(writer: PdfWriter, info: Info) -> None:
    writer.add_metadata(
        {
            "/Title": info.title,
            "/Author": info.author,
            "/Subject": info.subject,
            "/Keywords": info.keywords,
            "/Producer": "briefpress",
            **info.extra,
        }
    )
    writer._root_object[NameObject("/Lang")] = TextStringObject(info.lang)
    writer._ID = ArrayObject([ByteStringObject(info.identifier), ByteStringObject(info.identifier)])


# -- one font for each CJK face ---------------------------------------------------------


@dataclass
class _Face:
    """Every chapter's subset of one CID-keyed CFF face, to be merged."""

    fonts: list[Any] = field(default_factory=list)  # the Type0 font dictionaries


def _cff_face(font: Any) -> str | None:
    """The face a Type0 font embeds as compacted CID CFF (without its subset tag), or None."""
    if font.get("/Subtype") != "/Type0":
        return None
    descendant = font["/DescendantFonts"][0].get_object()
    program = descendant["/FontDescriptor"].get_object().get("/FontFile3")
    if program is None or program.get_object().get("/Subtype") != "/CIDFontType0C":
        return None
    return str(font["/BaseFont"]).split("+", 1)[-1]


def font_tables(writer: PdfWriter) -> list[Any]:
    """Every /Font resource dictionary: the pages', and their form XObjects', deep down."""
    tables, seen = [], set()
    pending = [page.get("/Resources") for page in writer.pages]
    while pending:
        resources = pending.pop()
        if resources is None:
            continue
        resources = resources.get_object()
        if id(resources) in seen:
            continue
        seen.add(id(resources))
        if resources.get("/Font") is not None:
            tables.append(resources["/Font"].get_object())
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                pending.append(xobject.get("/Resources"))
        for ref in (resources.get("/Pattern") or {}).values():
            pending.append(ref.get_object().get("/Resources"))
    return tables


def merge_cid_fonts(writer: PdfWriter) -> None:
    """Replace the chapters' subsets of each CJK face by one font holding all their glyphs."""
    tables = font_tables(writer)
    faces: dict[str, _Face] = {}
    seen: set[int] = set()
    for table in tables:
        for ref in table.values():
            font = ref.get_object()
            face = _cff_face(font)
            if face is not None and id(font) not in seen:
                seen.add(id(font))
                faces.setdefault(face, _Face()).fonts.append(font)
    merged = {
        face: _merged_font(writer, face, group.fonts) for face, group in faces.items() if len(group.fonts) > 1
    }
    for table in tables:
        for key, ref in list(table.items()):
            face = _cff_face(ref.get_object())
            if face in merged:
                table[key] = merged[face]


def _merged_font(writer: PdfWriter, face: str, fonts: list[Any]) -> IndirectObject:
    from .pdffonts import merge_cff

    descendants = [font["/DescendantFonts"][0].get_object() for font in fonts]
    programs = [d["/FontDescriptor"].get_object()["/FontFile3"].get_object().get_data() for d in descendants]
    cff = merge_cff(programs)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(cff).digest()[:6])
    program = DecodedStreamObject()
    program.set_data(cff)
    program[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
    descriptor = DictionaryObject(descendants[0]["/FontDescriptor"].get_object())
    descriptor[NameObject("/FontName")] = NameObject(f"/{tag}+{face}")
    descriptor[NameObject("/FontFile3")] = writer._add_object(program)
    descendant = DictionaryObject(descendants[0])
    descendant[NameObject("/BaseFont")] = NameObject(f"/{tag}+{face}")
    descendant[NameObject("/FontDescriptor")] = writer._add_object(descriptor)
    descendant[NameObject("/W")] = _merged_widths(descendants)
    font = DictionaryObject(fonts[0])
    font[NameObject("/BaseFont")] = NameObject(f"/{tag}+{face}")
    font[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(descendant)])
    unicode_map = DecodedStreamObject()
    unicode_map.set_data(_merged_to_unicode(fonts))
    font[NameObject("/ToUnicode")] = writer._add_object(unicode_map)
    return writer._add_object(font)


def _merged_widths(descendants: list[Any]) -> ArrayObject:
    widths: dict[int, Any] = {}
    for descendant in descendants:
        items = list(descendant.get("/W", []))
        i = 0
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], list):
                for n, width in enumerate(items[i + 1]):
                    widths.setdefault(first + n, width)
                i += 2
            else:
                for cid in range(first, int(items[i + 1]) + 1):
                    widths.setdefault(cid, items[i + 2])
                i += 3
    result = ArrayObject()
    for cid in sorted(widths):
        result += [NumberObject(cid), ArrayObject([widths[cid]])]
    return result


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _merged_to_unicode(fonts: list[Any]) -> bytes:
    mapping: dict[bytes, bytes] = {}
    for font in fonts:
        data = font["/ToUnicode"].get_object().get_data()
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for code, text in _BFCHAR.findall(block):
                mapping.setdefault(code.lower(), text)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for low, high, text in _BFRANGE.findall(block):
                width, start = len(low), int(text, 16)
                for n, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    mapping.setdefault(f"{code:0{width}x}".encode(), f"{start + n:0{len(text)}x}".encode())
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    codes = sorted(mapping, key=lambda c: int(c, 16))
    for start in range(0, len(codes), 100):
        chunk = codes[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [b"<" + code + b"> <" + mapping[code] + b">" for code in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"
