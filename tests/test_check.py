"""briefpress check: passes on faithful editions, names the paragraph that went missing."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from briefpress.cli import main
from conftest import EXAMPLE

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("check")
    assert run("build", str(EXAMPLE), "-o", str(out), "--formats", "pdf,epub")[0] == 0
    return out


def test_check_passes_on_the_example(built):
    code, out, err = run("check", str(built), "--no-reading")
    assert (code, err) == (0, "")
    assert "PDF text (46 paragraphs)   ok       every paragraph, in order" in out
    assert "PDF fonts embedded" in out and "EPUB text (46 paragraphs)" in out
    assert "EPUBCheck                  ok       0 errors, 0 warnings" in out
    assert out.rstrip().endswith("1 of 1 article(s) faithful to their sources")


def test_check_names_a_paragraph_removed_from_the_epub(built, tmp_path):
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(built, copy)
    book = copy / "openai-third-phase" / "openai-third-phase.epub"
    data = {}
    with zipfile.ZipFile(book) as source:
        infos = source.infolist()
        for info in infos:
            data[info.filename] = source.read(info.filename)
    chapter = "EPUB/03-original.xhtml"
    data[chapter] = data[chapter].replace(b"That is why access matters.", b"")
    with zipfile.ZipFile(book, "w") as target:
        for info in infos:
            target.writestr(info, data[info.filename])
    code, out, err = run("check", str(copy), "--no-epubcheck", "--no-reading")
    assert code == 1
    assert "EPUB text (46 paragraphs)  FAIL" in out
    assert (
        f"{EXAMPLE}: error: EPUB text (46 paragraphs): original paragraph at line 72 missing "
        "(the original text section): 'That is why access matters." in err
    )
    assert "PDF text (46 paragraphs)   ok" in out


def test_check_names_a_paragraph_missing_from_the_pdf(tmp_path):
    source = tmp_path / "a.md"
    text = EXAMPLE.read_text(encoding="utf-8")
    cut = text.replace(
        "That is why access matters. It is also why safety, privacy, affordability, "
        "open ecosystems, and public oversight matter.\n\n",
        "",
    )
    cut = cut.replace(
        "这就是为什么获取权如此重要。这也是为什么安全、隐私、可负担性、开放生态和公共监督都如此重要。\n\n", ""
    )
    assert cut != text
    source.write_text(cut, encoding="utf-8")
    assert run("build", str(source), "-o", str(tmp_path / "cut"), "--formats", "pdf")[0] == 0
    source.write_text(text, encoding="utf-8")  # the source is whole, and so is its build ...
    assert run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "pdf")[0] == 0
    pdf = "a/a.pdf"  # ... but for its PDF
    (tmp_path / "out" / pdf).write_bytes((tmp_path / "cut" / pdf).read_bytes())
    code, out, err = run("check", str(tmp_path / "out"))
    assert code == 1
    assert "original paragraph at line 72 missing: 'That is why access matters." in err
    assert err.startswith(f"{source.resolve()}: error: PDF text")


def test_check_usage(tmp_path):
    assert run("check", str(tmp_path / "nope"))[0] == 2
    code, _, err = run("check", str(tmp_path))
    assert code == 1 and "no built articles here" in err


def test_check_reads_a_dump_with_the_options_it_was_built_with(tmp_path):
    """Regression: a dump whose copies disagree, built with --prefer pairs, failed check
    because check read it again without --prefer."""
    from test_import import SEED, mutate

    dump = tmp_path / "page.txt"
    dump.write_text(mutate(SEED.read_text(encoding="utf-8"), 83), encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(dump), "-o", str(out), "--formats", "epub")[0] == 1  # the copies disagree
    code, _, err = run("build", str(dump), "-o", str(out), "--formats", "epub", "--prefer", "pairs")
    assert code == 0 and "kept the pairs' text" in err
    code, out_text, err = run("check", str(out), "--no-epubcheck", "--no-reading")
    assert (code, err) == (0, ""), out_text
    assert "EPUB text (46 paragraphs)" in out_text


def test_check_verifies_a_digest_article_by_article(tmp_path):
    """A digest is checked like an article: every article's paragraphs, in the digest's
    order, in its PDF and EPUB (it used to be skipped as 'a digest?')."""
    import shutil

    from conftest import ROOT

    tiny = ROOT / "tests" / "articles" / "tiny" / "tiny.md"
    out = tmp_path / "out"
    code, _, err = run(
        "build", str(EXAMPLE), str(tiny), "-o", str(out), "--formats", "pdf,epub", "--digest", "D"
    )
    assert code == 0, err
    code, report, err = run("check", str(out), "--no-reading", "--no-epubcheck")
    assert (code, err) == (0, "")
    assert "digest of 2 article(s)" in report and "every paragraph of 2 articles, in order" in report
    assert report.rstrip().endswith("2 of 2 article(s) and 1 of 1 digest(s) faithful to their sources")
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    book = copy / "digest" / "digest.epub"
    with zipfile.ZipFile(book) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info.filename) for info in infos}
    changed = [name for name, content in data.items() if "这就是为什么获取权如此重要。".encode() in content]
    assert changed
    for name in changed:
        data[name] = data[name].replace("这就是为什么获取权如此重要。".encode(), b"")
    with zipfile.ZipFile(book, "w") as target:
        for info in infos:
            target.writestr(info, data[info.filename])
    code, report, err = run("check", str(copy), "--no-reading", "--no-epubcheck")
    assert code == 1
    assert f"{copy / 'digest'}: error: EPUB text" in err
    assert f"{EXAMPLE.resolve()}: translation paragraph at line" in err and "missing" in err


def test_check_says_which_edition_it_cannot_read(tmp_path):
    """A truncated book or PDF is a failing row, not an internal error."""
    out = tmp_path / "out"
    assert run("build", str(EXAMPLE), "-o", str(out), "--formats", "pdf,epub")[0] == 0
    folder = out / "openai-third-phase"
    for name in ("openai-third-phase.epub", "openai-third-phase.pdf"):
        path = folder / name
        path.write_bytes(path.read_bytes()[:3000])
    code, report, err = run("check", str(out), "--no-reading", "--no-epubcheck")
    assert code == 1 and "internal error" not in err and "Traceback" not in err
    assert re.search(r"\n  EPUB +FAIL +cannot be read: \S+/openai-third-phase.epub: is not a ZIP", report)
    assert re.search(r"\n  PDF +FAIL +cannot be read: ", report), report


NOTES_INSIDE = """---
title: Notes inside
date: 2026-07-05
---

