"""Footnotes where a reader looks for them: in the PDF at the foot of the page that calls
them, in its language (read back from the page with pdfplumber); in the EPUB one aside
per language, so a pop-up opens only the tapped note."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefpress.build.steps import build
from briefpress.errors import Report
from briefpress.options import Options
from conftest import EXAMPLE, FRONT, PROMPTS, RICH_SOURCE

#: a Chinese character or full-width mark
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: a call's glyphs are this much smaller than the text around them, at most
CALL_SIZE = 0.8
#: a note is set smaller than the running text, at most this much of it
NOTE_SIZE = 0.9
#: a note's first line: its number, a full stop and its text
MARKER = re.compile(r"(\d+)\.\s*(.*)")


@dataclass(frozen=True)
class Call:
    page: int
    number: int
    chinese: bool


@dataclass(frozen=True)
class Note:
    page: int
    number: int
    chinese: bool
    text: str


def chinese(text: str) -> bool:
    letters = [c for c in text if c.isalpha() or CJK.match(c)]
    return bool(letters) and sum(bool(CJK.match(c)) for c in letters) > len(letters) / 2


def _rows(chars: list[dict]) -> list[list[dict]]:
    """Glyphs in rows by their baseline (a superscript call joins no row of its own text)."""
    rows: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"])):
        if rows and abs(rows[-1][0]["bottom"] - char["bottom"]) < 1.5:
            rows[-1].append(char)
        else:
            rows.append([char])
    return [sorted(row, key=lambda c: c["x0"]) for row in rows]


def footnotes(pdf_path: Path) -> tuple[list[Call], list[Note]]:
    """Every footnote call (a run of digits smaller than the text just before it and
    raised above its baseline; its language that text's) and every page note (the lines
    at the foot of the page smaller than the text above them, each note from its "N."
    on), page by page."""
    import pdfplumber

    calls: list[Call] = []
    notes: list[Note] = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            chars = [c for c in page.chars if c["text"].strip()]
            for run in _digit_runs(chars):
                first = run[0]
                before = [
                    c
                    for c in chars
                    if c["size"] * CALL_SIZE > first["size"]
                    and c["x1"] <= first["x0"] + 0.5
                    and first["x0"] - c["x1"] < 40
                    and c["top"] - 2 <= first["top"]
                    and first["bottom"] < c["bottom"] - 1
                ]
                if before:  # raised and small beside its line: a call
                    text = "".join(c["text"] for c in sorted(before, key=lambda c: c["x1"])[-6:])
                    calls.append(Call(number, int("".join(c["text"] for c in run)), chinese(text)))
            notes += _page_notes(number, chars, _text_size(pdf.pages))
    return calls, notes


def _text_size(pages) -> float:
    """The size most of the document's glyphs are set at: its running text."""
    sizes = Counter(round(c["size"], 1) for page in pages for c in page.chars)
    return sizes.most_common(1)[0][0]


def _digit_runs(chars: list[dict]) -> list[list[dict]]:
    """Digits next to each other at one size and height: one number each."""
    runs: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if not char["text"].isdigit():
            continue
        last = runs[-1][-1] if runs else None
        if (
            last
            and abs(last["top"] - char["top"]) < 0.5
            and abs(last["size"] - char["size"]) < 0.1
            and 0 <= char["x0"] - last["x1"] < 1
        ):
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def _page_notes(page: int, chars: list[dict], text_size: float) -> list[Note]:
    """The notes at the foot of the page: from the page's last line above the folio
    upwards, the lines set smaller than the document's running text."""
    rows = [row for row in _rows(chars) if not _folio(row[0], chars)]
    area = []
    for row in reversed(rows):
        # the English, set at exactly .9 of the text (9.45 pt < 0.9 * 10.5 in floats), is text
        if max(c["size"] for c in row) >= NOTE_SIZE * text_size - 0.01:
            break
        area.insert(0, row)
    if not area:
        return []
    found: list[list] = []
    for row in area:
        line = "".join(c["text"] for c in row)
        marker = MARKER.match(line)
        if marker and row[0]["x0"] < min(r[0]["x0"] for r in area) + 1:
            found.append([int(marker[1]), marker[2]])
        elif found:
            found[-1][1] += line
    return [Note(page, n, chinese(text), text) for n, text in found]


def _folio(char: dict, chars: list[dict]) -> bool:
    """Whether the glyph is in the page's last row (the folio, "3 / 9")."""
    return char["top"] >= max(c["top"] for c in chars) - 1


def misplaced(pdf_path: Path) -> list[str]:  # noqa: D103
    """Each call whose note (same number, same language) is not on the call's page."""
    calls, notes = footnotes(pdf_path)
    assert calls, f"{pdf_path.name}: no footnote calls found"
    placed = {(n.page, n.number, n.chinese) for n in notes}
    return [
        f"{pdf_path.name}: the {'Chinese' if c.chinese else 'English'} call {c.number} on page {c.page}: "
        f"its note is on page(s) {[n.page for n in notes if (n.number, n.chinese) == (c.number, c.chinese)]}"
        for c in calls
        if (c.page, c.number, c.chinese) not in placed
    ]


