"""The PDF handout, checked through its extracted text, fonts, metadata and outline."""

from __future__ import annotations

import re
import subprocess

import pypdf
import pytest

from briefpress.errors import Report
from briefpress.sources import read_article
from conftest import EXAMPLE


def squash(text: str) -> str:
    """Text without spaces and hyphens, so line wrapping and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


@pytest.fixture(scope="module")
def pdf(example_build):
    return example_build / "openai-third-phase.pdf"


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


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
    assert "OpenAI 第三阶段战略:AI 权力分配与人类韧性" in reader.pages[1].extract_text()
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
    assert info.title == "OpenAI 第三阶段战略:AI 权力分配与人类韧性"
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
    assert top == ["阅读简报", "双语对照", "原文", "讨论引子", "讨论归档"]
    assert (1, "核心观点") in found
    assert (1, "目前,OpenAI 有三个主要目标") in found
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
    """No pair of the example is split across pages (each is shorter than a page)."""
    pages = [squash(page.extract_text()) for page in pypdf.PdfReader(pdf).pages]
    for orig, trans in zip(article.original, article.translation, strict=True):
        start = squash(orig.text)[:30]
        end = squash(trans.text)[-20:]
        page = next(i for i, p in enumerate(pages) if start in p)
        assert end in pages[page], orig.text[:40]
