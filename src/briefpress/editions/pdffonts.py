"""The fonts of briefpress's PDFs: compact, named for what they hold, one per face in a digest.

WeasyPrint subsets fonts but keeps every glyph id up to the highest one used, so that its
content streams can keep the font's own glyph ids. For CJK fonts that is tens of
thousands of empty glyphs, and in a CFF font each still costs an offset that does not
compress: about 90 KB per font. CJK OpenType fonts are CID-keyed, and a PDF viewer finds
a CID-keyed CFF glyph through the font's charset, not its position (ISO 32000-1,
9.7.4.2), so such a font is cut down to the glyphs the pages draw, keeping their CIDs,
and embedded as bare CFF (``/CIDFontType0C``).

Three rules keep every glyph a page draws in the program embedded for it:

- *What is drawn is read, never guessed.* The glyphs kept are those of the font's
  ``/W``, where WeasyPrint records every glyph it draws; an empty charstring is not an
  unused one (a space is drawn and has no outline).
- *A program is named by its content.* Its subset tag is a hash of the program, so two
  different programs never share a name (ISO 32000-1, 9.6.4) and identical ones do.
- *Fonts merge only where that is provably right.* A digest's chapters each embed a
  subset of the same faces; they become one font when they are CID-keyed CFF subsets of
  one face (same font name, registry and ordering, same private dictionaries) that agree
  wherever they overlap: the same charstring for each CID, the same width, text and CID
  for each code. Any disagreement keeps them apart, under their own names.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from .pdfcmap import read_cid_map, read_to_unicode, read_widths, write_cid_map, write_to_unicode

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
#: a pikepdf dictionary (its stubs type every value as a bare Object, so this is loose)
Dict = Any


def content_tag(data: bytes) -> str:
    """A subset tag (six capital letters) that names ``data``."""
    return "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])


def fonts(pdf: pikepdf.Pdf) -> Iterator[Dict]:
    """Every font dictionary of ``pdf`` that a page can name (not the CIDFonts inside Type 0 ones)."""
    for obj in pdf.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/Font"
            and obj.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2")
        ):
            yield obj


def _descendant(font: Dict) -> Dict:
    return font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font


def _program(font: Dict) -> tuple[Dict | None, str | None]:
    descriptor = _descendant(font).get("/FontDescriptor")
    if descriptor is None:
        return None, None
    return descriptor, next((key for key in _FONT_FILES if key in descriptor), None)


# -- one document: compact, then name by content -----------------------------------------


def finish(pdf: pikepdf.Pdf) -> None:
    """A document WeasyPrint just wrote: its CID-keyed CFF fonts cut down to the glyphs its
    pages draw, and every font program named by its content."""
    for font in list(fonts(pdf)):
        if font.get("/Subtype") == "/Type0" and _descendant(font).get("/Subtype") == "/CIDFontType0":
            compact_font(font)
    name_by_content(pdf)


def compact_font(font: Dict) -> None:
    descriptor, key = _program(font)
    if descriptor is None or key != "/FontFile3":
        return
    stream = descriptor.FontFile3
    if stream.get("/Subtype") != "/OpenType":
        return
    drawn = set(read_widths(_descendant(font).get("/W", pikepdf.Array())))
    compact = compact_cff(stream.read_bytes(), drawn | {0})
    if compact is None:
        return  # not CID-keyed: left as WeasyPrint wrote it
    stream.write(compact)
    stream.Subtype = pikepdf.Name.CIDFontType0C
    # only meaningful for TrueType CIDFonts; a CFF CIDFont maps through its charset
    if "/CIDToGIDMap" in _descendant(font):
        del _descendant(font)["/CIDToGIDMap"]


def _cid(name: str) -> int:
    return 0 if name == ".notdef" else int(name[3:])


def compact_cff(data: bytes, keep: set[int]) -> bytes | None:
    """The bare CFF of the OpenType ``data`` with only the glyphs whose CIDs are in ``keep``
    (those the pages draw), CIDs kept; None if it is not CID-keyed.

    The glyphs' charstrings are copied as they are (WeasyPrint has already dropped hints
    and subroutines), so nothing is decompiled: the charset, the CharStrings INDEX and
    FDSelect are cut down to the glyphs kept.
    """
    font = TTFont(io.BytesIO(data), recalcBBoxes=False)
    if "CFF " not in font:
        return None
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS") or not hasattr(top, "FDSelect"):
        return None
    strings = top.CharStrings
    gids = strings.charStrings  # glyph name -> glyph id; a CID-keyed font's names are its CIDs
    used = sorted({0} | {gids[name] for name in (f"cid{cid:05d}" for cid in keep if cid) if name in gids})
    order = font.getGlyphOrder()
    names = [order[gid] for gid in used]
    index = strings.charStringsIndex
    selectors = top.FDSelect.gidArray
    index.items = [index[gid] for gid in used]
    index.offsets = None
    strings.charStrings = {name: n for n, name in enumerate(names)}
    top.FDSelect.gidArray = [selectors[gid] for gid in used]
    top.charset = names
    font.setGlyphOrder(names)
    cff.fontNames = list(cff.fontNames)
    output = io.BytesIO()
    cff.compile(output, font)
    return output.getvalue()


def name_by_content(pdf: pikepdf.Pdf) -> None:
    """Each embedded program's fonts named ``TAG+Face``, the tag a hash of the program."""
    for font in fonts(pdf):
        descriptor, key = _program(font)
        if descriptor is None or key is None:
            continue
        face = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
        name = pikepdf.Name(f"/{content_tag(descriptor[key].read_bytes())}+{face}")
        font.BaseFont = name
        _descendant(font).BaseFont = name
        descriptor.FontName = name


