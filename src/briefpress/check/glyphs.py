"""Glyph integrity: every glyph a PDF's pages draw is in the font program embedded for it.

Text extraction passes on a PDF that prints boxes: the codes and their ``ToUnicode``
text are there, the outlines are not. So this reads what a renderer reads. It follows
every content stream (pages, their form XObjects and patterns, annotation appearances)
with the graphics state's font, decodes each shown string through the font's encoding
to CIDs and glyphs, and looks each glyph up in the embedded program with fontTools: it
must exist, and have an outline unless its text is white space. A glyph drawn as
``.notdef`` is a box on paper: allowed only for the characters the caller names (those
no font has, which the build warned about). And no two different programs may share a
font name (ISO 32000-1, 9.6.4: a subset's tag names that subset).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pikepdf

from ..editions.pdfcmap import read_cid_map, read_to_unicode

#: Type 2 charstring operators that draw: a glyph without one of them has no outline
_DRAWING = frozenset(
    ["rlineto", "hlineto", "vlineto", "rrcurveto", "hhcurveto", "hvcurveto", "vhcurveto", "vvcurveto"]
    + ["rcurveline", "rlinecurve", "flex", "hflex", "hflex1", "flex1"]
)
#: text operators and the operand that holds the string(s) they show
_SHOW = {"Tj": 0, "'": 0, '"': 2, "TJ": 0}


@dataclass
class Problem:
    """One finding: the page (from 1), the font's name and what is wrong."""

    page: int
    font: str
    detail: str

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        return f"{where}{self.font}: {self.detail}"


@dataclass
class Font:
    """A font dictionary as the glyph check needs it: how codes become glyphs, and the glyphs."""

    obj: Any
    name: str = ""
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = str(self.obj.get("/BaseFont", "(unnamed)")).lstrip("/")
        self.type0 = self.obj.get("/Subtype") == "/Type0"
        self.descendant = self.obj.DescendantFonts[0] if self.type0 else self.obj
        self.descriptor = self.descendant.get("/FontDescriptor")

    # -- codes -> CIDs (Type 0) or character codes (simple fonts) ------------------------

    def codes(self, data: bytes) -> list[int]:
        if not self.type0:
            return list(data)
        return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]

    @cached_property
    def cmap(self) -> dict[int, int] | None:
        """code -> CID for a Type 0 font with an embedded CMap; None for Identity-H/V."""
        encoding = self.obj.get("/Encoding")
        if isinstance(encoding, pikepdf.Stream):
            return read_cid_map(encoding.read_bytes())
        if str(encoding) not in ("/Identity-H", "/Identity-V"):
            self.problems.append(f"unsupported encoding {encoding} (not checked)")
        return None

    def cid(self, code: int) -> int:
        if not self.type0 or self.cmap is None:
            return code
        return self.cmap.get(code, 0)  # a code the CMap does not map draws .notdef

    @cached_property
    def text(self) -> dict[int, str]:
        stream = self.obj.get("/ToUnicode")
        return read_to_unicode(stream.read_bytes()) if isinstance(stream, pikepdf.Stream) else {}

    # -- the program ---------------------------------------------------------------------

    @cached_property
    def program(self) -> tuple[str, pikepdf.Stream | None]:
        if self.descriptor is None:
            return "none", None
        for key in ("/FontFile2", "/FontFile3", "/FontFile"):
            if key in self.descriptor:
                return key, self.descriptor[key]
        return "none", None

    @cached_property
    def digest(self) -> str | None:
        stream = self.program[1]
        return hashlib.sha256(stream.read_bytes()).hexdigest() if stream is not None else None

    @cached_property
    def glyphs(self) -> Glyphs | None:
        """The embedded program's glyphs; None when it cannot be read (a finding of its own)."""
        kind, stream = self.program
        if stream is None:
            return None
        try:
            return Glyphs(
                stream.read_bytes(), bare_cff=kind == "/FontFile3" and stream.get("/Subtype") != "/OpenType"
            )
        except Exception as exc:  # a program fontTools cannot read is itself a finding
            self.problems.append(f"the embedded program cannot be read: {type(exc).__name__}: {exc}")
            return None

    def glyph(self, code: int) -> int | None:
        """The glyph (CID in a CFF CIDFont, else glyph id) drawn for ``code``; None: none is found."""
        if not self.type0:
            return self._simple_cmap.get(code) if self.program[0] == "/FontFile2" else code
        cid = self.cid(code)
        gid_map = self.descendant.get("/CIDToGIDMap")
        if self.descendant.get("/Subtype") == "/CIDFontType2" and isinstance(gid_map, pikepdf.Stream):
            table = gid_map.read_bytes()
            return int.from_bytes(table[2 * cid : 2 * cid + 2], "big") if 2 * cid + 1 < len(table) else 0
        return cid

    @cached_property
    def _simple_cmap(self) -> dict[int, int]:
        """For a simple TrueType font: character code -> glyph id, as viewers find it."""
        from fontTools.ttLib import TTFont

        stream = self.program[1]
        if stream is None:
            return {}
        font = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
        ids = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        cmap = font.getBestCmap() or {}
        winansi = str(self.obj.get("/Encoding", "")) == "/WinAnsiEncoding"
        mapping = {}
        for code in range(256):
            char = bytes([code]).decode("cp1252", "replace") if winansi else chr(code)
            if ord(char) in cmap:
                mapping[code] = ids[cmap[ord(char)]]
        return mapping


