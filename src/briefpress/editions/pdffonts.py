"""Smaller CJK fonts in WeasyPrint's PDFs.

WeasyPrint subsets fonts but keeps every glyph id up to the highest one used, so that
its content streams can keep the font's own glyph ids. For CJK fonts that is tens of
thousands of empty glyphs, and in a CFF font each still costs an offset that does not
compress: about 90 KB per font. CJK OpenType fonts are CID-keyed, and a PDF viewer
finds a CID-keyed CFF glyph through the font's charset, not its position (PDF 32000,
9.7.4.2). So each such font is subset again to the glyphs really used, keeping their
CIDs, and embedded as bare CFF (``/CIDFontType0C``).
"""

from __future__ import annotations

import io
from typing import Any

import pydyf
from fontTools.ttLib import TTFont


def compact_cid_fonts(document: Any, pdf: pydyf.PDF) -> None:
    """A WeasyPrint ``finisher``: rewrite CID-keyed CFF font programs without empty glyphs."""
    converted = False
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/OpenType":
            compact = compact_cff(b"".join(_chunks(obj.stream)))
            if compact is not None:
                obj.stream = [compact]
                obj.extra["Subtype"] = "/CIDFontType0C"
                converted = True
    if converted:
        for obj in pdf.objects:
            # only meaningful for TrueType CIDFonts; a CFF CIDFont maps through its charset
            if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/CIDFontType0":
                obj.pop("CIDToGIDMap", None)


def _chunks(stream: list[Any]) -> list[bytes]:
    return [chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in stream]


def compact_cff(data: bytes) -> bytes | None:
    """The bare CFF of ``data`` with only its non-empty glyphs, CIDs kept; None if not CID-keyed.

    The glyphs' charstrings are copied as they are (WeasyPrint has already dropped hints
    and subroutines), so nothing is decompiled: the charset, the CharStrings INDEX and
    FDSelect are cut down to the glyphs used.
    """
    font = TTFont(io.BytesIO(data), recalcBBoxes=False)
    if "CFF " not in font:
        return None
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS") or not hasattr(top, "FDSelect"):
        return None
    order = font.getGlyphOrder()
    if any(name != ".notdef" and not name.startswith("cid") for name in order):
        return None
    strings = top.CharStrings
    index = strings.charStringsIndex
    offsets = index.offsets  # lengths straight from the INDEX: nothing is decompiled
    used = [0] + [gid for gid in range(1, len(order)) if offsets[gid + 1] - offsets[gid] > 1]
    names = [order[gid] for gid in used]
    selectors = top.FDSelect.gidArray
    items = [index[gid] for gid in used]
    index.items = items
    index.offsets = None
    strings.charStrings = {name: n for n, name in enumerate(names)}
    top.FDSelect.gidArray = [selectors[gid] for gid in used]
    top.charset = names
    font.setGlyphOrder(names)
    cff.fontNames = list(cff.fontNames)
    output = io.BytesIO()
    cff.compile(output, font)
    return output.getvalue()


def merge_cff(programs: list[bytes]) -> bytes:
    """One CID-keyed CFF holding every glyph of ``programs``, compacted subsets of one face.

    A glyph is its CID; its charstring needs no subroutines and is copied as it is, with
    the font dictionary (``FDArray`` entry, found by name) it was drawn with.
    """
    from fontTools.cffLib import CFFFontSet

    glyphs: dict[int, tuple[bytes, str]] = {}
    dicts: dict[str, Any] = {}
    base = None
    for data in programs:
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(data), None)
        top = fonts.topDictIndex[0]
        base = base or fonts
        index = top.CharStrings.charStringsIndex
        selectors = top.FDSelect.gidArray
        for gid, name in enumerate(top.charset):
            fd = top.FDArray[selectors[gid]]
            fd_name = getattr(fd, "FontName", str(selectors[gid]))
            dicts.setdefault(fd_name, fd)
            cid = 0 if name == ".notdef" else int(name[3:])
            glyphs.setdefault(cid, (index[gid], fd_name))
    assert base is not None
    top = base.topDictIndex[0]
    order = sorted(glyphs)
    names = [".notdef" if cid == 0 else f"cid{cid:05d}" for cid in order]
    fd_names = list(dicts)
    top.FDArray.items = [dicts[name] for name in fd_names]
    index = top.CharStrings.charStringsIndex
    index.items = [glyphs[cid][0] for cid in order]
    index.offsets = None
    top.CharStrings.charStrings = {name: n for n, name in enumerate(names)}
    top.FDSelect.gidArray = [fd_names.index(glyphs[cid][1]) for cid in order]
    top.charset = names
    if hasattr(top, "CIDCount"):
        top.CIDCount = max(top.CIDCount, order[-1] + 1)
    holder = TTFont(recalcBBoxes=False)  # what the compiler asks of the font around the CFF
    holder.setGlyphOrder(names)
    output = io.BytesIO()
    base.compile(output, holder)
    return output.getvalue()
