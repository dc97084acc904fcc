"""Chinese justified inter-character (editions/cjkjustify.py), tested on laid-out boxes as
WeasyPrint's own tests do (``render_pages``): a few lines laid out, their boxes measured.

Justified lines end at the right edge and draw as wide as they were laid out, the last
line does not, punctuation and Latin words take their share (the Latin letters none),
CSS letter-spacing is added to, and nothing is justified outside briefpress's own
layouts: not after them, not in another thread while one runs, not with a WeasyPrint
whose internals are not as expected (then one warning and ragged lines).
"""

from __future__ import annotations

import ast
import logging
import threading
from pathlib import Path

import pytest
from weasyprint import HTML
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.line_break import line_size

from briefpress.editions import cjkjustify

SRC = Path(__file__).resolve().parents[1] / "src" / "briefpress"
#: the column: twenty ideographs of 10 px and 5 px to spare, shared by 19 gaps
WIDTH = 205
FONT = "10px 'Noto Sans CJK SC'"
TEN = "一二三四五六七八九十"
#: Pango's letter-spacing is in 1/1024 px: a drawn line may fall short by that per gap
DRAWN = 0.05
#: what styles/print-justify.css adds to the handout's stylesheet
JUSTIFY_RULE = ".discussion li, .verdict { text-align: justify; }"


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(caplog):
    """WeasyPrint's own ``assert_no_logs``: a layout that warns fails the test."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def paragraph(text: str, style: str = "", lang: str = "zh", align: str = "justify"):
    """The one paragraph of a page laid out by WeasyPrint (as ``render_pages`` does)."""
    html = (
        f'<p lang="{lang}" style="margin: 0; width: {WIDTH}px; font: {FONT}; '
        f'text-align: {align}; {style}">{text}</p>'
    )
    page = HTML(string=html).render().pages[0]._page_box
    html_box = page.children[0]
    return html_box.children[0].children[0]


def edge(block) -> float:
    return block.content_box_x() + block.width


def right(line) -> float:
    """Where the line's last box ends."""
    return max(child.position_x + child.width for child in line.children)


def text_of(line) -> str:
    return "".join(getattr(box, "text", "") for box in line.descendants())


def drawn(box) -> float:
    """The width Pango gives the text box as it is drawn (``draw_text`` reactivates it)."""
    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        return line_size(layout.get_first_line()[0], box.style)[0]
    finally:
        layout.deactivate()


def originals() -> bool:
    """Whether WeasyPrint's four functions are its own."""
    return all(p.owner.__dict__[p.name] is p.original for p in cjkjustify.SCOPE.patches)


def test_the_installed_weasyprint_passes_the_check():
    assert cjkjustify.problem() is None and cjkjustify.available()
    assert len(cjkjustify.SCOPE.patches) == len(cjkjustify.SIGNATURES) == 4
    assert originals() and not cjkjustify.patched()


@pytest.mark.parametrize(
    ("text", "shares"),
    [("中文", 1), ("中文字", 2), ("a中b", 1), ("中 a", 0.5), ("ab", 0), ("“中”", 2), ("かな", 1)],
)
def test_a_text_box_takes_a_share_per_gap_next_to_a_chinese_character(text, shares):
    assert cjkjustify.opportunities(text) == shares


def test_justified_lines_end_at_the_right_edge():
    with cjkjustify.justified() as justifying:
        assert justifying and cjkjustify.patched()
        block = paragraph(TEN * 7)
        *full, last = block.children
        assert len(full) == 3
        for line in full:
            (box,) = line.children
            assert len(box.text) == 20
            assert right(line) == pytest.approx(edge(block), abs=0.01)
            assert box.justification_spacing == pytest.approx(5 / 19)
            assert drawn(box) == pytest.approx(box.width, abs=DRAWN)


def test_the_last_line_is_not_justified():
    with cjkjustify.justified():
        block = paragraph(TEN * 7)
        last = block.children[-1]
        (box,) = last.children
        assert box.text == TEN
        assert box.justification_spacing == 0
        assert right(last) == pytest.approx(block.content_box_x() + 100, abs=0.01)


def test_a_line_ending_in_punctuation_is_justified_to_the_edge():
    with cjkjustify.justified():
        block = paragraph(TEN + "一二三四五六七八九，" + TEN * 2)
        line = block.children[0]
        assert text_of(line).endswith("，")
        assert right(line) == pytest.approx(edge(block), abs=0.01)
        assert drawn(line.children[0]) == pytest.approx(line.children[0].width, abs=DRAWN)


def test_a_full_stop_that_cannot_start_a_line_takes_a_character_down_and_the_gaps_widen():
    with cjkjustify.justified():
        block = paragraph(TEN * 2 + "。" + TEN * 2)
        first, second = block.children[:2]
        assert len(text_of(first)) == 19 and text_of(second).startswith("十。")
        assert right(first) == pytest.approx(edge(block), abs=0.01)
        assert first.children[0].justification_spacing == pytest.approx(15 / 18)


