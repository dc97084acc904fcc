"""Justified Chinese in WeasyPrint 70: space between the characters, not only at spaces,
inside briefpress's own layouts only (:func:`justified`).

WeasyPrint justifies a line by widening its spaces only (``layout/inline.py``:
``count_expandable_spaces`` counts ' ' and no-break spaces, ``Layout.set_text`` adds
Pango letter-spacing at them), so Chinese, which has no spaces, cannot be justified and
the handout sets it ragged. CSS Text 3 justifies Chinese *inter-character*: every gap
next to a Chinese character is a justification opportunity.

This module teaches WeasyPrint that, for text whose language is Chinese (``lang="zh…"``):
each Chinese character (ideographs, kana, full-width punctuation) of a justified line is
an opportunity, and at drawing time each gets the line's extra spacing as a Pango
letter-spacing attribute on that character, on top of its CSS ``letter-spacing``. No
character is added to the text: the PDF's text layer (copy-paste, ``pdftotext``) is what
it was; only glyph positions move.

Pango gives a spaced character half its spacing before it and half after, and drops the
outer halves at the edges of a text box: the gaps between a box's characters each widen
by one share, and the line's last glyph still ends at the right margin. A line with
Chinese in it that would need more than :data:`MAX_SPACING` per gap is left ragged; a
line without is justified as WeasyPrint justifies it (the limit once applied to English
lines too, and left 28-44 % of the handout's English lines 5-12 mm short).

The scope (:mod:`.scoped`, shared with :mod:`.pdfnotes`): four WeasyPrint functions are
replaced when the first :func:`justified` block of the process starts and put back when
the last one ends, and even while they are replaced they do what WeasyPrint does unless
the calling thread (or task) is inside such a block, so a program that uses briefpress
and lays out its own documents, in another thread or after a build, gets WeasyPrint's
own justification. The patch relies on WeasyPrint 70's internals (the project pins
``weasyprint>=70,<71``): :func:`problem` checks them once per process, before the first
layout (their signatures, then one small justified paragraph laid out and measured), and
when they are not as expected Chinese is set ragged, with one warning, rather than
failing while a page is drawn.

Upstream: WeasyPrint justifies at spaces only and has no ``text-justify`` (its
maintainer in https://github.com/Kozea/WeasyPrint/issues/2269: "we don't have to support
all justification opportunities as we don't support text-justify"; ``justify_line``:
"We should use a better algorithm here"). The change to propose there: count CSS Text 3's
justification opportunities for ``text-justify: inter-character`` (or ``auto`` in
Chinese) in ``count_expandable_spaces`` and space them in ``Layout.set_text``, as this
module does; it goes away when WeasyPrint does that.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..cjk import HAN_RANGES, SHARED_PUNCTUATION, re_class
from .scoped import Patch, Scoped

#: the characters that take a share of a justified line: Chinese characters and
#: punctuation (:data:`~briefpress.cjk.HAN_RANGES`), the quotes and dashes Chinese sets
#: full-width, and kana, which a Chinese text may quote
CJK = re.compile(f"[{re_class(HAN_RANGES, SHARED_PUNCTUATION, ((0x3040, 0x30FF),))}]")

#: the most a gap between two Chinese characters may widen, in em: a line with Chinese in
#: it that would need more is set ragged, because text extraction (pdftotext, copy-paste) starts reading wide
#: gaps as spaces, and stretching only its spaces would tear the line apart
MAX_SPACING = 0.1

#: each function the patch replaces (module or class, name) and the signature the patch
#: calls it with; any other signature means another WeasyPrint, and no patch
SIGNATURES: dict[tuple[str, str], str] = {
    ("weasyprint.layout.inline", "count_expandable_spaces"): "(box)",
    ("weasyprint.layout.inline", "justify_line"): "(context, line, extra_width)",
    ("weasyprint.layout.inline", "add_word_spacing"): "(context, box, justification_spacing, x_advance)",
    ("weasyprint.text.line_break", "Layout.set_text"): "(self, text, justify=False)",
}


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


def justified(warn: Callable[[str], object] | None = None) -> AbstractContextManager[bool]:
    """Within the block, WeasyPrint justifies Chinese inter-character in this thread
    (yields True); when the installed WeasyPrint is not what the patch expects, nothing is
    patched, ``warn`` is told why and Chinese stays ragged (yields False)."""
    return SCOPE.within(warn, ragged_message)


def available() -> bool:
    """Whether Chinese can be justified with the installed WeasyPrint (checked once)."""
    return problem() is None


def ragged_message(reason: str) -> str:
    from importlib.metadata import version

    return (
        f"Chinese is set ragged in the PDF, not justified: WeasyPrint {version('weasyprint')} "
        f"is not what briefpress's inter-character justification expects ({reason})"
    )


def problem() -> str | None:
    """Why the installed WeasyPrint cannot justify Chinese; None when it can. Checked once
    per process, at the first call (the build makes it before its workers fork)."""
    return SCOPE.problem()


def patched() -> bool:
    """Whether any WeasyPrint function is replaced now (only while a block is open)."""
    return SCOPE.patched()


def _check(patches: tuple[Patch, ...]) -> str | None:
    """What is not as expected in the patched functions (their signatures, then a test
    paragraph laid out with the patches), or None."""
    for patch, ((module, name), expected) in zip(patches, SIGNATURES.items(), strict=True):
        try:
            found = str(inspect.signature(patch.original))
        except (TypeError, ValueError) as exc:
            found = f"unreadable: {exc}"
        if found != expected:
            return f"{module}.{name}{found}, expected {name}{expected}"
    try:
        with SCOPE.scope(patches):
            return _probe()
    except Exception as exc:  # any failure of the probe means: not this WeasyPrint
        return f"a justified test paragraph failed: {type(exc).__name__}: {exc}"


#: the test paragraph: a line of about twenty ideographs, justified
_PROBE = (
    '<p lang="zh" style="margin: 0; width: 20.5em; font-size: 10px; text-align: justify">'
    + "两端对齐" * 12
    + "</p>"
)


def _probe() -> str | None:
    """Lay out a justified Chinese paragraph as a build does: None when its first line
    reaches the right edge and draws (Pango's measure) as wide as it was laid out."""
    from weasyprint import HTML
    from weasyprint.text.line_break import line_size

    page = HTML(string=_PROBE).render().pages[0]._page_box
    paragraph = page.children[0].children[0].children[0]
    box = paragraph.children[0].children[0]
    edge = paragraph.content_box_x() + paragraph.width
    if abs(box.position_x + box.width - edge) > 0.01:
        return f"a justified line ends at {box.position_x + box.width:.2f} px, not {edge:.2f} px"
    layout = box.pango_layout
    layout.reactivate(box.style)  # as drawing does: the text set again, justified
    try:
        drawn, _ = line_size(layout.get_first_line()[0], box.style)
    finally:
        layout.deactivate()
    if abs(drawn - box.width) > 0.1:
        return f"a justified line draws {drawn:.2f} px wide, laid out {box.width:.2f} px"
    return None


def _make_patches() -> tuple[Patch, ...]:
    """The four replacements, in the order of :data:`SIGNATURES`."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango

    count, justify, add = _layout_patches(inline, boxes.TextBox)
    set_text = line_break.Layout.set_text
    spacing = _spacing_set_text(set_text, ffi, pango, line_break.TO_UNITS)
    return (
        Patch(inline, "count_expandable_spaces", inline.count_expandable_spaces, count),
        Patch(inline, "justify_line", inline.justify_line, justify),
        Patch(inline, "add_word_spacing", inline.add_word_spacing, add),
        Patch(line_break.Layout, "set_text", set_text, spacing),
    )


def _layout_patches(inline: Any, text_box: Any) -> tuple[Any, Any, Any]:
    """``count_expandable_spaces``, ``justify_line`` and ``add_word_spacing`` that count
    Chinese characters as opportunities, inside :func:`justified` only."""
    original_count = inline.count_expandable_spaces
    original_justify = inline.justify_line
    original_add = inline.add_word_spacing

    @functools.wraps(original_count)
    def count_expandable_spaces(box: Any) -> float:
        if SCOPE.active() and isinstance(box, text_box) and _chinese(box.style):
            return original_count(box) + opportunities(box.text)
        return original_count(box)

    @functools.wraps(original_justify)
    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        # only a line with Chinese in it is ever left ragged: a line of English words
        # takes WeasyPrint's own justification at its spaces, however wide (issue 26)
        if SCOPE.active() and chinese_shares(line):
            count = count_expandable_spaces(line)
            if count and extra_width / count > MAX_SPACING * line.style["font_size"]:
                return  # too loose: the line is set ragged, as a short last line is
        original_justify(context, line, extra_width)

    def chinese_shares(line: Any) -> float:
        return sum(
            opportunities(box.text)
            for box in line.descendants()
            if isinstance(box, text_box) and _chinese(box.style)
        )

    @functools.wraps(original_add)
    def add_word_spacing(context: Any, box: Any, spacing: float, x_advance: float) -> float:
        result = original_add(context, box, spacing, x_advance)
        layout = getattr(box, "pango_layout", None)
        if SCOPE.active() and isinstance(box, text_box) and layout is not None:
            layout.bp_cjk = _chinese(box.style)
        return result

    return count_expandable_spaces, justify_line, add_word_spacing


def _spacing_set_text(original_set_text: Any, ffi: Any, pango: Any, to_units: float) -> Any:
    """``Layout.set_text`` that also gives each Chinese character of a justified Chinese
    line the line's spacing on top of its CSS letter-spacing, as a Pango attribute."""

    @functools.wraps(original_set_text)
    def set_text(self: Any, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        if not (justify and SCOPE.active() and self.justification_spacing and getattr(self, "bp_cjk", False)):
            return
        found = spaced(self.text)
        if not found:
            return
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        # this attribute replaces the one WeasyPrint set for the CSS letter-spacing over
        # the whole text: it carries both (in Pango units, rounded as WeasyPrint does)
        css = self.style["letter_spacing"]
        letter_spacing = 0 if css == "normal" else int(css * to_units)
        unit = int(letter_spacing + self.justification_spacing * to_units)
        for start, end in found:
            attr = pango.pango_attr_letter_spacing_new(unit)
            attr.start_index = len(self.text[:start].encode())
            attr.end_index = len(self.text[:end].encode())
            pango.pango_attr_list_change(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)

    return set_text


#: the four replacements, checked once, in place inside :func:`justified` blocks
SCOPE = Scoped("briefpress_cjkjustify", _make_patches, _check)