# 原文

Alpha[^1] note and more words.

Beta note[^2], then Gamma.

[^1]: first
[^2]: second

# 译文

甲[^1]注，还有话。

乙注[^2]，然后丙。

[^1]: 一
[^2]: 二

# 讨论引子

1. Why?
"""


def test_check_reads_a_note_reference_inside_a_paragraph_as_its_number(tmp_path):
    """An edition prints a reference as its number where it stands ('Alpha1note'): check
    expects it there, in an article's editions and in a digest's (it said 'missing')."""
    (tmp_path / "notes.md").write_text(NOTES_INSIDE, encoding="utf-8")
    tiny = EXAMPLE.parents[1] / "tests" / "articles" / "tiny" / "tiny.md"
    out = tmp_path / "out"
    source = str(tmp_path / "notes.md")
    code, _, err = run("build", source, str(tiny), "-o", str(out), "--formats", "pdf,epub", "--digest", "D")
    assert code == 0, err
    code, report, err = run("check", str(out), "--no-reading", "--no-epubcheck")
    assert (code, err) == (0, ""), report
    assert report.rstrip().endswith("2 of 2 article(s) and 1 of 1 digest(s) faithful to their sources")
    book = out / "notes" / "notes.epub"
    with zipfile.ZipFile(book) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info.filename) for info in infos}
    for name in data:  # the words after the reference, gone: still found missing
        data[name] = data[name].replace(b"then Gamma", b"then")
    with zipfile.ZipFile(book, "w") as target:
        for info in infos:
            target.writestr(info, data[info.filename])
    code, report, err = run("check", str(out / "notes"), "--no-reading", "--no-epubcheck")
    assert code == 1 and "original paragraph at line 10 missing: 'Beta note2, then Gamma.'" in err
