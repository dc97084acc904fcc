"""Page numbers stamped onto laid-out pages: ``n / N`` at the foot of each page.

A handout is laid out once, without numbers (its *chapter*), and numbered here; a
digest numbers the same chapters again, through the whole digest, without laying them
out a second time. The numbers are set in the Latin serif face (a subset of its digits,
space and slash, embedded once per document) as a pagination artifact, so tagged PDFs
stay valid and text extraction reads them like any footer.
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

from ..fonts import font_file
from ..options import PAPERS, Options

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


def _points(length: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(mm|in|pt|cm)", length).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def bottom_margin(options: Options) -> float:
    """The bottom margin of the page, in points (the footer is centred in it)."""
    return _points(margins(options)["bottom"])


def outside_margin(options: Options) -> float:
    """The outside margin in points (with --duplex the number sits at the outside corner)."""
    return _points(margins(options)["right"]) - (OUTSIDE_MM * _UNITS["mm"] if options.duplex else 0)


@cache
def number_font(family: str) -> tuple[bytes, dict[str, Any]]:
    """A subset of ``family`` holding :data:`CHARACTERS`, and what its PDF dictionaries need."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    found = font_file(family)
    if found is None:
        raise ValueError(f"font {family!r} is not installed")
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


def add_font(writer: Any, family: str) -> Any:
    """The number font as a simple font object of ``writer``; its reference."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    data, info = number_font(family)
    program = DecodedStreamObject()
    program.set_data(data)
    if info["truetype"]:
        program[NameObject("/Length1")] = NumberObject(len(data))
        file_key, subtype = "/FontFile2", "/TrueType"
    else:
        program[NameObject("/Subtype")] = NameObject("/OpenType")
        file_key, subtype = "/FontFile3", "/Type1"
    base = NameObject(f"/BPNUMS+{info['name']}")
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): base,
            NameObject("/Flags"): NumberObject(32),
            NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in info["bbox"]]),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(info["ascent"]),
            NameObject("/Descent"): NumberObject(info["descent"]),
            NameObject("/CapHeight"): NumberObject(info["cap_height"]),
            NameObject("/StemV"): NumberObject(80),
            NameObject(file_key): writer._add_object(program),
        }
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/BaseFont"): base,
            NameObject("/FirstChar"): NumberObject(32),
            NameObject("/LastChar"): NumberObject(57),
            NameObject("/Widths"): ArrayObject([NumberObject(w) for w in info["widths"]]),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
        }
    )
    text = DecodedStreamObject()  # codes are ASCII: each maps to itself
    text.set_data(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"1 beginbfrange <20> <39> <0020> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    font[NameObject("/ToUnicode")] = writer._add_object(text)
    return writer._add_object(font)


def stamp(writer: Any, pages: range, first: int, total: int, options: Options) -> None:
    """Number ``writer``'s ``pages`` ``first`` … through ``total``, at the foot of each."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    font = add_font(writer, options.latin_font)
    _, info = number_font(options.latin_font)
    widths = info["widths"]
    middle = bottom_margin(options) / 2
    baseline = middle - FONT_SIZE * info["cap_height"] / 2000
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    before_ref = writer._add_object(before)
    for number, index in enumerate(pages, start=first):
        page = writer.pages[index]
        text = f"{number} / {total}"
        width = sum(widths[ord(ch) - 32] for ch in text) * FONT_SIZE / 1000
        box = page.mediabox
        x = float(box.left) + (float(box.width) - width) / 2
        if options.duplex:  # at the outside corner: right on a right-hand (odd) page, left on a left-hand
            outside = outside_margin(options)
            x = float(box.right) - outside - width if number % 2 else float(box.left) + outside
        y = float(box.bottom) + baseline
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        fonts = resources.get_object().setdefault(NameObject("/Font"), DictionaryObject())
        fonts.get_object()[NameObject("/BPNum")] = font
        ours = DecodedStreamObject()
        ours.set_data(
            (
                f"Q\nq /Artifact BMC {GREY:.3f} g BT /BPNum {FONT_SIZE} Tf "
                f"1 0 0 1 {x:.2f} {y:.2f} Tm ({text}) Tj ET EMC Q\n"
            ).encode("ascii")
        )
        contents = page.get(NameObject("/Contents"))
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
        page[NameObject("/Contents")] = ArrayObject([before_ref, *existing, writer._add_object(ours)])


def number(pdf: bytes, options: Options) -> bytes:
    """A chapter numbered ``1 / N`` … ``N / N``: the handout."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    stamp(writer, range(len(writer.pages)), 1, len(writer.pages), options)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
