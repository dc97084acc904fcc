"""The PDF handout, checked through its extracted text, fonts, metadata and outline."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from briefpress.errors import Report
from briefpress.model import tokens_text
from briefpress.sources import read_article
from conftest import EXAMPLE

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


def squash(text: str) -> str:
    """Text without spaces and hyphens, so line wrapping and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


@pytest.fixture(scope="module")
def pdf(example_build):
    return example_build / "openai-third-phase.pdf"


@pytest.fixture(scope="module")
def text(pdf, article) -> str:
    """The handout's text as briefpress check reads it: without running heads, folios and
    page footnotes, which a paragraph split over two pages (a long pair) would have inside it."""
    return body_text(pdf, article, "A4")


@pytest.fixture(scope="module")
def article():
    return read_article(EXAMPLE, Report())


def test_every_paragraph_is_present(text, article):
    flat = squash(text)
    blocks = [*article.original, *article.translation]
    for block in blocks:
        assert squash(block.text) in flat, block.text[:60]
    for item in [*article.key_points, *article.relevance]:
        assert squash(item.body.text) in flat
    for prompt in article.prompts:
        assert squash(prompt.text) in flat


def test_edition_order(text, article):
    flat = squash(text)
    first_key_point = flat.index(squash(article.key_points[0].body.text))
    first_pair = flat.index(squash(article.original[0].text))
    first_translation = flat.index(squash(article.translation[0].text))
    second_pair = flat.index(squash(article.original[1].text))
    original_again = flat.index(squash(article.original[0].text), second_pair)
    last_original = flat.rindex(squash(article.original[-1].text))
    first_prompt = flat.index(squash(article.prompts[0].text))
    assert first_key_point < first_pair < first_translation < second_pair
    assert second_pair < original_again < last_original < first_prompt
    # the bilingual pages hold the translation, the original text section does not
    assert flat.count(squash(article.translation[5].text)) == 1
    assert flat.count(squash(article.original[5].text)) == 2


def test_page_footer_and_running_header(pdf):
    reader = pypdf.PdfReader(pdf)
    pages = len(reader.pages)
    assert pages > 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"{number} / {pages}" in page.extract_text()
    assert "OpenAI 第三阶段战略：AI 权力分配与人类韧性" in reader.pages[1].extract_text()
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert reader.pages[0].mediabox.height == pytest.approx(841.89, abs=0.5)


def test_fonts_embedded_and_subset(pdf):
    listing = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing
    names = []
    for line in listing:
        columns = line.split()
        emb, sub = columns[-5], columns[-4]
        assert (emb, sub) == ("yes", "yes"), line
        names.append(columns[0])
    assert any("Noto-Serif-CJK-SC" in n for n in names)
    assert any("Noto-Sans-CJK-SC" in n for n in names)
    assert any(n.split("+")[1] == "Noto-Serif" for n in names)


def test_metadata(pdf):
    reader = pypdf.PdfReader(pdf)
    info = reader.metadata
    assert info.title == "OpenAI 第三阶段战略：AI 权力分配与人类韧性"
    assert info.author == "OpenAI"
    assert info["/Keywords"] == "AI 战略, OpenAI"
    assert info.subject.startswith("这是一份为 OpenAI")
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"


def test_bookmarks(pdf):
    reader = pypdf.PdfReader(pdf)

    def titles(outline, depth=0):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title

    found = list(titles(reader.outline))
    top = [title for depth, title in found if depth == 0]
    assert top == ["阅读简报", "双语对照", "原文", "讨论引子"]  # no comments: no archive
    assert (1, "核心观点") in found
    assert (1, "目前，OpenAI 有三个主要目标") in found
    assert (1, "Currently at OpenAI we have three main goals") in found


def test_source_link_is_clickable(pdf):
    reader = pypdf.PdfReader(pdf)
    uris = [
        annot.get_object()["/A"].get("/URI")
        for annot in reader.pages[0].get("/Annots", [])
        if annot.get_object().get("/A")
    ]
    assert "https://example.org/our-approach" in uris


def test_pairs_are_kept_together(pdf, article):
    """No pair of the example is split across pages, but a long one (which, kept whole,
    could leave a third of its page blank: render/context.py)."""
    from briefpress.render.context import LONG_PAIR, pair_length

    pages = [squash(page.extract_text()) for page in pypdf.PdfReader(pdf).pages]
    for pair in article.pairs:
        orig, trans = pair.original, pair.translation
        if pair_length(pair) > LONG_PAIR:
            continue
        start = squash(orig.text)[:30]
        end = squash(trans.text)[-20:]
        page = next(i for i, p in enumerate(pages) if start in p)
        assert end in pages[page], orig.text[:40]


# -- the handout in every layout and on every paper --------------------------------------

PAPER_POINTS = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0), "A5": (419.53, 595.28)}
LAYOUTS = {
    "interleaved": {},
    "side-by-side": {"bilingual": "side-by-side"},
    "translation-only": {"translation_only": True},
}


