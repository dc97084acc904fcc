"""The handout's layout read back from the PDF (issue 26): in A4, Letter and A5, interleaved
and side by side, every glyph inside the text block, table cells wrapping between words,
pages not left mostly empty before a section, the prompts on one page; and, without a
layout, which pairs stack and which blocks are shown once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefpress.errors import Report
from briefpress.model import Article
from briefpress.options import Options
from briefpress.render.context import context
from briefpress.render.fragments import Flavour
from briefpress.sources import read_article
from conftest import EXAMPLE, FRONT, RICH_SOURCE
from pdflook import Line, pages, text_block

PAPERS = ("A4", "Letter", "A5")
LAYOUTS = ("interleaved", "side-by-side")
#: how far (pt) a glyph may pass the text block's edge: rounding, a glyph's side bearing
EDGE_TOLERANCE = 1.0
#: the size (pt) of the page footnotes (print.css), whose lines sit at the foot of the page
NOTE_SIZE = 8.0

#: an article whose pairs strain the side-by-side layout: a table of nine columns (small
#: type), a code block shown in both languages, two different images
MIXED = """\
# 讨论引子

1. 这张表应该怎样排？

# 原文

## Measurements of the season

The table below lists every measurement of the season, one row a station.

| Station | Latitude | Longitude | Elevation | Temperature | Humidity | Pressure | Visibility | Observations |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| Northfield | 52.1 | 13.4 | 120 | 14.5 | 71 | 1013 | 10 | clear skies, moderate breeze from the west |
| Southbridge | 48.9 | 11.2 | 540 | 11.0 | 83 | 1008 | 4 | persistent drizzle throughout the afternoon |

```text
station,latitude,longitude,elevation,temperature,humidity,pressure,visibility
```

![A chart of the stations](chart.png)

The measurements were taken at noon each day and checked against the regional archive.

# 译文

## 本季的测量

下表列出了本季的每一次测量，每个站点一行。

| 站点 | 纬度 | 经度 | 海拔 | 气温 | 湿度 | 气压 | 能见度 | 观测 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 北田 | 52.1 | 13.4 | 120 | 14.5 | 71 | 1013 | 10 | 晴，西风和缓 |
| 南桥 | 48.9 | 11.2 | 540 | 11.0 | 83 | 1008 | 4 | 整个下午持续小雨 |

```text
station,latitude,longitude,elevation,temperature,humidity,pressure,visibility
```

![站点图表](chart-zh.png)