def test_quotes_take_their_share():
    text = "他说“一二三四五六七八九十”然后" + TEN * 4
    with cjkjustify.justified():
        block = paragraph(text)
        line = block.children[0]
        assert "“" in text_of(line) and "”" in text_of(line)
        assert right(line) == pytest.approx(edge(block), abs=0.01)
        assert drawn(line.children[0]) == pytest.approx(line.children[0].width, abs=DRAWN)


@pytest.mark.parametrize(
    "text",
    [
        "中文里夹着English单词和数字2024，看看是否两端对齐。" * 4,
        "中文里夹着 English 单词和 words，以空格隔开。" * 4,
        "中文里夹着<em>English</em>单词和<b>粗体的字</b>，看看是否对齐。" * 4,
    ],
    ids=["no-spaces", "spaces", "inline-boxes"],
)
def test_mixed_latin_words_take_no_share_of_their_own(text):
    """Each gap next to a Chinese character and each space takes one share, the gaps
    between Latin letters none: the spacing is the line's extra width over those shares.
    A line that would need more than MAX_SPACING a share (Pango does not break between a
    Chinese character and a Latin word or a number) stays ragged."""
    with cjkjustify.justified():
        natural = paragraph(text, align="left")
        block = paragraph(text)
        assert [text_of(line) for line in block.children] == [text_of(line) for line in natural.children]
        justified = 0
        for line, ragged in zip(block.children[:-1], natural.children, strict=False):
            boxes = [box for box in line.descendants() if hasattr(box, "text")]
            shares = sum(cjkjustify.opportunities(b.text) + b.text.count(" ") for b in boxes)
            extra = edge(block) - right(ragged)
            if extra / shares > cjkjustify.MAX_SPACING * 10:
                assert right(line) == right(ragged)
                continue
            justified += 1
            assert right(line) == pytest.approx(edge(block), abs=0.01)
            assert boxes[0].justification_spacing == pytest.approx(extra / shares)
            for box in boxes:
                if box.justification_spacing:
                    assert drawn(box) == pytest.approx(box.width, abs=DRAWN)
        assert justified >= 2


def test_a_line_that_would_need_wide_gaps_stays_ragged():
    """A Latin word too long for the rest of the line leaves it mostly empty."""
    with cjkjustify.justified():
        block = paragraph("一二三" + "x" * 40 + TEN * 3)
        line = block.children[0]
        assert text_of(line) == "一二三"
        assert right(line) == pytest.approx(block.content_box_x() + 30, abs=0.01)
        assert line.children[0].justification_spacing == 0
        assert right(block.children[2]) == pytest.approx(edge(block), abs=0.01)


def test_css_letter_spacing_is_added_to_not_replaced():
    """Every Chinese character keeps its 0.5 px of CSS letter-spacing and gets its share
    on top: the line draws as wide as it was laid out, to the right edge."""
    with cjkjustify.justified():
        block = paragraph(TEN * 7, "letter-spacing: 0.05em")
        lines = block.children[:-1]
        assert len(lines) == 3
        for line in lines:
            (box,) = line.children
            assert len(box.text) == 19  # 10.5 px a character: fewer on a line
            assert box.justification_spacing == pytest.approx((WIDTH - 19 * 10.5) / 18)
            assert right(line) == pytest.approx(edge(block), abs=0.01)
            assert drawn(box) == pytest.approx(box.width, abs=DRAWN)


@pytest.mark.parametrize(
    "text",
    [
        "a b c d e f g h i j k l m n o p q r s t u v w x y z " * 3,
        "The quick brown fox jumps over the lazy dog. " * 3,
        # long words: lines whose spaces widen by more than MAX_SPACING
        "Telecommunications infrastructure internationalization responsibilities. " * 3,
    ],
    ids=["short-words", "long-words", "loose-lines"],
)
def test_latin_text_is_justified_by_weasyprint_alone(text):
    """English lines keep WeasyPrint's own justification, at spaces, however wide their
    spaces grow: only a line with Chinese in it is ever left ragged (issue 26: the limit
    for Chinese gaps left English lines 5-10 mm short)."""
    with cjkjustify.justified():
        inside = paragraph(text, lang="en")
    outside = paragraph(text, lang="en")
    assert len(inside.children) == len(outside.children)
    for mine, theirs in zip(inside.children[:-1], outside.children, strict=False):
        assert text_of(mine) == text_of(theirs)
        assert right(mine) == pytest.approx(edge(inside), abs=0.01)
        assert [(b.position_x, b.width) for b in mine.descendants()] == [
            (b.position_x, b.width) for b in theirs.descendants()
        ]


def test_after_the_block_weasyprint_is_its_own_and_chinese_is_ragged():
    with cjkjustify.justified():
        pass
    assert originals() and not cjkjustify.patched()
    block = paragraph(TEN * 7)
    for line in block.children[:-1]:
        assert right(line) == pytest.approx(block.content_box_x() + 200, abs=0.01)
        assert line.children[0].justification_spacing == 0


