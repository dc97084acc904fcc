"""The justified English of a built handout read back from the PDF (pdfplumber, through
:mod:`pdflook`): its paragraphs' lines with where each ends against its column's right
edge, and the words it hyphenates. Used by tests/test_justification.py, and runnable on
any handout to count its short lines: ``python tests/justified.py HANDOUT.pdf``.

A paragraph is found without knowing the HTML: a run of English lines of the original's
type size that start at the column's left edge, one line pitch apart, with no other line
of that column between them (a side-by-side row is cut into its columns). Its last line
is its final one (a paragraph that goes on over the page break ends its run there too:
its last line on the page is not checked, which can only miss a short line, never
invent one). The column's right edge is where most of the
page's English lines end: justified lines all end there."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pdflook import Line, pages

#: the hyphen WeasyPrint draws where it hyphenates (``hyphenate-character``); a hyphen of
#: the text ("post-AGI") is a hyphen-minus
HYPHENS = "\u2010"
#: glyphs further apart than this on one row are in two columns (side by side, the gutter
#: is 5 mm, 14.2 pt; a justified line's widest word space is well under it)
COLUMN_GAP = 10.0


@dataclass(frozen=True)
class Paragraph:
    """One justified English paragraph's lines on one page, and its column's edges."""

    lines: tuple[Line, ...]
    left: float
    right: float

    def short(self, tolerance: float = 3.0) -> list[Line]:
        """The non-final lines that end more than ``tolerance`` pt before the right edge
        (a line without a space, as a long address can fill, has nothing to stretch)."""
        return [
            line for line in self.lines[:-1] if self.right - line.x1 > tolerance and " " in line.text.strip()
        ]


def _font(line: Line) -> str:
    return Counter(c["fontname"] for c in line.chars).most_common(1)[0][0]


def paragraphs(pdf: Path) -> list[Paragraph]:
    """The handout's English paragraphs of text, page by page: lines in the English body
    face, not smaller than 85 % of the body's size (footnotes and captions are ragged)."""
    every = pages(pdf, gap=COLUMN_GAP)
    rules = vertical_rules(pdf)
    found = [line for _, _, page in every for line in page]
    body = Counter(round(line.size, 1) for line in found).most_common(1)[0][0]
    face = Counter(_font(line) for line in found if line.latin).most_common(1)[0][0]
    result: list[Paragraph] = []
    for (_, _, page), beside in zip(every, rules, strict=True):
        english = [
            line
            for line in page
            if line.latin
            and line.size >= 0.85 * body
            and _font(line) == face
            and not any(top < line.bottom and line.top < bottom for top, bottom in beside)
        ]
        for size in {round(line.size, 1) for line in english}:
            sized = [line for line in english if round(line.size, 1) == size]
            if len(sized) < 2:
                continue
            left = Counter(round(line.x0, 1) for line in sized).most_common(1)[0][0]
            right = Counter(round(line.x1, 1) for line in sized).most_common(1)[0][0]
            ours = {id(line) for line in sized if abs(line.x0 - left) < 0.5}
            result.extend(_runs(page, ours, size, left, right))
    return sorted(result, key=lambda p: (p.lines[0].page, p.lines[0].top))


def vertical_rules(pdf: Path) -> list[list[tuple[float, float]]]:
    """Each page's vertical rules (a table's cell borders, a quote's bar): top, bottom. A
    line of text beside one is in a table or a quote, not a paragraph of the text."""
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        return [
            [
                (float(edge["top"]), float(edge["bottom"]))
                for edge in [*page.lines, *page.rects]
                if edge["x1"] - edge["x0"] < 2 and edge["bottom"] - edge["top"] > 4
            ]
            for page in opened.pages
        ]


def _runs(page: list[Line], ours: set[int], size: float, left: float, right: float) -> list[Paragraph]:
    """The runs of a page's lines that make one paragraph each (see the module's doc)."""
    runs: list[list[Line]] = []
    previous: Line | None = None
    pitch = None
    for line in page:
        if id(line) not in ours:
            if line.x0 < right and line.x1 > left:  # another line in this column ends the run
                previous = None
            continue
        gap = line.top - previous.top if previous is not None else None
        if gap is not None and pitch is None and gap < 2 * size:
            pitch = gap  # the first two lines of a run: the line pitch
        if gap is None or pitch is None or abs(gap - pitch) > 0.6:
            runs.append([line])
        else:
            runs[-1].append(line)
        previous = line
    return [Paragraph(tuple(run), left, right) for run in runs]


def hyphenated(found: list[Paragraph]) -> list[tuple[str, str]]:
    """Each word broken at a line end with a hyphen drawn: (before, after) the break."""
    result = []
    for paragraph in found:
        for line, following in zip(paragraph.lines, paragraph.lines[1:], strict=False):
            text = line.text.rstrip()
            if not text.endswith(HYPHENS) or not following.text.strip():
                continue
            before = text[:-1].split()[-1] if text[:-1].split() else ""
            after = following.text.split()[0]
            before = before.lstrip("“‘(\"'[")
            after = after.rstrip(".,;:!?”’)\"']")
            if before.isalpha() and after.isalpha():
                result.append((before, after))
    return result


def main(argv: list[str]) -> None:
    for name in argv:
        found = paragraphs(Path(name))
        short = [(p.right - line.x1, line) for p in found for line in p.short()]
        checked = sum(len(p.lines) - 1 for p in found)
        print(f"{name}: {len(short)} short of {checked} non-final justified English lines")
        for gap, line in short:
            print(f"  p{line.page} {gap:5.1f} pt short: …{line.text[-45:]}")


if __name__ == "__main__":
    main(sys.argv[1:])