class Glyphs:
    """The glyphs of an embedded program: which exist, and (read when asked) which draw."""

    def __init__(self, data: bytes, bare_cff: bool):
        from fontTools.cffLib import CFFFontSet
        from fontTools.ttLib import TTFont

        self.glyf = None
        if bare_cff:
            fonts = CFFFontSet()
            fonts.decompile(io.BytesIO(data), None)
            self._cff(fonts)
            return
        font = TTFont(io.BytesIO(data), lazy=True)
        if "glyf" in font:
            self.glyf = font["glyf"]
            self.names = dict(enumerate(font.getGlyphOrder()))
        elif "CFF " in font:
            self._cff(font["CFF "].cff)
        else:
            self.names = dict(enumerate(font.getGlyphOrder()))
            self.strings = None

    def _cff(self, fonts) -> None:
        top = fonts.topDictIndex[0]
        self.strings = top.CharStrings
        if hasattr(top, "ROS"):  # CID-keyed: a glyph is found by its CID, through the charset
            self.names = {0 if name == ".notdef" else int(name[3:]): name for name in top.charset}
        else:
            self.names = dict(enumerate(top.charset))

    def __contains__(self, glyph: int) -> bool:
        return glyph in self.names

    def draws(self, glyph: int) -> bool:
        name = self.names[glyph]
        if self.glyf is not None:
            return self.glyf[name].numberOfContours != 0
        if self.strings is None:
            return True
        charstring = self.strings[name]
        charstring.decompile()
        program = charstring.program
        if any(isinstance(token, str) and token in _DRAWING for token in program):
            return True
        # an accented glyph made of two others: endchar with their codes (as seac did)
        end = program.index("endchar") if "endchar" in program else 0
        return end >= 4 and all(not isinstance(token, str) for token in program[end - 4 : end])


# -- walking the content streams ------------------------------------------------------------


