"""One set of locators in every edition: the reading page's paragraph numbers ¶N in the
handout's margin, in the EPUB and where the newsletter cites them; a prompt's "¶2" a
link to pair 2; the EPUB's page-list of the A4 handout's pages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from briefpress.editions import html as html_edition
from briefpress.editions import newsletter
from briefpress.editions.pagelist import markable
from briefpress.errors import Report
from briefpress.model import section_of
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import BODY, EXAMPLE
from pdflook import pages, text_block

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
PROMPT = "1. 呼吁建立国际组织来“放缓开发”是否本身就是权力的极度集中?"
#: the example, its first prompt citing pair 2 (and a pair it does not have)
CITING = PROMPT.replace("?", "(见 ¶2;¶99 不存在)?")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert PROMPT in text
    path = tmp_path_factory.mktemp("citing") / "openai-third-phase.md"
    path.write_text(text.replace(PROMPT, CITING), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def article(source):
    return read_article(source, Report())


def numbers_of(markup: str) -> list[int]:
    """The paragraph numbers a page shows, in order."""
    return [int(n) for n in re.findall(r'class="pair-number"[^>]*>¶(\d+)<', markup)]


@pytest.fixture(scope="module")
def page(article) -> str:
    return html_edition.render(article, Options(), Report()).decode("utf-8")


# -- without laying anything out ---------------------------------------------------------


def test_a_prompt_citing_a_pair_links_to_it_on_the_reading_page(page, article):
    assert numbers_of(page) == [pair.index for pair in article.pairs]
    assert '<a class="pair-ref" href="#pair-2">¶2</a>' in page
    assert "¶99" in page and 'href="#pair-99"' not in page  # no such pair: left as written


def test_the_newsletter_cites_the_pairs_on_the_web_page(article):
    options = Options(web_url="https://example.org/briefs")
    mail = newsletter.render_html(article, options)
    assert 'href="https://example.org/briefs/openai-third-phase/openai-third-phase.html#pair-2"' in mail
    assert "¶2" in newsletter.render_text(article, options)
    # without a web page there is no pair to link to: the locator stays, as text
    alone = newsletter.render_html(article, Options())
    assert "¶2" in alone and "#pair-2" not in alone


def test_a_pair_lives_in_the_bilingual_chapter():
    assert section_of("pair-12") == "bilingual"
    assert section_of("key-points") == "brief"


def test_the_page_list_can_mark_the_title_every_section_and_every_pair(article):
    ids = markable(article)
    assert ids[:2] == ["title", "brief"]
    assert [i for i in ids if i.startswith("pair-")] == [f"pair-{p.index}" for p in article.pairs]


# -- the handout ---------------------------------------------------------------------------


def handout(article, folder: Path, **options) -> Path:
    from briefpress.editions import pdf

    path = folder / f"{'-'.join(map(str, options.values())) or 'a4'}.pdf"
    path.write_bytes(pdf.render(article, Options(**options), Report()))
    return path


def destinations(path: Path) -> dict[str, tuple[int, float]]:
    """Each pair's named destination: its page (1-based) and its top, from the page's top."""
    reader = pypdf.PdfReader(path)
    found = {}
    for name, dest in reader.named_destinations.items():
        if name.startswith("pair-"):
            number = reader.get_destination_page_number(dest)
            height = float(reader.pages[number].mediabox.height)
            found[name] = (number + 1, height - float(dest.top))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["interleaved", "side-by-side"])
def test_the_handout_numbers_each_pair_in_the_margin_beside_its_first_line(article, page, tmp_path, layout):
    path = handout(article, tmp_path, bilingual=layout)
    numbers = [line for _, _, found in pages(path, numbers=True) for line in found]
    assert [int(line.text[1:]) for line in numbers] == numbers_of(page)
    assert all(re.fullmatch(r"¶\d+", line.text) for line in numbers)
    text = {number: found for number, (_, _, found) in enumerate(pages(path), start=1)}
    where = destinations(path)
    for line in numbers:
        width, height, _ = pages(path)[line.page - 1]
        block = text_block(Options(bilingual=layout), width, height, line.page)
        assert line.x1 < block.left - 3, line  # in the margin, clear of the text
        assert line.size < 8
        page_number, top = where[f"pair-{line.text[1:]}"]
        assert page_number == line.page
        first = next(t for t in text[line.page] if t.latin and t.bottom > top)
        assert first.x0 >= block.left - 0.5
        # beside it: the number's glyphs within the first line's height
        assert first.top - 1 <= line.top and line.bottom <= first.bottom + 1, (line, first)


@pytest.mark.slow
def test_the_citation_is_a_link_to_the_pair_in_the_handout(article, tmp_path):
    path = handout(article, tmp_path)
    reader = pypdf.PdfReader(path)
    links = [
        (number, annotation.get_object().get("/Dest"))
        for number, sheet in enumerate(reader.pages, start=1)
        for annotation in sheet.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    internal = [(number, dest) for number, dest in links if dest is not None]
    assert internal == [(len(reader.pages), "pair-2")]
    assert (
        reader.get_destination_page_number(reader.named_destinations["pair-2"]) + 1
        == (destinations(path)["pair-2"][0])
    )


# -- the EPUB ------------------------------------------------------------------------------


class Book:
    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path)

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(f"EPUB/{name}"))

    def chapters(self) -> list[str]:
        return sorted(n[5:] for n in self.zip.namelist() if re.fullmatch(r"EPUB/\d\d-.*\.xhtml", n))


@pytest.fixture(scope="module")
def built(source, tmp_path_factory):
    """The citing article as HTML, A4 PDF and EPUB in one build, and as an EPUB alone on Letter."""
    from briefpress.build.steps import build

    out = tmp_path_factory.mktemp("built")
    alone = Options(output=out / "letter", formats=("epub",), paper="Letter")
    for options in (Options(output=out / "a4", formats=("html", "pdf", "epub")), alone):
        result = build([source], options, Report())
        # the one warning: the prompt's "¶99", which names no pair
        assert result.ok and [f.code for f in result.findings] == ["no-such-pair"], result.warnings
    return out


def page_list(book: Book) -> list[tuple[int, str]]:
    nav = book.xml("nav.xhtml")
    [found] = [n for n in nav.findall(".//x:nav", NS) if n.get(EPUB_TYPE) == "page-list"]
    return [(int(a.text), a.get("href")) for a in found.findall(".//x:a", NS)]


@pytest.mark.slow
def test_the_epub_numbers_each_pair_as_the_reading_page_does(built):
    book = Book(built / "a4" / "openai-third-phase" / "openai-third-phase.epub")
    chapter = book.zip.read("EPUB/02-bilingual.xhtml").decode("utf-8")
    page = (built / "a4" / "openai-third-phase" / "openai-third-phase.html").read_text(encoding="utf-8")
    assert numbers_of(chapter) == numbers_of(page)
    # read once: the link's name is its label, not "¶ 3" and then the label
    link = book.xml("02-bilingual.xhtml").find(".//x:a[@class='pair-number']", NS)
    assert link.get("aria-label") == "段 1" and link.get("href") == "#pair-1"
    prompts = book.zip.read("EPUB/04-prompts.xhtml").decode("utf-8")
    assert '<a class="pair-ref" href="02-bilingual.xhtml#pair-2">¶2</a>' in prompts


@pytest.mark.slow
def test_the_epub_gives_the_a4_handouts_pages(built):
    folder = built / "a4" / "openai-third-phase"
    book = Book(folder / "openai-third-phase.epub")
    listed = page_list(book)
    numbers = [number for number, _ in listed]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and len(numbers) >= 5
    where = destinations(folder / "openai-third-phase.pdf")
    marked_pairs = 0
    for number, href in listed:
        name, _, ident = href.partition("#")
        assert ident == f"page-{number}"
        marker = book.xml(name).find(f".//*[@id='{ident}']")
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == str(number) and not (marker.text or "").strip()
        pair = marker.getparent().get("id") or ""
        if pair.startswith("pair-"):  # the marker's page is the page its pair begins on
            assert where[pair][0] == number, (pair, number)
            marked_pairs += 1
    assert marked_pairs >= 3
    # every page a pair begins on is listed, and every page of this handout (none of its
    # blocks is longer than a page: the original text's pages are marked at their blocks)
    assert {page for page, _ in where.values()} <= set(numbers)
    assert numbers == list(range(1, len(pypdf.PdfReader(folder / "openai-third-phase.pdf").pages) + 1))
    opf = book.xml("content.opf")
    sources = [m.text for m in opf.findall(".//opf:meta", NS) if m.get("property") == "pageBreakSource"]
    assert sources == ["briefpress A4 handout"]


@pytest.mark.slow
def test_the_page_list_is_the_a4_handouts_whatever_the_paper(built):
    a4 = Book(built / "a4" / "openai-third-phase" / "openai-third-phase.epub")
    letter = Book(built / "letter" / "openai-third-phase" / "openai-third-phase.epub")
    assert page_list(letter) == page_list(a4)


def test_a_citation_of_a_paragraph_the_article_lacks_is_a_warning_with_its_line(article_file, report):
    source = article_file(BODY.replace("这对我们意味着什么？", "¶2 与 ¶99 说了什么？"))
    line = source.read_text(encoding="utf-8").splitlines().index("1. ¶2 与 ¶99 说了什么？") + 1
    read_article(source, report)
    report.claim(
        f"{source}:{line}: warning: '¶99' cites a paragraph the article does not have (its pairs are ¶1-¶2)"
    )
    assert [w.code for w in report.findings] == ["no-such-pair"]