# -- several documents in one: one font per face, where provably right --------------------


@dataclass
class _Subset:
    """One CID-keyed CFF font of the document, read for merging."""

    font: Dict
    cff: Any  # the CFFFontSet
    glyphs: dict[int, tuple[bytes, str]]  # CID -> (charstring bytes, FD name)
    privates: dict[str, bytes]  # FD name -> its private dictionary, as compared
    widths: dict[int, float]
    text: dict[int, str]
    codes: dict[int, int]  # code -> CID


@dataclass
class _Union:
    """Subsets found to agree: what the merged font will hold."""

    members: list[_Subset] = field(default_factory=list)
    glyphs: dict[int, tuple[bytes, str]] = field(default_factory=dict)
    privates: dict[str, bytes] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    text: dict[int, str] = field(default_factory=dict)
    codes: dict[int, int] = field(default_factory=dict)

    def _pairs(self, subset: _Subset) -> list[tuple[dict, dict]]:
        names = ("glyphs", "privates", "widths", "text", "codes")
        return [(getattr(self, name), getattr(subset, name)) for name in names]

    def admits(self, subset: _Subset) -> bool:
        """Whether ``subset`` agrees with every member wherever they overlap."""
        return all(_agree(mine, theirs) for mine, theirs in self._pairs(subset))

    def add(self, subset: _Subset) -> None:
        self.members.append(subset)
        for mine, theirs in self._pairs(subset):
            mine.update(theirs)


def _agree(mine: dict, theirs: dict) -> bool:
    small, large = (mine, theirs) if len(mine) < len(theirs) else (theirs, mine)
    return all(large.get(key, value) == value for key, value in small.items())


def _read_subset(font: Dict) -> _Subset | None:
    descriptor, key = _program(font)
    if descriptor is None or key != "/FontFile3" or descriptor.FontFile3.get("/Subtype") != "/CIDFontType0C":
        return None
    data = descriptor.FontFile3.read_bytes()
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS") or not hasattr(top, "FDSelect"):
        return None
    index, selectors = top.CharStrings.charStringsIndex, top.FDSelect.gidArray
    privates, fd_names = {}, []
    for fd in top.FDArray:
        if not hasattr(fd, "FontName"):
            return None  # a font dictionary that cannot be told apart from another
        fd_names.append(fd.FontName)
        private = {k: v for k, v in fd.Private.rawDict.items() if k != "Subrs"}
        privates[fd.FontName] = repr(sorted(private.items())).encode()
    # each charstring's bytes, straight from the INDEX (not one object per glyph)
    start, offsets = index.offsetBase, index.offsets
    glyphs = {
        _cid(name): (data[start + offsets[gid] : start + offsets[gid + 1]], fd_names[selectors[gid]])
        for gid, name in enumerate(top.charset)
    }
    widths = read_widths(_descendant(font).get("/W", pikepdf.Array()))
    encoding = font.get("/Encoding")
    codes = (
        read_cid_map(encoding.read_bytes())
        if isinstance(encoding, pikepdf.Stream)
        else {c: c for c in widths}
    )
    unicode = font.get("/ToUnicode")
    text = read_to_unicode(unicode.read_bytes()) if isinstance(unicode, pikepdf.Stream) else {}
    return _Subset(font, cff, glyphs, privates, widths, text, codes)


def _face(font: Dict, subset: _Subset) -> tuple[str, ...]:
    top = subset.cff.topDictIndex[0]
    registry, ordering, _ = top.ROS
    return (str(font.BaseFont).split("+", 1)[-1], subset.cff.fontNames[0], registry, ordering)


def merge_faces(pdf: pikepdf.Pdf) -> None:
    """Replace the subsets of each CJK face that agree by one font holding all their glyphs,
    then store identical font programs once."""
    faces: dict[tuple[str, ...], list[_Union]] = {}
    for font in list(fonts(pdf)):
        if font.get("/Subtype") != "/Type0":
            continue
        subset = _read_subset(font)
        if subset is None:
            continue
        unions = faces.setdefault(_face(font, subset), [])
        union = next((u for u in unions if u.admits(subset)), None)
        if union is None:
            union = _Union()
            unions.append(union)
        union.add(subset)
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for unions in faces.values():
        for union in unions:
            if len(union.members) > 1:
                merged = _merged_font(pdf, union)
                replaced.update({member.font.objgen: merged for member in union.members})
    if replaced:
        _replace_fonts(pdf, replaced)
    share_programs(pdf)


