"""Reading a built PDF back as a reader sees it: its lines of glyphs with their positions
(pdfplumber), and the text block the page's margins leave. The layout tests of the
handout (edges, justification, footnotes, pagination) share these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from briefpress.editions.pagenumbers import margins, points
from briefpress.options import Options

#: glyphs whose tops differ by less than this (pt) are on one line
LINE_TOLERANCE = 1.5


@dataclass(frozen=True)
class Line:
    """One line of glyphs on one page: its box in points from the page's top left."""

    page: int  # 1-based
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    chars: tuple[dict, ...] = field(repr=False, compare=False)

    @property
    def latin(self) -> bool:
        """Mostly Latin letters (an English line)."""
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and sum(c.isascii() for c in letters) > 0.8 * len(letters)


@dataclass(frozen=True)
class Block:
    """The text block of a page: the paper less its margins, in points."""

    left: float
    right: float
    top: float
    bottom: float
    width: float
    height: float


def text_block(options: Options, page_width: float, page_height: float, page: int = 1) -> Block:
    """The page's text block for the build ``options`` (with ``--duplex``, mirrored)."""
    box = margins(options)
    left, right = box["left"], box["right"]
    if options.duplex:
        left, right = (box["inside"], box["outside"]) if page % 2 else (box["outside"], box["inside"])
    x0, x1 = _length(left), page_width - _length(right)
    y0, y1 = _length(box["top"]), page_height - _length(box["bottom"])
    return Block(x0, x1, y0, y1, x1 - x0, y1 - y0)


def _length(css: str) -> float:
    """A margin in points, including the ``calc(a + b)`` / ``calc(a - b)`` of --duplex."""
    if css.startswith("calc("):
        a, sign, b = css[5:-1].split()
        return points(a) + points(b) * (1 if sign == "+" else -1)
    return points(css)


#: the grey of the paragraph numbers (¶N) in the handout's margin (styles/print.css),
#: which are outside the text block by design
PAIR_NUMBER_GREY = (0.54902, 0.54902, 0.54902)


def is_pair_number(char: dict) -> bool:
    """Whether a glyph belongs to a paragraph number in the margin (by its grey)."""
    colour = tuple(char.get("non_stroking_color") or ())
    return len(colour) == 3 and all(abs(a - b) < 0.002 for a, b in zip(colour, PAIR_NUMBER_GREY, strict=True))


def pages(
    pdf_path: Path, numbers: bool = False, gap: float | None = None
) -> list[tuple[float, float, list[Line]]]:
    """Each page's width, height and lines, top to bottom (each line's glyphs left to right;
    glyphs in the footer and running title included, as they are on the page). The
    paragraph numbers in the margin are left out, or with ``numbers`` are all there is.
    With ``gap``, a row is split where two glyphs stand more than ``gap`` pt apart: the
    columns of a side-by-side page are lines of their own."""
    import pdfplumber

    result = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[float, list[dict]] = defaultdict(list)
            chars = [c for c in page.chars if is_pair_number(c) == numbers]
            for char in sorted(chars, key=lambda c: c["top"]):
                top = next((t for t in rows if abs(t - char["top"]) < LINE_TOLERANCE), char["top"])
                rows[top].append(char)
            lines = []
            for top in sorted(rows):
                for row in _columns(sorted(rows[top], key=lambda c: c["x0"]), gap):
                    lines.append(
                        Line(
                            page=number,
                            top=min(c["top"] for c in row),
                            bottom=max(c["bottom"] for c in row),
                            x0=row[0]["x0"],
                            x1=max(c["x1"] for c in row),
                            text="".join(c["text"] for c in row),
                            size=max(c["size"] for c in row),
                            chars=row,
                        )
                    )
            result.append((float(page.width), float(page.height), lines))
    return result


def _columns(chars: list[dict], gap: float | None) -> list[tuple[dict, ...]]:
    """A row's glyphs, left to right, cut where the space between two exceeds ``gap``."""
    parts: list[list[dict]] = []
    for char in chars:
        if parts and (gap is None or char["x0"] - max(c["x1"] for c in parts[-1]) <= gap):
            parts[-1].append(char)
        else:
            parts.append([char])
    return [tuple(part) for part in parts]


def lines(pdf_path: Path) -> list[Line]:
    """Every line of the PDF, page by page."""
    return [line for _, _, found in pages(pdf_path) for line in found]
