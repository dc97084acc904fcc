"""Justified English on paper, ragged English on screens (issue 26).

In the handout every non-final line of a justified English paragraph ends at its column's
right edge (read back from the PDF: tests/justified.py finds the paragraphs), and a word is
hyphenated only where pyphen's en_US patterns allow, with two letters or more before the
break and three or more after. On the reading page English is set ragged without automatic
hyphens (Chromium), and the EPUB leaves justification to the reader's setting.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyphen
import pytest

from briefpress import reading
from briefpress.build.steps import build
from briefpress.editions import cjkjustify
from briefpress.editions.pdf import print_css
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.render import stylesheet
from conftest import EXAMPLE, RICH_SOURCE
from justified import Paragraph, hyphenated, paragraphs

#: how far (pt) a justified line may end before its column's edge
TOLERANCE = 3.0
LAYOUTS = [(paper, layout) for paper in ("A4", "Letter", "A5") for layout in ("interleaved", "side-by-side")]
#: words the handout used to hyphenate wrongly ("cent-ral", "capab-ility", "societ-ies",
#: "oth-er"), and long words of the example that are hyphenated often
WORDS = [
    "central",
    "capability",
    "capabilities",
    "societies",
    "society",
    "empower",
    "empowering",
    "infrastructure",
    "governance",
    "benefit",
    "benefits",
    "abundant",
    "important",
    "navigate",
    "organization",
    "participate",
    "progress",
    "resilience",
    "responsibility",
    "standards",
    "transformative",
    "frontier",
    "extended",
    "American",
    "electricity",
    "technology",
    "distribution",
    "democratic",
    "accountable",
    "institutions",
    "opportunity",
    "productivity",
    "international",
    "coordination",
    "alignment",
]
EN_US = pyphen.Pyphen(lang="en_US")


def allowed(before: str, after: str) -> bool:
    """Whether en_US breaks ``before + after`` there, leaving 2 letters before and 3 after."""
    word = (before + after).lower()
    return len(before) in EN_US.positions(word) and len(before) >= 2 and len(after) >= 3


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[tuple[str, str], dict[str, Path]]:
    """The example's and the rich article's handouts for each paper and layout."""
    built = {}
    for paper, layout in LAYOUTS:
        out = tmp_path_factory.mktemp(f"{paper}-{layout}")
        options = Options(output=out, formats=("pdf",), paper=paper, bilingual=layout)
        result = build([EXAMPLE, RICH_SOURCE], options, Report())
        assert result.ok, [str(e) for e in result.errors]
        built[paper, layout] = {
            "example": out / "openai-third-phase" / "openai-third-phase.pdf",
            "rich": out / "rich" / "rich.pdf",
        }
    return built


def describe(found: list[Paragraph]) -> list[str]:
    return [
        f"page {line.page}: {p.right - line.x1:.1f} pt short: …{line.text[-40:]}"
        for p in found
        for line in p.short(TOLERANCE)
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout"), LAYOUTS, ids=[f"{p}-{lay}" for p, lay in LAYOUTS])
def test_every_non_final_line_of_a_justified_english_paragraph_reaches_the_margin(handouts, paper, layout):
    for name, pdf in handouts[paper, layout].items():
        found = paragraphs(pdf)
        checked = sum(len(p.lines) - 1 for p in found)
        assert checked >= (60 if name == "example" else 3), f"{name}: only {checked} lines found"
        assert describe(found) == [], name


@pytest.mark.slow
def test_the_handouts_hyphenate_only_where_en_us_does(handouts):
    pdfs = [pdf for built in handouts.values() for pdf in built.values()]
    breaks = {pair for pdf in pdfs for pair in hyphenated(paragraphs(pdf))}
    assert len(breaks) > 20  # the example hyphenates often: the test looks at something
    assert sorted(f"{a}-{b}" for a, b in breaks if not allowed(a, b)) == []


def narrow_columns(words: list[str], widths: tuple[str, ...]) -> str:
    """The handout's stylesheet, and each word alone in an English paragraph of the
    original too narrow for it, at each width: it can only be hyphenated."""
    pairs = "".join(
        f'<div class="pair"><div class="orig" lang="en"><p style="width: {width}">{word} {word}</p>'
        "</div></div>"
        for word in words
        for width in widths
    )
    head = f"<head><style>{print_css(Options())}</style></head>"
    return f'<html lang="zh-Hans">{head}<body>{pairs}</body></html>'


@pytest.mark.slow
def test_a_list_of_words_is_hyphenated_as_en_us_hyphenates_it(tmp_path):
    """Each word laid out at three narrow widths as the handout lays out the original; the
    breaks drawn (the lines ending in U+2010) are en_US's, and every word en_US can break
    is broken."""
    from weasyprint import HTML

    pdf = tmp_path / "words.pdf"
    with cjkjustify.justified():
        HTML(string=narrow_columns(WORDS, ("2.6em", "3.6em", "4.6em"))).write_pdf(pdf)
    drawn: dict[str, set[str]] = {}
    for before, after in hyphenated(paragraphs(pdf)):
        drawn.setdefault((before + after).lower(), set()).add(f"{before}-{after}")
    wrong = sorted(form for forms in drawn.values() for form in forms if not allowed(*form.split("-")))
    assert wrong == []
    breakable = {w.lower() for w in WORDS if any(allowed(w[:i], w[i:]) for i in EN_US.positions(w.lower()))}
    assert "progress" not in breakable  # en_US does not break it: nor does the handout
    assert sorted(breakable - set(drawn)) == []


def test_the_epub_leaves_justification_to_the_reader_and_asks_it_to_hyphenate_english():
    css = stylesheet(Options(), "epub.css", fonts_template="epub/fonts.css.j2", embedded=None)
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    aligned = [sel.strip() for sel, body in rules if "text-align" in body]
    assert all(sel.startswith(("th", ".cover")) for sel in aligned), aligned
    assert any(".orig" in sel and "hyphens: auto" in body for sel, body in rules)


#: what the reading page's English paragraphs compute, in the browser
ENGLISH_ALIGNMENT = """() => [...document.querySelectorAll('.pair .orig p, .original-text p')]
  .map(p => { const s = getComputedStyle(p); return [s.textAlign, s.hyphens]; })"""


@pytest.fixture(scope="module")
def reading_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("web")
    result = build([EXAMPLE], Options(output=out, formats=("html",)), Report())
    assert result.ok, [str(e) for e in result.errors]
    return out / "openai-third-phase" / "openai-third-phase.html"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_english_is_ragged_and_not_hyphenated_on_the_reading_page(reading_page, width):
    with reading.Browser() as browser, browser.page(reading_page.as_uri(), width=width) as page:
        found = page.evaluate(ENGLISH_ALIGNMENT)
    assert len(found) > 20
    assert {align for align, _ in found} <= {"start", "left"}
    assert {hyphens for _, hyphens in found} <= {"manual", "none"}
