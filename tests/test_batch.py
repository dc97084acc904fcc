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
from conftest import BODY, EXAMPLE, ROOT

DUMPS = sorted((ROOT / "tests" / "dumps").glob("*.txt"))
SOURCES = [EXAMPLE, *DUMPS]
TITLES_NEWEST_FIRST = [
    "一页只有一对段落的文章",
    "Python 3 的十五年",
    "小模型的逆袭:为什么 1B 参数也够用",
    "OpenAI 第三阶段战略:AI 权力分配与人类韧性",
]

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


@pytest.fixture(scope="module")
def digest(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digest")
    options = Options(output=out, formats=("pdf", "epub"), digest="第 12 期", jobs=2)
    result = build(SOURCES, options, Report())
    assert result.ok, [str(e) for e in result.errors]
    assert result.built == 4 and result.warnings == []
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
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["good0", "good1", "good2"]
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
    monkeypatch.setattr(steps, "resources_hash", lambda: real + "changed template")
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
