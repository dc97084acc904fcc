"""Page numbers stamped onto laid-out pages: ``n / N`` at the foot of each page.

A handout is laid out once, without numbers (its *chapter*), and numbered here; a
digest numbers the same chapters again, through the whole digest, without laying them
out a second time. The numbers are set in the Latin serif face (a subset of its digits,
space and slash, embedded once per document) as a pagination artifact, so tagged PDFs
stay valid and text extraction reads them like any footer. The pages are changed with
pikepdf (qpdf), which keeps the document's version and structure as they were.
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

from pikepdf import Array, Dictionary, Name, Stream

from ..errors import BuildError
from ..fonts import font_file
from ..options import PAPERS, Options
from .pdfdoc import opened, save
from .pdffonts import content_tag

#: the characters a page number needs
CHARACTERS = " /0123456789"
FONT_SIZE = 8.5
GREY = 0x77 / 0xFF
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


def outside_margin(options: Options) -> float:
    """The outside margin in points (with --duplex the number sits at the outside corner)."""
    return points(margins(options)["right"]) - (OUTSIDE_MM * _UNITS["mm"] if options.duplex else 0)


@cache
def number_font(family: str) -> tuple[bytes, dict[str, Any]]:
    """A subset of ``family`` holding :data:`CHARACTERS`, and what its PDF dictionaries need."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    found = font_file(family)
    if found is None:  # the build checked it (briefpress.fontcheck); an API call may not have
        raise BuildError(f"font {family!r} (--latin-font, for the page numbers) is not installed")
    path, index = found
    # lazy: only the glyphs asked for are read (15 ms, not 200); from memory, so no file stays open
    font = TTFont(io.BytesIO(path.read_bytes()), fontNumber=index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG", "GSUB", "GPOS", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARACTERS)
    subsetter.subset(font)
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    widths = [round(font["hmtx"][cmap[code]][0] * scale) if code in cmap else 0 for code in range(32, 58)]
    name = font["name"].getDebugName(6) or family.replace(" ", "")
    head, os2 = font["head"], font["OS/2"]
    info = {
        "name": re.sub(r"[^A-Za-z0-9-]", "", name),
        "widths": widths,
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "ascent": round(os2.sTypoAscender * scale),
        "descent": round(os2.sTypoDescender * scale),
        "cap_height": round(getattr(os2, "sCapHeight", 700) * scale),
        "truetype": "glyf" in font,
    }
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue(), info


def add_font(pdf: Any, family: str) -> Any:
    """The number font as a simple font object of ``pdf`` (a pikepdf.Pdf); its reference."""
    data, info = number_font(family)
    program = Stream(pdf, data)
    if info["truetype"]:
        program.Length1 = len(data)
        file_key, subtype = "/FontFile2", "/TrueType"
    else:
        program.Subtype = Name.OpenType
        file_key, subtype = "/FontFile3", "/Type1"
    base = Name(f"/{content_tag(data)}+{info['name']}")
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=base,
        Flags=32,
        FontBBox=Array(info["bbox"]),
        ItalicAngle=0,
        Ascent=info["ascent"],
        Descent=info["descent"],
        CapHeight=info["cap_height"],
        StemV=80,
    )
    descriptor[file_key] = pdf.make_indirect(program)
    # codes are ASCII: each maps to itself
    text = Stream(
        pdf,
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"1 beginbfrange <20> <39> <0020> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n",
    )
    font = Dictionary(
        Type=Name.Font,
        Subtype=Name(subtype),
        BaseFont=base,
        FirstChar=32,
        LastChar=57,
        Widths=Array(info["widths"]),
        Encoding=Name.WinAnsiEncoding,
        FontDescriptor=pdf.make_indirect(descriptor),
        ToUnicode=pdf.make_indirect(text),
    )
    return pdf.make_indirect(font)


def stamp(pdf: Any, pages: range, first: int, total: int, options: Options) -> None:
    """Number ``pdf``'s ``pages`` ``first`` … through ``total``, at the foot of each: a
    pagination artifact, in a graphics state of its own."""
    font = add_font(pdf, options.latin_font)
    _, info = number_font(options.latin_font)
    widths = info["widths"]
    middle = bottom_margin(options) / 2
    baseline = middle - FONT_SIZE * info["cap_height"] / 2000
    before = pdf.make_indirect(Stream(pdf, b"q\n"))
    for number, index in enumerate(pages, start=first):
        page = pdf.pages[index]
        text = f"{number} / {total}"
        width = sum(widths[ord(ch) - 32] for ch in text) * FONT_SIZE / 1000
        box = page.mediabox
        left, bottom, right = float(box[0]), float(box[1]), float(box[2])
        x = left + (right - left - width) / 2
        if options.duplex:  # at the outside corner: right on a right-hand (odd) page, left on a left-hand
            outside = outside_margin(options)
            x = right - outside - width if number % 2 else left + outside
        y = bottom + baseline
        name = page.add_resource(font, Name.Font, Name("/BPNum"))  # a fixed name: the same bytes each build
        page.contents_add(before, prepend=True)
        page.contents_add(
            Stream(
                pdf,
                (
                    f"Q\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC {GREY:.3f} g BT "
                    f"{name} {FONT_SIZE} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({text}) Tj ET EMC Q\n"
                ).encode("ascii"),
            )
        )


def number(pdf: bytes, options: Options) -> bytes:
    """A chapter numbered ``1 / N`` … ``N / N``: the handout."""
    with opened(pdf) as document:
        stamp(document, range(len(document.pages)), 1, len(document.pages), options)
        return save(document)
