"""The EPUB: package structure, navigation, languages, notes, EPUBCheck, reproducibility."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from briefpress.editions import epub as epub_edition
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE, RICH_SOURCE, ROOT

NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "svg": "http://www.w3.org/2000/svg",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
# the example's discussion archive is empty: it gets no chapter
SECTIONS = ["阅读简报", "双语对照", "原文", "讨论引子"]


class Book:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.base = self.opf_path.rpartition("/")[0]
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.manifest = {item.get("id"): item for item in self.opf.findall("opf:manifest/opf:item", NS)}

    def read(self, href: str) -> bytes:
        return self.zip.read(f"{self.base}/{href}" if self.base else href)

    def xml(self, href: str):
        return etree.fromstring(self.read(href))

    def item(self, prop: str):
        return next(i for i in self.manifest.values() if prop in (i.get("properties") or ""))


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    """The example as an EPUB alone (it lays out the A4 handout for its page-list, once)."""
    from briefpress.build.steps import build
    from briefpress.errors import Report

    out = tmp_path_factory.mktemp("epub")
    result = build([EXAMPLE], Options(output=out, formats=("epub",)), Report())
    assert result.ok and result.warnings == [], [str(e) for e in result.errors]
    return out / "openai-third-phase" / "openai-third-phase.epub"


@pytest.fixture(scope="module")
def book(path):
    return Book(path)


@pytest.mark.slow
def test_container_and_mimetype(book):
    first = book.zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip"


def test_metadata(book):
    meta = book.opf.find("opf:metadata", NS)
    assert meta.findtext("dc:language", namespaces=NS) == "zh-Hans"
    assert meta.findtext("dc:title", namespaces=NS) == "OpenAI 第三阶段战略：AI 权力分配与人类韧性"
    assert meta.findtext("dc:creator", namespaces=NS) == "OpenAI"
    identifier = meta.findtext("dc:identifier", namespaces=NS)
    assert identifier == epub_edition.book_identifier(read_article(EXAMPLE, _quiet()))
    assert identifier.startswith("urn:uuid:")
    assert {s.text for s in meta.findall("dc:subject", NS)} == {"AI 战略", "OpenAI"}
    # the newsletter publishes, not the tool; the package states the book's language (Ace: epub-lang)
    assert meta.findtext("dc:publisher", namespaces=NS) == "阿头学"
    assert book.opf.get(XML_LANG) == "zh-Hans"


@pytest.mark.slow
def test_translator_and_editor_credited_with_marc_roles(tmp_path, report):
    from briefpress.build.steps import build

    result = build([RICH_SOURCE], Options(output=tmp_path, formats=("epub",)), report)
    assert result.ok, [str(e) for e in result.errors]
    book = Book(tmp_path / "rich" / "rich.epub")
    meta = book.opf.find("opf:metadata", NS)
    roles = {
        m.get("refines"): m.text
        for m in meta.findall("opf:meta[@property='role']", NS)
        if m.get("scheme") == "marc:relators"
    }
    credited = {c.text: roles[f"#{c.get('id')}"] for c in meta.findall("dc:contributor", NS)}
    assert credited == {"李明": "trl", "王芳": "edt"}
    title = book.xml("01-brief.xhtml").find(".//x:dl[@class='meta']", NS)
    assert "译者李明" in "".join(title.itertext()) and "编辑王芳" in "".join(title.itertext())


def _quiet():
    from briefpress.errors import Report

    return Report()


def test_spine_within_manifest_and_ids_unique(book):
    ids = [i.get("id") for i in book.opf.findall("opf:manifest/opf:item", NS)]
    assert len(ids) == len(set(ids))
    spine = [ref.get("idref") for ref in book.opf.findall("opf:spine/opf:itemref", NS)]
    assert set(spine) <= set(ids)
    hrefs = [book.manifest[i].get("href") for i in spine]
    assert hrefs == [
        "cover.xhtml",
        "nav.xhtml",
        "01-brief.xhtml",
        "02-bilingual.xhtml",
        "03-original.xhtml",
        "04-prompts.xhtml",
    ]
    for item in book.manifest.values():
        book.read(item.get("href"))  # every manifest item is in the zip


def test_nav_and_ncx_follow_the_spine(book):
    nav = book.xml(book.item("nav").get("href"))
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    entries = [(a.text, a.get("href")) for a in toc.iterfind("x:ol/x:li/x:a", NS)]
    assert [title for title, _ in entries] == SECTIONS
    ncx_item = next(i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
    ncx = book.xml(ncx_item.get("href"))
    points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS) for p in points] == SECTIONS
    assert [p.find("ncx:content", NS).get("src") for p in points] == [h for _, h in entries]


def test_languages_on_blocks(book):
    chapter = book.xml("02-bilingual.xhtml")
    assert chapter.get("lang") == chapter.get(XML_LANG) == "zh-Hans"
    origs = chapter.findall(".//x:div[@class='orig']", NS)
    trans = chapter.findall(".//x:div[@class='trans']", NS)
    assert len(origs) == len(trans) == 23
    assert {(d.get("lang"), d.get(XML_LANG)) for d in origs} == {("en", "en")}
    assert {(d.get("lang"), d.get(XML_LANG)) for d in trans} == {("zh-Hans", "zh-Hans")}


def test_every_chapter_is_utf8_xhtml_with_the_stylesheet(book):
    for item in book.manifest.values():
        if item.get("media-type") == "application/xhtml+xml":
            data = book.read(item.get("href"))
            assert re.match(rb"<\?xml version=(['\"])1\.0\1 encoding=(['\"])utf-8\2\?>", data.lower())
            assert b"<script" not in data


def test_footnotes_are_popup_notes_with_back_links(book):
    for href in ("02-bilingual.xhtml", "03-original.xhtml"):
        chapter = book.xml(href)
        refs = [a for a in chapter.iterfind(".//x:a", NS) if a.get(EPUB_TYPE) == "noteref"]
        asides = {a.get("id"): a for a in chapter.iterfind(".//x:aside", NS)}
        assert refs and asides
        ids = {e.get("id") for e in chapter.iter() if e.get("id")}
        for ref in refs:
            target = asides[ref.get("href").lstrip("#")]
            assert target.get(EPUB_TYPE) == "footnote"
            backs = [a.get("href").lstrip("#") for a in target.iterfind(".//x:a", NS)]
            assert ref.get("id") in backs
            assert set(backs) <= ids


def epubcheck_problems(path) -> list[str]:
    """EPUBCheck's fatals, errors and warnings for one book, one line each."""
    from briefpress.check import epubcheck_messages

    messages = epubcheck_messages(path)
    if messages is None:
        pytest.fail("EPUBCheck needs Java and the epubcheck package: run 'make setup'")
    return [
        f"{path.name}: {m['severity']} {m['ID']} "
        f"{[(loc['path'], loc.get('line')) for loc in m['locations']]}: {m['message']}"
        for m in messages
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


@pytest.mark.slow
def test_epubcheck_catches_a_broken_book(tmp_path, path):
    """The checker used below really reports problems (a link to a missing fragment)."""
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("03-original.xhtml"):
                data = data.replace(b"</body>", b'<p><a href="#nowhere">x</a></p></body>')
            target.writestr(info, data)
    assert any("RSC-012" in p for p in epubcheck_problems(broken))


@pytest.mark.slow
def test_embedded_font_is_reproducible(report, monkeypatch):
    """Regression: the font subset carried the time it was made, so books differed."""
    from fontTools.ttLib.tables import _h_e_a_d

    article = read_article(EXAMPLE, report)
    first = epub_edition.render(article, Options(embed_fonts=True), report)
    later = _h_e_a_d.timestampNow() + 86400
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: later)  # a day later
    assert epub_edition.render(article, Options(embed_fonts=True), report) == first


