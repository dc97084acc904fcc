"""A simple TrueType font (WinAnsi, digits, space and slash) added to a PDF with pikepdf:
what the glyph check's tests draw with, a kind of font WeasyPrint does not write (the
page numbers were once stamped in it)."""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

from pikepdf import Array, Dictionary, Name, Stream

from briefpress.editions.pdffonts import content_tag
from briefpress.fonts import font_file

#: the characters the font has
CHARACTERS = " /0123456789"


@cache
def number_font(family: str) -> tuple[bytes, dict[str, Any]]:
    """A subset of ``family`` holding :data:`CHARACTERS`, and what its PDF dictionaries need."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    found = font_file(family)
    if found is None:  # the build checked it (briefpress.fontcheck); an API call may not have
        raise AssertionError(f"font {family!r} is not installed")
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
