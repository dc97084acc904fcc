"""Batch builds: digests, worker processes, incremental rebuilds, progress."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from briefpress.build import stamps, steps
from briefpress.build.steps import build
from briefpress.cli import main
from briefpress.errors import Report
from briefpress.options import Options
from conftest import BODY, EXAMPLE, MINIMAL_WARNING, ROOT

DUMPS = sorted((ROOT / "tests" / "dumps").glob("*.txt"))
SOURCES = [EXAMPLE, *DUMPS]
TITLES_NEWEST_FIRST = [
    "一页只有一对段落的文章",
    "Python 3 的十五年",
    "小模型的逆袭：为什么 1B 参数也够用",
    "OpenAI 第三阶段战略：AI 权力分配与人类韧性",
]

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


@pytest.fixture(scope="module")
def digest(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digest")
    options = Options(output=out, formats=("pdf", "epub"), digest="第 12 期", jobs=2)
    result = build(SOURCES, options, Report())
    assert result.ok, [str(e) for e in result.errors]
    assert result.built == 4 and result.warnings == [MINIMAL_WARNING]
    return out / "digest"


def test_digest_pdf_contents_page_numbers_match(digest):
    reader = pypdf.PdfReader(digest / "digest.pdf")
    pages = [page.extract_text() for page in reader.pages]
    toc = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-layout", str(digest / "digest.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = re.findall(r"^\s*(\S.*?)[ .]{3,}\s*(\d+)\s*$", toc, re.M)
    assert [title.strip(" .") for title, _ in listed] == TITLES_NEWEST_FIRST
    for title, number in listed:
        page = pages[int(number) - 1]
        assert title.strip(" .").replace(" ", "") in page.replace(" ", "").replace("\n", "")
        previous = pages[int(number) - 2]
        assert title.strip(" .") not in previous.split("\n")[-5:]  # the article starts there
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == TITLES_NEWEST_FIRST
    assert "第 12 期" in pages[0]


def test_digest_is_assembled_from_chapters_with_everything_a_document_has(digest):
    """Bookmarks article -> section, numbers 1..N after the front pages, links that land in
    their own chapter, metadata, every font embedded."""
    reader = pypdf.PdfReader(digest / "digest.pdf")
    total = len(reader.pages)
    top = [item for item in reader.outline]
    articles = [item for item in top if not isinstance(item, list)]
    children = [item for item in top if isinstance(item, list)]
    assert len(children) == len(articles) == 4
    assert [c.title for c in children[-1] if not isinstance(c, list)][:2] == ["阅读简报", "双语对照"]
    first = reader.get_destination_page_number(articles[0])
    for index, page in enumerate(reader.pages):
        footer = page.extract_text().replace(" ", "").split("\n")[-1]
        if index < first:
            assert not re.fullmatch(r"\d+/\d+", footer), index  # the cover and the contents
        else:
            assert footer == f"{index + 1}/{total}", (index, footer)
    for page in reader.pages:
        for ref in page.get("/Annots", []) or []:
            annotation = ref.get_object()
            destination = annotation.get("/Dest")
            action = annotation.get("/A") or {}
            assert destination is not None or action.get("/S") == "/URI", annotation
            if destination is not None:
                assert isinstance(destination, list), destination  # no named destination is left
                assert 0 <= reader.get_page_number(destination[0].get_object()) < total
    info = reader.metadata
    assert (info.title, info.author) == ("第 12 期", "阿头学")
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    fonts = subprocess.run(["pdffonts", str(digest / "digest.pdf")], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)
    cjk = [row.split()[0].split("+")[1] for row in rows if "CJK" in row]
    assert len(cjk) == len(set(cjk))  # one font per CJK face, not one per chapter


LINKED = """\
# 原文