测量每天中午进行，并与地区档案核对。
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    chart = RICH_SOURCE.parent / "img" / "chart.png"
    shutil.copy(chart, folder / "chart.png")
    shutil.copy(chart, folder / "chart-zh.png")
    path = folder / "mixed.md"
    path.write_text(FRONT.replace("测试文章", "一张表、一段代码和两张图") + "\n" + MIXED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def handouts(tmp_path_factory, mixed) -> dict[tuple[str, str, str], Path]:
    """Every test article's handout in every paper size and layout."""
    from briefpress.build.steps import build

    built = {}
    for paper in PAPERS:
        for layout in LAYOUTS:
            out = tmp_path_factory.mktemp(f"{paper}-{layout}")
            options = Options(output=out, formats=("pdf",), paper=paper, bilingual=layout)
            result = build([EXAMPLE, RICH_SOURCE, mixed], options, Report())
            assert result.ok, [str(e) for e in result.errors]
            assert result.warnings == []
            for source in (EXAMPLE, RICH_SOURCE, mixed):
                built[paper, layout, source.stem] = out / source.stem / f"{source.stem}.pdf"
    return built


CASES = [(p, lay, name) for p in PAPERS for lay in LAYOUTS for name in (EXAMPLE.stem, "rich", "mixed")]


def sources(mixed: Path) -> dict[str, Path]:
    return {EXAMPLE.stem: EXAMPLE, "rich": RICH_SOURCE, "mixed": mixed}


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout", "name"), CASES)
def test_every_glyph_inside_the_text_block(handouts, paper, layout, name):
    options = Options(paper=paper)
    outside = []
    for number, (width, height, found) in enumerate(pages(handouts[paper, layout, name]), 1):
        block = text_block(options, width, height, number)
        for line in found:
            ink = [c for c in line.chars if c["text"].strip()]
            if ink and (
                min(c["x0"] for c in ink) < block.left - EDGE_TOLERANCE
                or max(c["x1"] for c in ink) > block.right + EDGE_TOLERANCE
            ):
                outside.append(f"p{number} {line.x0:.1f}–{line.x1:.1f} {line.text[:40]!r}")
    assert outside == [], f"text block {block.left:.1f}–{block.right:.1f}"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def rules_outside(pdf: Path, options: Options) -> list[str]:
    """The rules (a pair's, a table's, a heading's) that run past the text block's sides."""
    import pdfplumber

    outside = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            block = text_block(options, float(page.width), float(page.height), page.page_number)
            for edge in page.edges:
                if edge["x0"] < block.left - EDGE_TOLERANCE or edge["x1"] > block.right + EDGE_TOLERANCE:
                    outside.append(f"p{page.page_number} {edge['x0']:.1f}–{edge['x1']:.1f}")
    return outside


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout", "name"), CASES)
def test_every_rule_inside_the_text_block(handouts, paper, layout, name):
    assert rules_outside(handouts[paper, layout, name], Options(paper=paper)) == []


#: an English word or number as a table cell's line ends with it, and its punctuation
LATIN = re.compile(r"[A-Za-z0-9,.;:]+")
PUNCTUATION = ",.;:"


def table_cells(article: Article) -> list[str]:
    """The text of every cell of the article's tables."""
    return [
        token.content
        for block in [*article.original, *(article.translation or [])]
        if block.kind == "table"
        for token in block.tokens
        if token.type == "inline"
    ]


def word_fragments(pdf: Path, cells: list[str]) -> list[str]:
    """Where a table cell's line ends inside an English word (not at a hyphen)."""
    import pdfplumber

    words = {part for cell in cells for word in cell.split() for part in (word, *word.split("-"))}
    words = {word.strip(PUNCTUATION) for word in words}
    whole = {squash(cell) for cell in cells}
    broken = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for table in page.find_tables():
                texts = [page.within_bbox(c, strict=False).extract_text() or "" for c in table.cells]
                # a cell found whole (a ruled box around other text is not a cell)
                for text in (text for text in texts if squash(text) in whole):
                    cell_lines = [line.split() for line in text.splitlines() if line.split()]
                    for left, right in zip(cell_lines, cell_lines[1:], strict=False):
                        end, start = left[-1], right[0]
                        if LATIN.fullmatch(end) and end.strip(PUNCTUATION) not in words:
                            broken.append(f"p{page.page_number} {end}/{start}")
    return broken


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout", "name"), CASES)
def test_table_cells_wrap_between_words(handouts, mixed, paper, layout, name):
    article = read_article(sources(mixed)[name], Report())
    assert word_fragments(handouts[paper, layout, name], table_cells(article)) == []


def text_end(found: list[Line], top: float, bottom: float) -> float:
    """Where the page's text ends (pt from the top), the footnotes at its foot aside."""
    body = [line for line in found if top - 1 <= line.top and line.bottom <= bottom + 1]
    text = [line for line in body if abs(line.size - NOTE_SIZE) > 0.05]
    return max((line.bottom for line in text), default=top)


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout", "name"), CASES)
def test_no_page_left_mostly_empty(handouts, paper, layout, name):
    """No page but the last ends its text in the top quarter of its text block (a page
    break the layout forced, or a block pushed over that could have broken)."""
    options = Options(paper=paper)
    laid = pages(handouts[paper, layout, name])
    empty = []
    for number, (width, height, found) in enumerate(laid[:-1], 1):
        block = text_block(options, width, height, number)
        used = (text_end(found, block.top, block.bottom) - block.top) / block.height
        if used < 0.25:
            empty.append(f"page {number}: {used:.0%}")
    assert empty == []


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "layout", "name"), CASES)
def test_prompts_on_one_page(handouts, mixed, paper, layout, name):
    article = read_article(sources(mixed)[name], Report())
    laid = pages(handouts[paper, layout, name])
    found = [
        number
        for number, (_, _, lines) in enumerate(laid, 1)
        for prompt in article.prompts
        if squash(prompt.text)[:12] in squash("".join(line.text for line in lines))
    ]
    assert len(found) == len(article.prompts)
    assert len(set(found)) == 1, f"the prompts are on pages {found}"


def test_tables_code_and_images_stack_and_identical_blocks_show_once(mixed):
    article = read_article(mixed, Report())
    pairs = context(article, Options(bilingual="side-by-side"), Flavour("pdf")).pairs
    by_kind = {(p.kind, p.stacked, p.shared, bool(p.original)) for p in pairs}
    assert ("table", True, False, True) in by_kind
    assert ("code", True, True, False) in by_kind  # the same code in both: once
    images = [p for p in pairs if p.stacked and p.kind == "paragraph"]
    assert [(p.shared, bool(p.original)) for p in images] == [(False, True)]  # two images
    assert all(not p.stacked for p in pairs if p.kind in ("paragraph", "heading2") and p not in images)


def test_a_shared_image_shows_once():
    article = read_article(RICH_SOURCE, Report())
    pairs = context(article, Options(), Flavour("html")).pairs
    image = next(p for p in pairs if p.kind == "paragraph" and p.stacked)
    assert image.shared and not image.original


#: for each table header of the bilingual pages, how many lines it takes
HEADER_LINES = """() => [...document.querySelectorAll('section.bilingual th')].map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return [cell.textContent.trim(), Math.round(range.getBoundingClientRect().height
    / parseFloat(getComputedStyle(cell).lineHeight))];
})"""


@pytest.mark.slow
@pytest.mark.browser
def test_html_table_headers_keep_their_words(tmp_path):
    """On a phone and a wide screen a header of one word ("运行", "Tasks") is one line:
    the table scrolls in its box rather than break a word."""
    from playwright.sync_api import sync_playwright

    from briefpress.build.steps import build

    result = build([RICH_SOURCE], Options(output=tmp_path, formats=("html",)), Report())
    assert result.ok
    page_file = tmp_path / "rich" / "rich.html"
    broken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for width in (320, 390, 768, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(page_file.as_uri())
            broken += [
                (width, text) for text, lines in page.evaluate(HEADER_LINES) if lines > 1 and " " not in text
            ]
        browser.close()
    assert broken == []
