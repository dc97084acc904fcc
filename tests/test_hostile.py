"""Hostile and broken input: one clear line, exit 1, nothing written, nothing leaked."""

from __future__ import annotations

import io
import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from briefpress.build import steps as builder
from briefpress.cli import main
from conftest import BODY, EXAMPLE, FRONT, ROOT

BAD = ROOT / "tests" / "bad"

# file in tests/bad, the line the message names (None: the file as a whole), a fragment
CASES = [
    ("empty.md", 1, "no front matter"),
    ("no-front-matter.md", 1, "no front matter"),
    ("unclosed-front-matter.md", 1, "front matter"),
    ("broken-yaml.md", 3, "not valid YAML"),
    ("missing-title.md", 1, "needs 'title:'"),
    ("missing-date.md", 1, "needs 'date:'"),
    ("impossible-date.md", 3, "not a real date"),
    ("date-format.md", 3, "YYYY-MM-DD"),
    ("script-source-url.md", 4, "http:// or https://"),
    ("slug-escape.md", 4, "slug"),
    ("unknown-section.md", 18, "unknown section '# Refs'"),
    ("duplicate-section.md", 18, "appears twice"),
    ("text-before-section.md", 6, "text before the first section"),
    ("no-original.md", None, "no '# 原文'"),
    ("empty-original.md", 6, "is empty"),
    ("unpaired.md", 10, "they stop lining up at block 2"),
    ("footnote-undefined.md", 8, "never defined"),
    ("footnote-one-language.md", 14, "defined in the original (line 10) but not in '# 译文'"),
    ("image-missing.md", 8, "not found"),
    ("image-outside.md", 8, "outside the article's folder"),
    ("image-absolute.md", 8, "relative path"),
    ("brief-not-a-list.md", 8, "found a paragraph"),
    ("prompts-not-ordered.md", 8, "ordered list"),
    ("bad-comment.md", 20, "(YYYY-MM-DD)"),
    ("not-a-dump.txt", 1, "not a page dump"),
    ("non-utf8.md", 8, "not UTF-8"),
    ("nul-bytes.md", 8, "NUL bytes"),
    ("binary.md", 3, "NUL bytes"),
]