def _merged_font(pdf: pikepdf.Pdf, union: _Union) -> pikepdf.Object:
    first = union.members[0]
    cff = _merged_cff(union)
    face = str(first.font.BaseFont).split("+", 1)[-1]
    name = pikepdf.Name(f"/{content_tag(cff)}+{face}")
    program = pikepdf.Stream(pdf, cff)
    program.Subtype = pikepdf.Name.CIDFontType0C
    descriptor = _copy(_descendant(first.font).FontDescriptor)
    descriptor.FontName = name
    descriptor.FontFile3 = pdf.make_indirect(program)
    if "/CIDSet" in descriptor:
        del descriptor["/CIDSet"]  # optional, and it would list one chapter's glyphs
    descendant = _copy(_descendant(first.font))
    descendant.BaseFont = name
    descendant.FontDescriptor = pdf.make_indirect(descriptor)
    descendant.W = pikepdf.Array(
        [item for cid in sorted(union.widths) for item in (cid, [union.widths[cid]])]
    )
    font = _copy(first.font)
    font.BaseFont = name
    font.DescendantFonts = pikepdf.Array([pdf.make_indirect(descendant)])
    font.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, write_to_unicode(union.text)))
    if all(code == cid for code, cid in union.codes.items()):
        font.Encoding = pikepdf.Name("/Identity-H")
    else:
        cmap = pikepdf.Stream(pdf, write_cid_map(union.codes, "BP-Encoding"))
        cmap.Type = pikepdf.Name.CMap
        cmap.CMapName = pikepdf.Name("/BP-Encoding")
        cmap.CIDSystemInfo = pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        )
        font.Encoding = pdf.make_indirect(cmap)
    return pdf.make_indirect(font)


def _copy(obj: Dict) -> Dict:
    """A direct copy of a dictionary (its values still refer to the same objects)."""
    return pikepdf.Dictionary({key: obj[key] for key in obj.keys()})  # noqa: SIM118 (not a dict)


def _merged_cff(union: _Union) -> bytes:
    """One CID-keyed CFF holding every glyph of the union, each with its font dictionary.

    A glyph is its CID; its charstring needs no subroutines and is copied as it is, with
    the font dictionary (``FDArray`` entry, found by name) it was drawn with.
    """
    base = union.members[0].cff
    top = base.topDictIndex[0]
    dicts: dict[str, Any] = {}
    for member in union.members:
        for fd in member.cff.topDictIndex[0].FDArray:
            dicts.setdefault(fd.FontName, fd)
    order = sorted(union.glyphs)
    names = [".notdef" if cid == 0 else f"cid{cid:05d}" for cid in order]
    fd_names = list(dicts)
    top.FDArray.items = [dicts[name] for name in fd_names]
    index = top.CharStrings.charStringsIndex
    index.items = [_charstring(union.glyphs[cid][0], top) for cid in order]
    index.offsets = None
    top.CharStrings.charStrings = {name: n for n, name in enumerate(names)}
    top.FDSelect.gidArray = [fd_names.index(union.glyphs[cid][1]) for cid in order]
    top.charset = names
    if hasattr(top, "CIDCount"):
        top.CIDCount = max(top.CIDCount, order[-1] + 1)
    holder = TTFont(recalcBBoxes=False)  # what the compiler asks of the font around the CFF
    holder.setGlyphOrder(names)
    output = io.BytesIO()
    base.compile(output, holder)
    return output.getvalue()


def _charstring(bytecode: bytes, top: Any) -> Any:
    from fontTools.misc.psCharStrings import T2CharString

    return T2CharString(bytecode=bytecode, private=None, globalSubrs=top.GlobalSubrs)


def resource_dictionaries(pdf: pikepdf.Pdf) -> Iterator[Dict]:
    """Every ``/Font`` resource dictionary: of pages, form XObjects, patterns, appearances."""
    seen = set()
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        for resources in (obj.get("/Resources"), obj if "/Font" in obj and "/Type" not in obj else None):
            if not isinstance(resources, pikepdf.Dictionary):
                continue
            table = resources.get("/Font")
            if isinstance(table, pikepdf.Dictionary):
                key = table.objgen if table.is_indirect else id(table)
                if key not in seen:
                    seen.add(key)
                    yield table


def _replace_fonts(pdf: pikepdf.Pdf, replaced: dict[tuple[int, int], pikepdf.Object]) -> None:
    for table in resource_dictionaries(pdf):
        for key in list(table.keys()):
            font = table[key]
            if font.is_indirect and font.objgen in replaced:
                table[key] = replaced[font.objgen]


def share_programs(pdf: pikepdf.Pdf) -> None:
    """Byte-identical font programs (one per chapter of a digest) stored once."""
    first: dict[bytes, pikepdf.Object] = {}
    for obj in list(pdf.objects):
        if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"):
            continue
        for key in _FONT_FILES:
            if key in obj:
                program = obj[key]
                digest = hashlib.sha256(program.read_bytes() + repr(sorted(program.keys())).encode()).digest()
                kept = first.setdefault(digest, program)
                if kept.objgen != program.objgen:
                    obj[key] = kept