def test_nested_blocks_patch_until_the_outer_one_ends():
    with cjkjustify.justified():
        with cjkjustify.justified():
            pass
        assert cjkjustify.patched()
        block = paragraph(TEN * 3)
        assert right(block.children[0]) == pytest.approx(edge(block), abs=0.01)
    assert originals()


def test_another_thread_lays_out_ragged_while_a_block_is_open():
    entered, leave = threading.Event(), threading.Event()
    justified_there: list[float] = []

    def briefpress_layout() -> None:
        with cjkjustify.justified():
            entered.set()
            leave.wait(30)
            block = paragraph(TEN * 3)
            justified_there.append(right(block.children[0]) - edge(block))

    worker = threading.Thread(target=briefpress_layout)
    worker.start()
    try:
        assert entered.wait(30)
        assert cjkjustify.patched()  # replaced in the process, but not active in this thread
        block = paragraph(TEN * 3)
    finally:
        leave.set()
        worker.join(30)
    assert right(block.children[0]) == pytest.approx(block.content_box_x() + 200, abs=0.01)
    assert justified_there == [pytest.approx(0, abs=0.01)]
    assert originals()


def _changed_signature(monkeypatch):
    original = inline.add_word_spacing

    def add_word_spacing(context, box, justification_spacing, x_advance, scale=1):
        return original(context, box, justification_spacing, x_advance)

    monkeypatch.setattr(inline, "add_word_spacing", add_word_spacing)
    return "add_word_spacing"


def _changed_behaviour(monkeypatch):
    monkeypatch.setattr(inline, "justify_line", lambda context, line, extra_width: None)
    return "a justified line ends at"


def _changed_method(monkeypatch):
    original = line_break.Layout.set_text

    def set_text(self, text, justify=False, hyphens=None):
        return original(self, text, justify)

    monkeypatch.setattr(line_break.Layout, "set_text", set_text)
    return "Layout.set_text(self, text, justify=False, hyphens=None)"


@pytest.mark.parametrize("mismatch", [_changed_signature, _changed_behaviour, _changed_method])
def test_a_weasyprint_unlike_the_expected_one_is_left_alone_with_one_warning(monkeypatch, mismatch):
    monkeypatch.setattr(cjkjustify, "SCOPE", cjkjustify.SCOPE.fresh())  # checked afresh
    expected = mismatch(monkeypatch)
    before = (inline.count_expandable_spaces, inline.justify_line, inline.add_word_spacing)
    warnings: list[str] = []
    with cjkjustify.justified(warnings.append) as justifying:
        assert not justifying
        block = paragraph(TEN * 3)  # no exception: ragged
    assert right(block.children[0]) == pytest.approx(block.content_box_x() + 200, abs=0.01)
    assert len(warnings) == 1 and expected in warnings[0], warnings
    assert warnings[0].startswith("Chinese is set ragged in the PDF")
    assert (inline.count_expandable_spaces, inline.justify_line, inline.add_word_spacing) == before
    assert not cjkjustify.available()  # checked once: the answer is kept


def test_the_pdf_edition_lays_out_inside_the_block_and_warns_once_when_it_cannot(
    monkeypatch, article_file, report
):
    from briefpress.editions import pdf
    from briefpress.options import Options
    from briefpress.sources import read_article

    article = read_article(article_file(), report)
    seen: list[tuple[bool, bool]] = []

    class Spy(HTML):
        def render(self, *args, **kwargs):
            seen.append((cjkjustify.SCOPE.active(), cjkjustify.patched()))
            return super().render(*args, **kwargs)

    monkeypatch.setattr(pdf, "HTML", Spy)
    html = f'<p lang="zh">{TEN}</p>'
    assert pdf.write_pdf(html, article, Options(), report, "k").startswith(b"%PDF")
    assert seen == [(True, True)] and originals()
    assert JUSTIFY_RULE in pdf.print_css(Options())

    monkeypatch.setattr(cjkjustify, "SCOPE", cjkjustify.SCOPE.fresh())
    _changed_signature(monkeypatch)
    for _ in range(2):
        pdf.write_pdf(html, article, Options(), report, "k")
    assert seen[1:] == [(False, False), (False, False)]
    report.claim("Chinese is set ragged in the PDF")  # said once: the report keeps a line once
    assert JUSTIFY_RULE not in pdf.print_css(Options())


def test_every_weasyprint_layout_of_briefpress_is_in_write_pdf():
    """Every ``HTML(...)`` briefpress lays out is made in ``pdf.write_pdf``, inside the block (but
    the page footers' blank pages, :mod:`.pagenumbers`, which hold no paragraph)."""
    found = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef):
                for node in ast.walk(function):
                    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "HTML":
                        found.append((path.relative_to(SRC).as_posix(), function.name))
    assert sorted(set(found)) == [
        ("editions/cjkjustify.py", "_probe"),
        ("editions/pagenumbers.py", "folio_document"),  # the footer's margin boxes alone: nothing to justify
        ("editions/pdf.py", "write_pdf"),
    ]