@dataclass
class _Walk:
    fonts: dict[tuple[int, int], Font] = field(default_factory=dict)
    #: (page, font key) -> codes drawn there
    drawn: dict[tuple[int, tuple[int, int]], set[int]] = field(default_factory=dict)
    seen_forms: set[tuple[int, int]] = field(default_factory=set)

    def font(self, obj: Any) -> tuple[int, int]:
        key = obj.objgen if obj.is_indirect else (id(obj), -1)
        if key not in self.fonts:
            self.fonts[key] = Font(obj)
        return key

    def stream(self, page: int, content: Any, resources: Any) -> None:
        resources = resources if resources is not None else pikepdf.Dictionary()
        fonts = resources.get("/Font", pikepdf.Dictionary())
        stack: list[tuple[int, int] | None] = []
        current: tuple[int, int] | None = None
        for instruction in pikepdf.parse_content_stream(content, "Tf Tj TJ ' \" Do q Q"):
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(current)
            elif op == "Q":
                current = stack.pop() if stack else current
            elif op == "Tf":
                font = fonts.get(str(operands[0]))
                current = self.font(font) if font is not None else None
            elif op == "Do":
                self.xobject(page, resources, operands[0])
            elif op in _SHOW and current is not None:
                shown = operands[_SHOW[op]]
                items = list(shown) if isinstance(shown, pikepdf.Array) else [shown]
                codes = self.drawn.setdefault((page, current), set())
                for item in items:
                    if isinstance(item, pikepdf.String):
                        codes.update(self.fonts[current].codes(bytes(item)))

    def xobject(self, page: int, resources: Any, name: Any) -> None:
        xobject = resources.get("/XObject", pikepdf.Dictionary()).get(str(name))
        if xobject is None or xobject.get("/Subtype") != "/Form" or xobject.objgen in self.seen_forms:
            return
        self.seen_forms.add(xobject.objgen)
        self.stream(page, xobject, xobject.get("/Resources", resources))

    def page(self, number: int, page: pikepdf.Page) -> None:
        self.seen_forms = set()
        resources = page.obj.get("/Resources")
        self.stream(number, page.obj, resources)
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            appearance = annotation.get("/AP", pikepdf.Dictionary()).get("/N")
            if isinstance(appearance, pikepdf.Stream):
                self.stream(number, appearance, appearance.get("/Resources", resources))
        for pattern in (resources or pikepdf.Dictionary()).get("/Pattern", pikepdf.Dictionary()).values():
            if isinstance(pattern, pikepdf.Stream) and pattern.get("/PatternType") == 1:
                self.stream(number, pattern, pattern.get("/Resources"))


def glyph_problems(
    pdf: bytes | str | Any, boxes_allowed: frozenset[str] | set[str] = frozenset()
) -> list[Problem]:
    """What is wrong with the glyphs of ``pdf`` (bytes or a path); [] when every one is right.

    ``boxes_allowed``: characters that may be drawn as ``.notdef`` (no font has them).
    """
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    with pikepdf.open(source) as document:
        walk = _Walk()
        for number, page in enumerate(document.pages, start=1):
            walk.page(number, page)
        problems = _drawn_problems(walk, set(boxes_allowed))
        problems += _name_problems(list(walk.fonts.values()))
        for font in walk.fonts.values():
            problems += [Problem(0, font.name, detail) for detail in dict.fromkeys(font.problems)]
    return problems


def _drawn_problems(walk: _Walk, boxes_allowed: set[str]) -> list[Problem]:
    problems = []
    for (page, key), codes in sorted(walk.drawn.items(), key=lambda item: item[0][0]):
        font = walk.fonts[key]
        if font.program[1] is None:
            problems.append(Problem(page, font.name, "is not embedded"))
            continue
        glyphs = font.glyphs
        if glyphs is None:
            continue
        absent, empty, boxes = [], [], []
        for code in sorted(codes):
            text = font.text.get(code)
            glyph = font.glyph(code)
            if glyph == 0:
                if not (text and set(text) <= boxes_allowed):
                    boxes.append(_shown(code, text))
            elif glyph is None or glyph not in glyphs:
                absent.append(_shown(code, text))
            elif not (text is not None and _blank(text)) and not glyphs.draws(glyph):
                empty.append(_shown(code, text))
        for label, items in (("absent from the program", absent), ("without an outline", empty)):
            if items:
                problems.append(Problem(page, font.name, f"{len(items)} glyph(s) {label}: {_list(items)}"))
        if boxes:
            problems.append(
                Problem(page, font.name, f"{len(boxes)} code(s) drawn as .notdef: {_list(boxes)}")
            )
    return problems


def _blank(text: str) -> bool:
    return all(ch.isspace() or ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad" for ch in text)


def _shown(code: int, text: str | None) -> str:
    return f"{code:04x}" + (f" {text!r}" if text is not None else "")


def _list(items: list[str]) -> str:
    return ", ".join(items[:8]) + (f" and {len(items) - 8} more" if len(items) > 8 else "")


def _name_problems(fonts: list[Font]) -> list[Problem]:
    """Font names given to more than one different program."""
    programs: dict[str, set[str]] = {}
    for font in fonts:
        if font.digest is not None and font.descriptor is not None:
            programs.setdefault(str(font.descriptor.get("/FontName", font.name)).lstrip("/"), set()).add(
                font.digest
            )
    return [
        Problem(0, name, f"{len(digests)} different font programs share this name")
        for name, digests in sorted(programs.items())
        if len(digests) > 1
    ]
