"""Justified Chinese in WeasyPrint 70: space between the characters, not only at spaces.

WeasyPrint justifies a line by widening its spaces only (``layout/inline.py``:
``count_expandable_spaces`` counts ' ' and no-break spaces, ``Layout.set_text`` adds
Pango letter-spacing at them), so Chinese, which has no spaces, cannot be justified and
the handout sets it ragged. CSS Text 3 justifies Chinese *inter-character*: every gap
next to a Chinese character is a justification opportunity.

This module teaches WeasyPrint that, for text whose language is Chinese (``lang="zh…"``):
each Chinese character (ideographs, kana, full-width punctuation) of a justified line is
an opportunity, and at drawing time each gets the line's extra spacing as a Pango
letter-spacing attribute on that character. No character is added to the text: the
PDF's text layer (copy-paste, ``pdftotext``) is what it was; only glyph positions move.

Pango gives a spaced character half its spacing before it and half after, and drops the
outer halves at the edges of a text box: the gaps between a box's characters each widen
by one share, and the line's last glyph still ends at the right margin. A line that
would need more than :data:`MAX_SPACING` per gap is left ragged.

It relies on WeasyPrint 70's internals (the project pins ``weasyprint>=70,<71``);
:func:`install` checks that they are there and leaves WeasyPrint as it was otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from ..cjk import HAN_RANGES, SHARED_PUNCTUATION, re_class

#: the characters that take a share of a justified line: Chinese characters and
#: punctuation (:data:`~briefpress.cjk.HAN_RANGES`), the quotes and dashes Chinese sets
#: full-width, and kana, which a Chinese text may quote
CJK = re.compile(f"[{re_class(HAN_RANGES, SHARED_PUNCTUATION, ((0x3040, 0x30FF),))}]")

#: the most a gap between two Chinese characters may widen, in em: a line that would need
#: more is set ragged, because text extraction (pdftotext, copy-paste) starts reading wide
#: gaps as spaces, and stretching only its spaces would tear the line apart
MAX_SPACING = 0.1

_installed = False


def _chinese(style: Any) -> bool:
    lang = style["lang"] or ""
    return lang.lower().startswith("zh")


def spaced(text: str) -> list[tuple[int, int]]:
    """The characters of a text box that take a share of the line's spacing: (start, end)."""
    return [m.span() for m in CJK.finditer(text)]


def opportunities(text: str) -> float:
    """How many shares of the spacing a text box takes as Pango sets them: Pango gives a
    spaced character half its spacing before and half after, and drops the outer half at
    the box's first and last character, so the shares are the gaps between characters."""
    found = spaced(text)
    total = float(len(found))
    if found and found[0][0] == 0:
        total -= 0.5
    if found and found[-1][1] == len(text):
        total -= 0.5
    return total


def install() -> bool:
    """Patch WeasyPrint's justification once; False when its internals are not as expected."""
    global _installed
    if _installed:
        return True
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import inline
        from weasyprint.text import line_break
        from weasyprint.text.ffi import ffi, pango

        original_count = inline.count_expandable_spaces
        original_justify = inline.justify_line
        original_add = inline.add_word_spacing
        original_set_text = line_break.Layout.set_text
        to_units = line_break.TO_UNITS
    except (ImportError, AttributeError):
        return False

    def count_expandable_spaces(box: Any) -> float:
        if isinstance(box, boxes.TextBox) and _chinese(box.style):
            return original_count(box) + opportunities(box.text)
        return original_count(box)

    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        count = count_expandable_spaces(line)
        if count and extra_width / count > MAX_SPACING * line.style["font_size"]:
            return  # too loose: the line is set ragged, as a short last line is
        original_justify(context, line, extra_width)

    def add_word_spacing(context: Any, box: Any, spacing: float, x_advance: float) -> float:
        result = original_add(context, box, spacing, x_advance)
        layout = getattr(box, "pango_layout", None)
        if isinstance(box, boxes.TextBox) and layout is not None:
            layout.bp_cjk = _chinese(box.style)
        return result

    inline.count_expandable_spaces = count_expandable_spaces
    inline.justify_line = justify_line
    inline.add_word_spacing = add_word_spacing
    line_break.Layout.set_text = _spacing_set_text(original_set_text, ffi, pango, to_units)
    _installed = True
    return True


def _spacing_set_text(original_set_text: Any, ffi: Any, pango: Any, to_units: float) -> Any:
    """``Layout.set_text`` that also gives each Chinese character of a justified Chinese
    line the line's spacing, as a Pango letter-spacing attribute."""

    def set_text(self: Any, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        if not (justify and self.justification_spacing and getattr(self, "bp_cjk", False)):
            return
        found = spaced(self.text)
        if not found:
            return
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        unit = self.justification_spacing * to_units
        for start, end in found:
            attr = pango.pango_attr_letter_spacing_new(int(unit))
            attr.start_index = len(self.text[:start].encode())
            attr.end_index = len(self.text[:end].encode())
            pango.pango_attr_list_change(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)

    return set_text