def _render_variant(layout: str, paper: str) -> bytes:
    from briefpress.editions import pdf as pdf_edition
    from briefpress.options import Options

    options = Options(paper=paper, **LAYOUTS[layout])
    return pdf_edition.render(read_article(EXAMPLE, Report()), options, Report())


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The example in 3 layouts on 3 papers, rendered two at a time."""
    from concurrent.futures import ProcessPoolExecutor

    folder = tmp_path_factory.mktemp("variants")
    keys = [(layout, paper) for layout in LAYOUTS for paper in PAPER_POINTS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_render_variant, *zip(*keys, strict=True)))
    paths = {}
    for (layout, paper), data in zip(keys, results, strict=True):
        paths[layout, paper] = folder / f"{layout}-{paper}.pdf"
        paths[layout, paper].write_bytes(data)
    return paths


def body_text(path: Path, article, paper: str) -> str:
    """The PDF's text in drawing order, without running heads, folios and page footnotes."""
    from briefpress.check.text import pdf_text
    from briefpress.options import Options

    text = pdf_text(path, [article], Options(paper=paper))
    assert text is not None, "pdftotext is needed: run 'make setup'"
    return text


@pytest.mark.parametrize("paper", PAPER_POINTS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_and_papers_hold_everything_in_order(variants, article, layout, paper):
    path = variants[layout, paper]
    reader = pypdf.PdfReader(path)
    width, height = PAPER_POINTS[paper]
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)
    text = body_text(path, article, paper)
    positions = []
    for item in [*article.key_points, *article.relevance]:
        positions.append(text.index(squash(item.body.text)))
    for orig, trans in zip(article.original, article.translation, strict=True):
        if layout != "translation-only":
            positions.append(text.index(squash(orig.text)))
        positions.append(text.index(squash(trans.text)))
    start = positions[-1]
    for block in article.original:
        positions.append(text.index(squash(block.text), start))
    for prompt in article.prompts:
        positions.append(text.index(squash(prompt.text)))
    assert positions == sorted(positions)
    expected = 1 if layout == "translation-only" else 2
    assert text.count(squash(article.original[4].text)) == expected


def test_all_fonts_embedded_and_subset_in_every_variant(variants):
    for path in variants.values():
        reader = pypdf.PdfReader(path)
        for page in reader.pages:
            footer = page["/Resources"]["/XObject"]["/BPFolio"].get_object()  # pagenumbers.RESOURCE
            fonts = [*page["/Resources"]["/Font"].values(), *footer["/Resources"]["/Font"].values()]
            for ref in fonts:
                font = ref.get_object()
                assert re.fullmatch(r"/[A-Z]{6}\+.+", font["/BaseFont"])
                # CID fonts for the text and for the footer (drawn from a form of its own)
                holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = holder["/FontDescriptor"]
                assert "/FontFile3" in descriptor or "/FontFile2" in descriptor


def test_page_footnotes_in_both_languages(pdf, article):
    reader = pypdf.PdfReader(pdf)
    note = article.footnotes[0]
    english, chinese = squash(tokens_text(note.original)), squash(tokens_text(note.translation))
    pages_en = [i for i, p in enumerate(reader.pages) if english in squash(p.extract_text())]
    pages_zh = [i for i, p in enumerate(reader.pages) if chinese in squash(p.extract_text())]
    assert len(pages_en) == 2 and len(pages_zh) == 1  # bilingual pages twice, original once
    calls = [i for i, p in enumerate(reader.pages) if "resilienceecosystem.1" in squash(p.extract_text())]
    assert calls == pages_en  # each note is at the foot of the page that calls it


def test_qr_code_only_with_a_source_url(tmp_path, pdf, article_file):
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg is needed to read the QR code: run 'make setup' (installs zbar-tools)")

    def codes(path: Path) -> list[str]:
        subprocess.run(
            ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp_path / path.stem)],
            check=True,
        )
        [image] = tmp_path.glob(f"{path.stem}*.png")
        result = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
        return result.stdout.split()

    assert codes(pdf) == ["https://example.org/our-approach"]
    from briefpress.build.steps import build
    from briefpress.options import Options

    source = article_file()
    assert build([source], Options(output=tmp_path / "o", formats=("pdf",)), Report()).ok
    assert codes(tmp_path / "o" / "a" / "a.pdf") == []


def test_notes_lines_on_and_off(report):
    from briefpress.editions import pdf as pdf_edition
    from briefpress.options import Options

    article = read_article(EXAMPLE, report)

    def rectangles(lines: int) -> int:
        data = pdf_edition.render(article, Options(notes_lines=lines), report)
        last = pypdf.PdfReader(io.BytesIO(data)).pages[-1]
        return len(re.findall(rb" re\b", last.get_contents().get_data()))

    none, two, four = rectangles(0), rectangles(2), rectangles(4)
    assert four - none == 2 * (two - none) > 0  # lines scale with --notes-lines


def test_running_title_is_shortened():
    from briefpress.cjk import shorten as running_title

    assert running_title("短标题", 72) == "短标题"
    long = "一个非常非常长的标题" * 5
    short = running_title(long, 40)
    assert short.endswith("…") and len(short) == 21
    assert running_title("A fairly long English title that goes on", 20) == "A fairly long Englis…"


def test_pdf_ua_variant_is_tagged(tmp_path, report):
    from briefpress.editions import pdf as pdf_edition
    from briefpress.options import Options

    data = pdf_edition.render(read_article(EXAMPLE, report), Options(pdf_variant="pdf/ua-1"), report)
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "zh-Hans"
    assert root["/MarkInfo"]["/Marked"]