@pytest.mark.slow
def test_reproducible(tmp_path, report, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    article = read_article(EXAMPLE, report)
    first = epub_edition.render(article, Options(), report)
    second = epub_edition.render(read_article(EXAMPLE, report), Options(), report)
    assert first == second
    book = tmp_path / "b.epub"
    book.write_bytes(first)
    modified = Book(book).opf.find(".//opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2026-06-09T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    third = epub_edition.render(article, Options(), report)
    book.write_bytes(third)
    assert Book(book).opf.find(".//opf:meta[@property='dcterms:modified']", NS).text == (
        "2026-05-28T20:26:40Z"
    )
    assert {i.date_time for i in zipfile.ZipFile(book).infolist()} == {(2026, 5, 28, 20, 26, 40)}


RICH = """\
# 原文

## A heading

Text with a note.[^a] And `code`.

![A red square](img/red.png)

| a | b |
| - | - |
| 1 | 2 |

> A quote.

- one
- two

```
print("hi")
```

---

[^a]: The note.

# 译文

## 标题

带注释的文字。[^a] 以及 `code`。

![红色方块](img/red.png)

| 甲 | 乙 |
| - | - |
| 1 | 2 |

> 引文。

- 一
- 二

```
print("你好")
```

---

[^a]: 注释。
"""


@pytest.mark.slow
def test_rich_article_images_in_the_epub(tmp_path, article_file, report):
    from PIL import Image

    from briefpress.build.steps import build

    (tmp_path / "img").mkdir()
    Image.new("RGB", (40, 40), "red").save(tmp_path / "img" / "red.png")
    source = article_file(RICH)
    result = build([source], Options(output=tmp_path / "out"), report)
    assert result.ok, [str(e) for e in result.errors]
    path = tmp_path / "out" / "a" / "a.epub"
    book = Book(path)
    assert [i.get("href") for i in book.manifest.values() if i.get("media-type") == "image/png"] == [
        "images/001.png",
        "images/cover.png",
    ]
    # the same image in both languages is shown once on the bilingual pages, with the
    # translation's alt text; the original text has it with its own
    chapter = book.xml("01-bilingual.xhtml")
    assert [img.get("alt") for img in chapter.iterfind(".//x:img", NS)] == ["红色方块"]
    original = book.xml("02-original.xhtml")
    assert [img.get("alt") for img in original.iterfind(".//x:img", NS)] == ["A red square"]
    assert {
        img.get("src") for img in [*chapter.iterfind(".//x:img", NS), *original.iterfind(".//x:img", NS)]
    } == {"images/001.png"}


# -- e-readers: cover, navigation, Kindle-safe markup, accessibility, fonts -------------


def test_cover_image_and_page(book):
    from PIL import Image

    cover = next(i for i in book.manifest.values() if "cover-image" in (i.get("properties") or ""))
    meta = book.opf.find("opf:metadata/opf:meta[@name='cover']", NS)
    assert meta.get("content") == cover.get("id")
    image = Image.open(io.BytesIO(book.read(cover.get("href"))))
    assert image.height >= 1600 and image.format == "PNG"
    spine = [book.manifest[r.get("idref")].get("href") for r in book.opf.findall("opf:spine/opf:itemref", NS)]
    assert spine[0] == "cover.xhtml" and spine.count("cover.xhtml") == 1
    # an SVG wrapper scales the image to the screen in every reader; its title describes it
    page = book.xml("cover.xhtml")
    assert page.get("class") == "cover-page"
    [svg] = page.iterfind(".//svg:svg", NS)
    assert svg.get("viewBox") == f"0 0 {image.width} {image.height}"
    assert svg.get("preserveAspectRatio") == "xMidYMid meet" and svg.get("role") == "img"
    assert svg.find("svg:image", NS).get("{http://www.w3.org/1999/xlink}href") == cover.get("href")
    assert svg.findtext("svg:title", namespaces=NS).startswith("OpenAI 第三阶段战略")
    assert "svg" in book.manifest["cover"].get("properties").split()


def test_landmarks_and_nested_toc(book):
    nav = book.xml(book.item("nav").get("href"))
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    assert landmarks.get("hidden") is not None  # for reading systems, never shown to readers
    assert nav.find(".//x:nav[@epub:type='toc']", NS).get("hidden") is None
    marks = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iterfind(".//x:a", NS)}
    assert marks == {"cover": "cover.xhtml", "toc": "nav.xhtml", "bodymatter": "01-brief.xhtml"}
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    nested = [a.get("href") for a in toc.iterfind("x:ol/x:li/x:ol/x:li/x:a", NS)]
    assert nested == ["02-bilingual.xhtml#bilingual-zh-h13", "03-original.xhtml#original-en-h13"]
    for href in nested:
        name, _, ident = href.partition("#")
        assert book.xml(name).find(f".//*[@id='{ident}']", NS) is not None
    ncx_item = next(i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml")
    ncx = book.xml(ncx_item.get("href"))
    srcs = [c.get("src") for c in ncx.iterfind(".//ncx:content", NS)]
    assert srcs == [a.get("href") for a in toc.iterfind(".//x:a", NS)]


@pytest.mark.slow
def test_the_contents_page_is_a_styled_list(path, tmp_path):
    """The nav document in the book's stylesheet, as Chromium lays it out: no numbers or
    bullets, each level set in under the one above, room between the entries."""
    from briefpress import reading

    zipfile.ZipFile(path).extractall(tmp_path)
    nav = next(tmp_path.rglob("nav.xhtml"))
    assert 'href="styles/book.css"' in nav.read_text(encoding="utf-8")
    with reading.Browser(offline=True) as chromium, chromium.page(nav.as_uri(), width=480) as page:
        found = page.evaluate(
            """() => [...document.querySelectorAll('nav#toc a')].map(a => {
                const li = a.closest('li'), box = a.getBoundingClientRect();
                return {depth: a.closest('ol').parentElement.closest('ol') ? 2 : 1, x: box.left,
                        top: box.top, bottom: box.bottom,
                        marker: getComputedStyle(li).listStyleType, weight: getComputedStyle(a).fontWeight};
            })"""
        )
    assert {entry["marker"] for entry in found} == {"none"}
    top = [e for e in found if e["depth"] == 1]
    inner = [e for e in found if e["depth"] == 2]
    assert top and inner and min(e["x"] for e in inner) >= max(e["x"] for e in top) + 12
    assert all(int(e["weight"]) >= 600 for e in top)
    gaps = [b["top"] - a["bottom"] for a, b in zip(found, found[1:], strict=False)]
    assert min(gaps) >= 4, gaps  # room to tap one entry, not its neighbour


def test_kindle_safe_markup_and_css(book):
    css = book.read("styles/book.css").decode()
    assert not re.search(r"margin[^;{}]*:[^;{}]*-\d", css)  # no negative margins
    assert not re.search(r"(?:^|\})\s*(?:html|body)\s*\{[^}]*[^-]color\s*:", css)
    for stack in re.findall(r"font-family:\s*([^;]+);", css):
        assert stack.split(",")[0].strip() in ("serif", "sans-serif", "monospace"), stack
    for item in book.manifest.values():
        if item.get("media-type") != "application/xhtml+xml":
            continue
        page = book.xml(item.get("href"))
        body_ids = {page.find("x:body", NS).get("id")} - {None}
        for a in page.iterfind(".//x:a", NS):
            target = (a.get("href") or "").partition("#")[2]
            assert target not in body_ids
        for img in page.iterfind(".//x:img", NS):
            assert img.get("src") and img.get("alt")
        assert page.find(".//x:script", NS) is None


def test_accessibility_metadata(book):
    meta = book.opf.find("opf:metadata", NS)
    props: dict[str, list[str]] = {}
    for m in meta.findall("opf:meta[@property]", NS):
        props.setdefault(m.get("property"), []).append(m.text)
    assert props["schema:accessMode"] == ["textual", "visual"]
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"} <= set(
        props["schema:accessibilityFeature"]
    )
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["schema:accessibilitySummary"][0]
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


@pytest.mark.slow
def test_translation_only(tmp_path, report):
    article = read_article(EXAMPLE, report)
    path = tmp_path / "t.epub"
    path.write_bytes(epub_edition.render(article, Options(translation_only=True), report))
    book = Book(path)
    chapter = book.xml("02-bilingual.xhtml")
    assert chapter.findall(".//x:div[@class='orig']", NS) == []
    assert len(chapter.findall(".//x:div[@class='trans']", NS)) == 23
    assert chapter.findtext(".//x:h2", namespaces=NS) == "译文"
    assert "Every few generations" in book.read("03-original.xhtml").decode()
    nav = book.xml(book.item("nav").get("href"))
    assert [a.text for a in nav.find(".//x:nav[@epub:type='toc']", NS).iterfind("x:ol/x:li/x:a", NS)][
        1
    ] == "译文"


@pytest.mark.slow
def test_embedded_font_covers_exactly_the_books_characters(tmp_path, report):
    from fontTools.ttLib import TTFont

    article = read_article(EXAMPLE, report)
    path = tmp_path / "f.epub"
    path.write_bytes(epub_edition.render(article, Options(embed_fonts=True), report))
    book = Book(path)
    [font] = [i for i in book.manifest.values() if i.get("media-type") == "font/otf"]
    cmap = set(TTFont(io.BytesIO(book.read(font.get("href")))).getBestCmap())
    from briefpress.l10n import labels

    text = article.all_text() + "".join(labels("zh-Hans").values()) + Options().site_name
    needed = {ord(ch) for ch in text if not ch.isspace()}
    assert needed <= cmap
    assert len(cmap - needed) <= 10  # the space and the like, not the whole font
    assert "@font-face" in book.read("styles/book.css").decode()


@pytest.mark.slow
def test_every_book_passes_epubcheck(tmp_path, article_file):
    """examples/, the test dumps, a rich test article, and the option variants: 0 and 0."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    from briefpress.build.steps import build
    from briefpress.errors import Report

    rich = article_file(RICH, name="small.md")
    (rich.parent / "img").mkdir()
    Image.new("RGB", (40, 40), "red").save(rich.parent / "img" / "red.png")
    sources = [
        *sorted((ROOT / "examples").glob("*.md")),
        *sorted((ROOT / "tests" / "dumps").glob("*.txt")),
        rich,
        RICH_SOURCE,
    ]
    variants = {
        "default": Options(),
        "translation-only": Options(translation_only=True, lang_ui="en"),
        "embedded-font": Options(embed_fonts=True),
    }
    for name, options in variants.items():
        chosen = sources if name == "default" else sources[:1]
        result = build(chosen, options.replace(output=tmp_path / name, formats=("epub",)), Report())
        assert result.ok, [str(e) for e in result.errors]
    books = sorted(tmp_path.rglob("*.epub"))
    assert len(books) == len(sources) + 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(epubcheck_problems, books) for p in found]
    assert problems == []


# -- what screen readers and e-readers meet: languages, notes, empty sections ---------


@pytest.fixture(scope="module")
def rich_books(tmp_path_factory):
    """The rich test article as a book with Chinese labels, and translation-only with English ones."""
    from briefpress.build.steps import build
    from briefpress.errors import Report

    out = tmp_path_factory.mktemp("rich")
    books = {}
    for name, options in {"zh": Options(), "en": Options(lang_ui="en", translation_only=True)}.items():
        result = build([RICH_SOURCE], options.replace(output=out / name, formats=("epub",)), Report())
        assert result.ok and result.warnings == [], result.errors
        books[name] = Book(out / name / "rich" / "rich.epub")
    return books


@pytest.mark.slow
def test_back_links_are_the_note_numbers_and_labels_carry_the_interface_language(rich_books):
    """A note's pop-up holds the note alone: its number is the link back (no "返回正文" in
    it, in whatever language); the headings of --lang-ui en are English in a Chinese book."""
    for name in ("zh", "en"):
        chapter = rich_books[name].xml("02-bilingual.xhtml")
        asides = list(chapter.iterfind(".//x:aside", NS))
        assert asides
        for aside in asides:
            links = list(aside.iterfind(".//x:a", NS))
            assert [(a.get("class"), a.get("role"), a.text) for a in links] == [
                ("note-number", "doc-backlink", "1")
            ]
            assert "返回正文" not in "".join(aside.itertext())
            assert "Back to text" not in "".join(aside.itertext())
    english = rich_books["en"].xml("02-bilingual.xhtml")
    heading = english.find(".//x:h2", NS)
    assert (heading.text, heading.get("lang")) == ("Translation", "en")


def test_contents_entries_in_their_own_language(rich_books):
    for name, ui_lang in (("zh", "zh-Hans"), ("en", "en")):
        nav = rich_books[name].xml("nav.xhtml")
        assert nav.get("lang") == "zh-Hans"  # the book's language
        toc = nav.find(".//x:nav[@epub:type='toc']", NS)
        assert (toc.get("lang") or "zh-Hans") == ui_lang
        entries = {a.text: a.get("lang") or ui_lang for a in toc.iterfind(".//x:a", NS)}
        assert entries["Where the numbers come from"] == "en"
        assert entries["数字从哪里来"] == "zh-Hans"
        labels = ("阅读简报", "原文") if name == "zh" else ("Brief", "Original text")
        assert all(entries[label] == ui_lang for label in labels)


def test_a_footnote_of_two_paragraphs_keeps_them(rich_books):
    chapter = rich_books["zh"].xml("03-original.xhtml")
    [part] = chapter.iterfind(".//x:aside[@class='footnote note-part note-original']", NS)
    paragraphs = ["".join(p.itertext()).strip() for p in part.iterfind("x:p", NS)]
    assert paragraphs == [
        "The dashboard counts a task as passed only when every check in it passes.",
        "Runs before 2025 used an older schema and are left out of the table.",
    ]
    css = rich_books["zh"].read("styles/book.css").decode()
    assert not re.search(r"\.note-part p \{[^}]*display: inline", css)  # paragraphs stay paragraphs
    assert re.search(r"a\.note-number \{[^}]*text-decoration: none", css)


def test_an_archive_with_comments_is_a_chapter(rich_books):
    """The example's empty archive has no chapter (see SECTIONS); one with comments has."""
    chapter = rich_books["zh"].xml("05-discussion.xhtml")
    assert "表格在手机上能横向滚动就够了" in "".join(chapter.itertext())


def test_english_asks_for_hyphenation_and_tables_for_borders(rich_books):
    css = rich_books["zh"].read("styles/book.css").decode()
    rule = " ".join(re.findall(r"\.orig, \.original-text, \.note-original \{([^}]*)\}", css))
    assert all(p in rule for p in ("hyphens: auto", "-webkit-hyphens: auto", "-epub-hyphens: auto"))
    assert re.search(r"th, td \{[^}]*border: 1px solid[^}]*padding", css)
    chapter = rich_books["zh"].xml("03-original.xhtml")
    [wrap] = chapter.iterfind(".//x:div[@class='table-wrap']", NS)
    assert wrap.find("x:table", NS) is not None
    dates = [s.text for s in wrap.iterfind(".//x:span[@class='nowrap']", NS)]
    assert "2025-01-15" in dates and "1,204" in dates