def many_notes() -> str:
    """An article with a note every few paragraphs, called in both languages: paragraphs
    of uneven length so that, on some paper, calls fall in a page's last lines."""
    english, chinese_text, en_notes, zh_notes = [], [], [], []
    for n in range(1, 31):
        words = " ".join(["The group reads this sentence about shared power and resilience."] * (1 + n % 5))
        zh = "小组一起读这句关于权力共享与社会韧性的话。" * (1 + n % 5)
        if n % 3 == 0:
            label = n // 3
            words += f"[^{label}]"
            zh += f"[^{label}]"
            length = 1 + label % 4
            en_notes.append(
                f"[^{label}]: " + " ".join([f"Note {label} explains a point of the text."] * length * 3)
            )
            zh_notes.append(f"[^{label}]: " + f"注释{label}说明正文中的一点。" * length * 4)
        english.append(words)
        chinese_text.append(zh)
    return (
        FRONT.replace("测试文章", "很多注释")
        + "\n# 原文\n\n"
        + "\n\n".join(english + en_notes)
        + "\n\n# 译文\n\n"
        + "\n\n".join(chinese_text + zh_notes)
        + "\n"
        + PROMPTS
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("notes")
    (folder / "many-notes.md").write_text(many_notes(), encoding="utf-8")
    return [EXAMPLE, RICH_SOURCE, folder / "many-notes.md"]


PAPERS = [(paper, layout) for paper in ("A4", "Letter", "A5") for layout in ("interleaved", "side-by-side")]


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout"), PAPERS)
def test_every_note_is_on_the_page_of_its_call(tmp_path, sources, paper, layout):
    options = Options(output=tmp_path, formats=("pdf",), paper=paper, bilingual=layout)
    result = build(sources, options, Report())
    assert result.ok, result.errors
    problems = []
    for pdf in sorted(tmp_path.glob("*/*.pdf")):
        calls, notes = footnotes(pdf)
        assert {c.chinese for c in calls} == {False, True}, pdf.name  # calls in both languages
        problems += misplaced(pdf)
    assert problems == []


@pytest.mark.slow
def test_the_digest_keeps_notes_with_their_calls(tmp_path, sources):
    options = Options(output=tmp_path, formats=("pdf",), digest="第 1 期")
    result = build(sources, options, Report())
    assert result.ok, result.errors
    [digest] = (tmp_path / "digest").glob("*.pdf")
    assert misplaced(digest) == []


XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _lang(element) -> str:
    while element is not None:
        if element.get("lang"):
            return element.get("lang")
        element = element.getparent()
    return ""


def noteref_problems(epub: Path) -> list[str]:
    """Each noteref of the book whose aside is not one note in the call's language alone."""
    import zipfile

    from lxml import etree

    problems, refs = [], 0
    with zipfile.ZipFile(epub) as book:
        for name in (n for n in book.namelist() if n.endswith(".xhtml")):
            chapter = etree.fromstring(book.read(name))
            by_id = {e.get("id"): e for e in chapter.iter() if e.get("id")}
            for ref in (a for a in chapter.iter(f"{XHTML}a") if a.get(EPUB_TYPE) == "noteref"):
                refs += 1
                aside = by_id.get(ref.get("href").lstrip("#"))
                where = f"{epub.name}/{name}: the {_lang(ref)} call {ref.text}"
                if aside is None or aside.tag != f"{XHTML}aside" or aside.get(EPUB_TYPE) != "footnote":
                    problems.append(f"{where} points at no footnote aside")
                    continue
                langs = {_lang(e) for e in aside.iter() if isinstance(e.tag, str)}
                text = "".join(aside.itertext())
                if langs != {_lang(ref)} or chinese(text) != _lang(ref).startswith("zh"):
                    problems.append(f"{where} opens a note in {sorted(langs)}: {text.strip()[:40]!r}")
                number = aside.find(f"{XHTML}a")
                if number is None or number.text != ref.text or len(list(aside.iter(f"{XHTML}a"))) != 1:
                    problems.append(f"{where}: the note's one link is not its number")
    assert refs, f"{epub.name}: no noterefs"
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("translation_only", [False, True])
def test_every_noteref_opens_its_own_language_alone(tmp_path, sources, translation_only):
    options = Options(output=tmp_path, formats=("epub",), translation_only=translation_only)
    result = build(sources, options, Report())
    assert result.ok, result.errors
    problems = [p for epub in sorted(tmp_path.glob("*/*.epub")) for p in noteref_problems(epub)]
    assert problems == []


def test_the_patches_are_in_place_only_inside_a_block():
    from weasyprint.layout import LayoutContext, block

    from briefpress.editions import pdfnotes

    before = block._linebox_layout, LayoutContext.__dict__["_update_footnote_area"]
    with pdfnotes.kept_with_calls() as kept:
        assert kept
        inside = block._linebox_layout, LayoutContext.__dict__["_update_footnote_area"]
        assert inside != before
    assert (block._linebox_layout, LayoutContext.__dict__["_update_footnote_area"]) == before


def test_a_weasyprint_without_the_statement_is_not_patched():
    from weasyprint.layout import block

    from briefpress.editions import pdfnotes

    with pytest.raises(LookupError, match="has 0 'report = True'"):
        pdfnotes._edited(block._linebox_layout, "report = True", "report = False")
    edited = pdfnotes._edited(block._linebox_layout, pdfnotes.EDITS[0][3], "report = False")
    assert edited.__globals__ is block.__dict__ and edited is not block._linebox_layout
