"""Imposition for the copy shop: the A5 handout's pages placed two to a side of A4.

``booklet``: saddle-stitch order. The page count is rounded up to a multiple of four
with blank pages; sheet k (from 0, of N/4) carries pages N−2k and 2k+1 on its front and
2k+2 and N−2k−1 on its back. Each PDF page is one side of a sheet, A4 landscape, so the
file prints duplex, flipped on the short edge, with the back sides not rotated; folded
and stapled, the sheets read in order. ``2up``: two pages a side in reading order.
"""

from __future__ import annotations

import pikepdf

from .pdfdoc import opened, save

#: the file names the impositions are written under
SUFFIX = {"booklet": "booklet", "2up": "2up"}
#: A4 landscape, in points: the sheet the A5 pages are placed on, side by side
SHEET = (841.89, 595.28)


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """The (left, right) page numbers of every side of every sheet; 0 is a blank."""
    total = -(-pages // 4) * 4
    sides = []
    for sheet in range(total // 4):
        sides.append((total - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, total - 2 * sheet - 1))
    return [(left if left <= pages else 0, right if right <= pages else 0) for left, right in sides]


def two_up_order(pages: int) -> list[tuple[int, int]]:
    return [(n, n + 1 if n + 1 <= pages else 0) for n in range(1, pages + 1, 2)]


def impose(pdf: bytes, mode: str) -> bytes:
    """``pdf``'s pages (A5 portrait) two to a side of A4 landscape, in ``mode``'s order.

    Each page is placed whole, as a form XObject (pikepdf's ``add_overlay``): its
    content, fonts and images stay together, as they were laid out.
    """
    with opened(pdf) as source:
        box = source.pages[0].mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        pages = len(source.pages)
        order = booklet_order(pages) if mode == "booklet" else two_up_order(pages)
        sheet_width, sheet_height = max(SHEET[0], 2 * width), max(SHEET[1], height)
        gutter = (sheet_width - 2 * width) / 2  # A5 is a hair narrower than half of A4
        rise = (sheet_height - height) / 2
        imposed = pikepdf.new()
        forms = [imposed.copy_foreign(page.as_form_xobject()) for page in source.pages]
        for left, right in order:
            imposed.add_blank_page(page_size=(sheet_width, sheet_height))
            side = imposed.pages[-1]
            if not (left or right):  # the back of a last sheet: a blank page has no content
                del side.obj["/Contents"]
            for number, offset in ((left, gutter), (right, gutter + width)):
                if number:
                    place = pikepdf.Rectangle(offset, rise, offset + width, rise + height)
                    side.add_overlay(forms[number - 1], place)
        for key, value in source.docinfo.items():
            imposed.docinfo[key] = value
        if "/Lang" in source.Root:
            imposed.Root.Lang = source.Root.Lang
        return save(imposed, version=source.pdf_version)