Read on [below](#original) and [the prompts](#prompts).

Second paragraph.

# 译文

往下[读](#original),还有[讨论](#prompts)。

第二段。

# 讨论引子
1. 问题?
"""


@pytest.mark.parametrize("count", [3])
def test_digest_links_land_in_their_own_chapter_and_rebuilds_lay_out_only_what_changed(
    tmp_path, monkeypatch, count
):
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(1, count + 1):
        front = f"---\ntitle: 第 {n} 篇\ndate: 2026-06-0{n}\n---\n\n"
        (folder / f"a{n}.md").write_text(front + LINKED, encoding="utf-8")
    out = tmp_path / "out"
    options = Options(output=out, formats=("pdf",), digest="D", order="date-asc", jobs=2)
    assert build([folder], options, Report()).ok
    chapters = tmp_path / "cache" / "chapters"
    laid_out = {p.name for p in chapters.glob("*") if not p.name.endswith(".findings")}
    assert len(laid_out) == count
    data = (out / "digest" / "digest.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    starts = [
        reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)
    ]
    ends = [*starts[1:], len(reader.pages)]
    for index, page in enumerate(reader.pages):
        chapter = next((n for n, (a, b) in enumerate(zip(starts, ends, strict=True)) if a <= index < b), None)
        for ref in page.get("/Annots", []) or []:
            destination = ref.get_object().get("/Dest")
            if destination is not None and chapter is not None:
                target = reader.get_page_number(destination[0].get_object())
                assert starts[chapter] <= target < ends[chapter], (index, target)
    # a second build, forced, gives the same bytes; changing one article lays out one chapter
    assert build([folder], options.replace(force=True), Report()).ok
    assert (out / "digest" / "digest.pdf").read_bytes() == data
    source = folder / "a2.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Second", "A changed second"), encoding="utf-8"
    )
    assert build([folder], options, Report()).ok
    now = {p.name for p in chapters.glob("*") if not p.name.endswith(".findings")}
    assert len(now - laid_out) == 1


def test_merged_digest_stays_within_half_again_the_single_document(tmp_path, monkeypatch):
    from briefpress.editions import digest as digest_edition
    from briefpress.sources import read_article

    articles = digest_edition.order_articles([read_article(p, Report()) for p in SOURCES], "date-desc")
    options = Options(digest="D")
    merged = digest_edition.render_pdf("D", articles, options, Report())
    single = digest_edition.single_document("D", articles, options, Report())
    assert len(pypdf.PdfReader(io.BytesIO(merged)).pages) == len(pypdf.PdfReader(io.BytesIO(single)).pages)
    assert len(merged) <= 1.5 * len(single), (len(merged), len(single))


def test_digest_epub_nav_per_article_with_sections(digest):
    book = zipfile.ZipFile(digest / "digest.epub")
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    toc = nav.find(".//x:nav[@epub:type='toc']", ns)
    articles = toc.findall("x:ol/x:li", ns)
    assert [li.findtext("x:a", namespaces=ns) for li in articles] == TITLES_NEWEST_FIRST
    sections = [a.text for a in articles[-1].findall("x:ol/x:li/x:a", ns)]
    assert sections == ["阅读简报", "双语对照", "原文", "讨论引子"]  # no comments: no archive chapter
    opf = book.read("EPUB/content.opf").decode()
    assert "<dc:title>第 12 期</dc:title>" in opf


def test_digest_epub_passes_epubcheck(digest):
    from test_epub import epubcheck_problems

    assert epubcheck_problems(digest / "digest.epub") == []


def test_digest_order_option(tmp_path):
    options = Options(output=tmp_path, formats=("epub",), digest="D", order="date-asc", jobs=1)
    assert build(SOURCES, options, Report()).ok
    book = zipfile.ZipFile(tmp_path / "digest" / "digest.epub")
    ncx = book.read("EPUB/toc.ncx").decode()
    positions = [ncx.index(title) for title in reversed(TITLES_NEWEST_FIRST)]
    assert positions == sorted(positions)


def test_bad_article_fails_alone_in_a_pool(tmp_path, article_file):
    good = [article_file(BODY, name=f"good{n}.md") for n in range(3)]
    bad = article_file(BODY.replace("第二段。\n", ""), name="bad.md")
    out = io.StringIO()
    err = io.StringIO()
    code = main(
        ["build", *map(str, good), str(bad), "-o", str(tmp_path / "o"), "--formats", "html", "--jobs", "2"],
        stdout=out,
        stderr=err,
    )
    assert code == 1
    assert err.getvalue().count("error:") == 1 and "bad.md" in err.getvalue()
    assert sorted(p.name for p in (tmp_path / "o").iterdir() if p.is_dir()) == ["good0", "good1", "good2"]
    assert "3 of 4 article(s) built" in out.getvalue()


def test_incremental_rebuilds(tmp_path, article_file, monkeypatch):
    sources = [article_file(BODY, name=f"a{n}.md") for n in range(3)]
    options = Options(output=tmp_path / "o", formats=("html", "epub"), jobs=1)
    first = build(sources, options, Report())
    assert (first.built, first.unchanged) == (3, 0)
    html = tmp_path / "o" / "a0" / "a0.html"
    mtime = html.stat().st_mtime_ns
    second = build(sources, options, Report())
    assert (second.built, second.unchanged, second.outputs) == (0, 3, [])
    assert html.stat().st_mtime_ns == mtime
    sources[1].write_text(sources[1].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = build(sources, options, Report())
    assert (third.built, third.unchanged) == (1, 2)
    assert build(sources, options.replace(lang_ui="en"), Report()).built == 3  # options count
    html.unlink()
    assert build(sources, options.replace(lang_ui="en"), Report()).built == 1  # a missing output
    assert build(sources, options.replace(lang_ui="en", force=True), Report()).built == 3
    real = stamps.resources_hash()
    monkeypatch.setattr(steps, "resources_hash", lambda theme=None: real + "changed template")
    assert build(sources, options.replace(lang_ui="en"), Report()).built == 3


def test_resources_hash_follows_templates(monkeypatch, tmp_path):
    import shutil

    from briefpress import render

    copy = tmp_path / "templates"
    shutil.copytree(render.resource_dir("templates"), copy)
    before = stamps.resources_hash()
    original = render.resource_dir
    monkeypatch.setattr(stamps, "resource_dir", lambda name: copy if name == "templates" else original(name))
    assert stamps.resources_hash() == before
    (copy / "macros.html.j2").write_text((copy / "macros.html.j2").read_text() + "\n{# x #}\n")
    assert stamps.resources_hash() != before


def test_progress_lines_and_summary(tmp_path, article_file):
    sources = [article_file(BODY, name=f"p{n}.md") for n in range(2)]
    out = io.StringIO()
    args = ["build", *map(str, sources), "-o", str(tmp_path / "o"), "--formats", "html", "-j", "1"]
    assert main(args, stdout=out, stderr=io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"\[1/2\] .*p0\.md: 1 file\(s\) in \d+\.\d s", lines[0])
    assert re.fullmatch(
        r"2 of 2 article\(s\) built, 2 file\(s\), 0 warning\(s\), 0 error\(s\), "
        r"0 unchanged, in \d+\.\d s",
        lines[-1],
    )
    out = io.StringIO()
    assert main(args, stdout=out, stderr=io.StringIO()) == 0
    assert "[2/2]" in out.getvalue() and ": unchanged" in out.getvalue()
    assert "0 of 2 article(s) built, 0 file(s), 0 warning(s), 0 error(s), 2 unchanged" in out.getvalue()