def generated(folder: Path) -> list[tuple[Path, int | None, str]]:
    """Cases too large to keep in the repository, made at test time."""
    cases = []

    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    line = "A sentence that goes on and on without ever ending, " * 2
    big = "\n".join([line] * (5 * 1024 * 1024 // len(line)))
    cases.append(
        (write("five-mb-paragraph.md", FRONT + "\n# 原文\n\n" + big + "\n"), 8, "characters long; the limit")
    )
    many = "\n\n".join(f"Paragraph {n}." for n in range(10_000))
    cases.append(
        (write("ten-thousand.md", FRONT + "\n# 原文\n\n" + many + "\n"), 4008, "more than 2,000 blocks")
    )
    nested = "".join("  " * depth + "- level\n" for depth in range(500))
    cases.append((write("nested.md", FRONT + "\n# 原文\n\n" + nested), 16, "nested too deeply"))
    cases.append(
        (
            write("one-mb-line.md", FRONT + "\n# 原文\n\n" + "x" * (1024 * 1024) + "\n"),
            8,
            "characters long; the limit is 100,000",
        )
    )
    huge = folder / "eleven-mb.md"
    huge.write_text(FRONT + "\n# 原文\n\n" + ("word " * 20 + "\n") * 110_000, encoding="utf-8")
    cases.append((huge, None, "an article may be at most 10 MB"))
    (folder / "folder.md").mkdir()
    cases.append((folder / "folder.md", None, "is a folder"))
    (folder / "article-folder").mkdir()
    os.symlink("/etc/passwd", folder / "article-folder" / "link.png")
    cases.append(
        (
            write("article-folder/symlink-image.md", FRONT + "\n# 原文\n\n![x](link.png)\n"),
            8,
            "outside the article's folder",
        )
    )
    return cases


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.fixture
def output(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder that already holds a good article's editions."""
    out = tmp_path / "out"
    assert run("build", str(EXAMPLE), "-o", str(out), "--formats", "html,epub")[0] == 0
    before = {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return out, before


def assert_one_clean_error(code: int, err: str, path: Path, line: int | None, fragment: str) -> None:
    assert code == 1, err
    errors = [row for row in err.splitlines() if ": error: " in row]
    assert len(errors) == 1, err
    where = f"{path}:{line}: error: " if line else f"{path}: error: "
    assert errors[0].startswith(where), errors[0]
    assert fragment in errors[0]
    assert "Traceback" not in err


def test_the_corpus_has_at_least_thirty_cases(tmp_path):
    assert len(CASES) + len(generated(tmp_path)) >= 30


@pytest.mark.slow
@pytest.mark.parametrize(("name", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(output, name, line, fragment):
    out, before = output
    path = BAD / name
    code, _, err = run("build", str(path), "-o", str(out), "--formats", "html,pdf,epub,newsletter")
    assert_one_clean_error(code, err, path, line, fragment)
    assert {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_generated_bad_input(output, tmp_path):
    out, before = output
    (tmp_path / "in").mkdir()
    for path, line, fragment in generated(tmp_path / "in"):
        started = time.perf_counter()
        code, _, err = run("build", str(path), "-o", str(out), "--formats", "html,pdf,epub")
        assert_one_clean_error(code, err, path, line, fragment)
        assert time.perf_counter() - started < 120  # bounded, generously: no render happened
        assert {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_unreadable_file_and_unwritable_output(tmp_path, article_file, monkeypatch):
    source = article_file(BODY)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run("build", str(source), "-o", str(blocker), "--formats", "html")
    assert_one_clean_error(code, err, source, None, "cannot create the output folder")
    real = Path.read_bytes

    def refuse(self):
        if self == source:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html")
    assert_one_clean_error(code, err, source, None, "cannot read the file: Permission denied")


def test_usage_errors_exit_2():
    for argv in (
        ["build", str(EXAMPLE), "--formats", "docx"],
        ["build", str(EXAMPLE), "--timeout", "-1"],
        ["build", str(EXAMPLE), "--paper", "B5"],
        ["build"],
        ["frobnicate"],
    ):
        code, _, err = run(*argv)
        assert code == 2 and "Traceback" not in err and err.count("error:") == 1


@pytest.mark.slow
def test_timeout_stops_an_article_and_writes_nothing(tmp_path, article_file, monkeypatch):
    source = article_file(BODY)

    def slow(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(builder, "render_article", slow)  # inherited by the forked process
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html", "--timeout", "1")
    assert_one_clean_error(code, err, source, None, "took longer than 1 s (--timeout); nothing written")
    assert not (tmp_path / "o" / "a").exists()


# -- nothing from the machine gets in ----------------------------------------------------

SECRET = "TOP-SECRET-MARKER-4217"
HOSTILE = """\
# 原文

<script>alert(document.cookie)</script> <iframe src="file:///etc/passwd"></iframe>
<img src="../secret.txt" onerror="alert(1)"> <link rel="attachment" href="../secret.txt">
<style>@import url(file:///etc/passwd); body {{ background: url(../secret.txt) }}</style>

[passwd](file:///etc/passwd) ![img](file:///etc/passwd) [secret](../secret.txt) [js](javascript:alert(1)) [ftp](ftp://example.org/x)

![svg](pic.svg)

# 译文

<script>alert(1)</script>

链接。

![svg](pic.svg)
"""
SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="40" height="40">
<image href="file:///etc/passwd" width="10" height="10"/>
<image xlink:href="../secret.txt" width="10" height="10"/>
<style>@import url("../secret.txt");</style>
<rect width="40" height="40" fill="red"/></svg>"""


@pytest.mark.slow
def test_hostile_source_leaks_nothing(tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "pic.svg").write_text(SVG, encoding="utf-8")
    source = folder / "hostile.md"
    source.write_text(FRONT + "\n" + HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("build", str(source), "-o", str(out), "--formats", "html,pdf,epub,newsletter")
    assert code == 0, err
    assert "raw HTML is not trusted" in err and "is not kept" in err and "javascript:" in err
    assert "SVG image 'pic.svg' refers to files or addresses outside itself" in err
    assert "file: link is not followed" in err
    passwd = Path("/etc/passwd").read_text().splitlines()[0]  # e.g. root:x:0:0:root:/root:/bin/bash
    built = out / "hostile"
    texts = {}
    for path in built.glob("[!.]*"):
        data = path.read_bytes()
        texts[path.name] = data.decode("utf-8", "replace")
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                texts[path.name] = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
        if path.suffix == ".pdf":
            assert b"/EmbeddedFile" not in data and b"/Launch" not in data and b"/JavaScript" not in data
            texts[path.name] = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
    assert set(texts) >= {"hostile.html", "hostile.pdf", "hostile.epub", "hostile.eml"}
    for name, text in texts.items():
        assert SECRET not in text, name
        assert passwd not in text, name
        if name.endswith((".html", ".epub")):  # markup: the source's HTML is only ever text
            tags = re.findall(r"<[a-zA-Z][^<>]*>", text)
            assert not [
                t for t in tags if re.match(r"<(script|iframe|link rel=\"attachment|img src=\"\.\.)", t)
            ], name
            assert not [t for t in tags if re.search(r"\son[a-z]+=", t)], name
            assert not re.search(r"<style[^>]*>[^<]*(@import|secret)", text), name
            assert 'href="javascript:' not in text and 'href="file:' not in text, name
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in texts["hostile.html"]


def test_weasyprint_fetcher_allows_only_the_article_folder_and_data(tmp_path):
    from briefpress.editions.pdf import ArticleFetcher
    from briefpress.errors import Report
    from briefpress.render import resource_dir
    from briefpress.sources import read_article

    (tmp_path / "secret.txt").write_text(SECRET)
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "ok.png").write_bytes(b"\x89PNG")
    os.symlink(tmp_path / "secret.txt", folder / "link.png")
    source = folder / "a.md"
    source.write_text(FRONT + "\n" + BODY, encoding="utf-8")
    report = Report()
    fetcher = ArticleFetcher(read_article(source, report), report)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.fetch((folder / "ok.png").as_uri()).read() == b"\x89PNG"
    assert fetcher.fetch((resource_dir("styles") / "base.css").as_uri()).read()
    refused = [
        "file:///etc/passwd",
        (folder / ".." / "secret.txt").as_uri(),
        (folder / "link.png").as_uri(),
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(report.warnings) == len(refused)
    assert all("refused to fetch" in w and str(source) in w for w in report.warnings)


def test_memory_limit_applies_to_each_article(tmp_path, article_file, monkeypatch):
    import resource

    from briefpress.errors import BuildError

    source = article_file(BODY)

    def report_limit(article, *args, **kwargs):
        raise BuildError(f"limit {resource.getrlimit(resource.RLIMIT_AS)[0]}", article.path)

    monkeypatch.setattr(builder, "render_article", report_limit)  # runs in the forked process
    out = str(tmp_path / "o")
    code, _, err = run("build", str(source), "-o", out, "--formats", "pdf", "--max-memory", "300")
    assert code == 1 and f"{source}: error: limit {300 * 1024 * 1024}" in err
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 300 * 1024 * 1024  # not this process
