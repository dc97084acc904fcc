"""Hostile and broken input: one clear line, exit 1, nothing written, nothing leaked."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import hostile_cases
from briefpress.build import steps as builder
from briefpress.cli import main
from conftest import BODY, EXAMPLE, FRONT, ROOT

BAD = ROOT / "tests" / "bad"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def assert_one_clean_error(code: int, err: str, path: Path | None, line: int | None, fragment: str) -> None:
    assert code == 1, err
    errors = [row for row in err.splitlines() if ": error: " in row or row.startswith("error: ")]
    assert len(errors) == 1, err
    if path is None:
        assert errors[0].startswith("error: "), errors[0]
    elif line == -1:  # the line is whatever the input makes it
        assert re.match(re.escape(f"{path}:") + r"\d+: error: ", errors[0]), errors[0]
    else:
        where = f"{path}:{line}: error: " if line else f"{path}: error: "
        assert errors[0].startswith(where), errors[0]
    assert fragment in errors[0]
    assert "Traceback" not in err and "\x1b" not in err


# -- the corpus: tests/hostile_cases.py, run once in a fresh process ----------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("corpus")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "hostile_cases.py"), str(work)],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "BRIEFPRESS_CACHE": "off"},  # the example's build, measured whole
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["example"]["code"] == 0
    return report


def test_the_corpus_has_at_least_eighty_cases():
    assert len(hostile_cases.CASES) >= 80
    assert len({case.name for case in hostile_cases.CASES}) == len(hostile_cases.CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", [case.name for case in hostile_cases.CASES])
def test_hostile_case(corpus, name):
    """Exit 1, one file:line line, no traceback, nothing written, earlier outputs intact, and
    bounded: no case takes longer than building the example does, in the same process."""
    result = corpus["cases"][name]
    where = Path(result["where"]) if result["where"] is not None else None
    assert_one_clean_error(result["code"], result["stderr"], where, result["line"], result["fragment"])
    assert result["outputs_unchanged"], "earlier outputs changed"
    assert result["input_unchanged"], "the input was changed"
    assert result["seconds"] <= corpus["example"]["seconds"], "slower than building the example"


@pytest.mark.slow
def test_the_corpus_uses_no_more_memory_than_the_example(corpus):
    """Peak memory of the worker processes and of the build process, over the whole
    corpus, against building the example in the same process first."""
    example = corpus["example"]
    assert corpus["children_mb"] <= 1.25 * example["children_mb"]
    assert corpus["self_mb"] <= 1.25 * example["self_mb"] + 64


def test_unreadable_file_and_unwritable_output(tmp_path, article_file, monkeypatch):
    source = article_file(BODY)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run("build", str(source), "-o", str(blocker), "--formats", "html")
    assert_one_clean_error(code, err, source, None, "cannot create the output folder")
    real = os.open

    def refuse(path, *args, **kwargs):
        if Path(path) == source:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
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
            assert not [t for t in tags if re.match(r"<(iframe|link rel=\"attachment|img src=\"\.\.)", t)], (
                name
            )
            # the reading page's own script, once; none in the EPUB; none from the source
            assert text.count("<script>") == (1 if name == "hostile.html" else 0), name
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


# -- every URL in every section and every edition passes the one policy -----------------

EVERYWHERE = """\
# 核心观点
- **链接** 见 [官网](https://example.org/brief) 和 [共享](smb://host/share)。

# 讨论引子
1. 读 [这篇](http://example.org/prompt) 还是 [那篇](ms-msdt:/id)?

# 原文

Text with a note.[^1] [Mail](mailto:a@example.org) [up](#original)

[^1]: See [the data](https://example.org/note) and [this](file:///etc/passwd).

# 译文

带注释的文字。[^1] [邮件](mailto:a@example.org)

[^1]: 见 [数据](https://example.org/note)。

# 讨论归档
- **A** (2026-06-01): 另见 [资料](https://example.org/comment) 与 [本地](../secret.txt)。
"""


@pytest.mark.slow
def test_every_link_in_every_section_and_edition_passes_the_one_policy(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(FRONT + "\n" + EVERYWHERE, encoding="utf-8")
    code, _, err = run(
        "build", str(source), "-o", str(tmp_path / "out"), "--formats", "html,pdf,epub,newsletter"
    )
    assert code == 0, err
    for refused in ("smb://host/share", "ms-msdt:/id", "../secret.txt"):
        assert f"link to '{refused}' is not kept" in err
    # the user's links that the policy keeps, and briefpress's own: the chapters, the site
    # bar's index and the article's editions
    allowed = re.compile(
        r"^(https?://example\.org/|mailto:a@example\.org$|#|\d\d-\w+\.xhtml#|\.\./index\.html$|a\.(pdf|epub)$)"
    )
    built = tmp_path / "out" / "a"
    hrefs = re.findall(r'<a [^>]*href="([^"]+)"', (built / "a.html").read_text(encoding="utf-8"))
    hrefs += re.findall(r'<a [^>]*href="([^"]+)"', (built / "a.newsletter.html").read_text(encoding="utf-8"))
    with zipfile.ZipFile(built / "a.epub") as book:
        for name in book.namelist():
            if name.endswith(".xhtml") and "nav" not in name:
                hrefs += re.findall(r'<a [^>]*href="([^"]+)"', book.read(name).decode())
    urls = subprocess.run(
        ["pdfinfo", "-url", str(built / "a.pdf")], capture_output=True, text=True, check=True
    )
    pdf_urls = [line.split()[-1] for line in urls.stdout.splitlines()[1:] if line.strip()]
    assert pdf_urls and all(
        url.startswith(("https://example.org/", "http://example.org/", "mailto:")) for url in pdf_urls
    )
    assert hrefs and [h for h in hrefs if not allowed.match(h)] == []
    assert {"https://example.org/brief", "http://example.org/prompt", "https://example.org/note"} <= set(
        hrefs
    )


# -- reading within the limits: linear patterns, capped warnings --------------------------


def test_every_pattern_over_user_text_is_linear():
    """Each regular expression that reads an article's text, on 100 KB of its worst input."""
    from briefpress import cjk
    from briefpress.render import fragments
    from briefpress.sources import frontmatter, images, pagetext, policy, text

    searched = {
        policy._SCRIPT_LINK: ["](" + " " * 100_000, "](<" + " " * 100_000 + "x", "](" * 50_000],
        policy._NOTE_REFERENCE: ["[^" * 50_000, "[^" + "a" * 100_000, "\\[^a" * 25_000],
        policy._RAW_HTML: ["<" + " " * 100_000, "<a" + " " * 100_000, "< /" * 33_000, "<a b" * 25_000],
        images._OUTSIDE: ["url(" + " " * 100_000, "url(" * 25_000],
        fragments._NUMBER_RUN: ["1" * 100_000, "1-" * 50_000 + "x"],
        fragments._UNBREAKABLE: ["x" * 100_000, "x " * 50_000],
        cjk._URL: ["http://" * 14_000, "mailto:" * 14_000],
        text._CONTROL: ["a" * 100_000],
    }
    # these are only ever matched from the start of a line or field
    whole = {
        pagetext._COMMENT: ["a" + " " * 100_000 + "x", "**" + "a " * 50_000, "(" * 100_000],
        frontmatter._LANG: ["a" * 100_000, "ab-" * 33_000 + "!"],
    }
    for pattern, inputs in [*searched.items(), *whole.items()]:
        for value in inputs:
            started = time.perf_counter()
            if pattern in searched:
                pattern.search(value)
                list(pattern.finditer(value))
            pattern.fullmatch(value)
            pattern.match(value)
            assert time.perf_counter() - started < 1, (pattern.pattern, value[:20])


def test_warnings_are_capped_per_article(tmp_path):
    keys = "".join(f"key{n}: v\n" for n in range(300))
    source = tmp_path / "a.md"
    source.write_text(f"---\ntitle: T\ndate: 2026-06-09\n{keys}---\n\n{BODY}", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 101
    assert lines[-1] == f"{source}: warning: 200 more warning(s) not shown [truncated]"
    code, _, err = run("build", str(source), "-o", str(tmp_path / "s"), "--formats", "html", "--strict")
    assert code == 1 and "300 warning(s) and --strict" in err


def test_bidi_controls_in_the_front_matter_are_a_warning(tmp_path):
    source = tmp_path / "a.md"
    source.write_text('---\ntitle: "abc\\u202edef"\ndate: 2026-06-09\n---\n\n' + BODY, encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 0
    assert f"{source}:2: warning: 'title' holds a bidirectional control character" in err


# -- a killed build writes nothing ---------------------------------------------------------

KILLED = """\
import sys, time
from briefpress.build import steps
from briefpress.cli import main
real = steps.render_article
def slow(*args, **kwargs):
    files = real(*args, **kwargs)
    time.sleep(3)  # the parent is killed meanwhile
    return files
steps.render_article = slow
sys.exit(main(["build", sys.argv[1], "-o", sys.argv[2], "--formats", "html"]))
"""


@pytest.mark.slow
def test_workers_die_with_the_build_and_write_nothing(tmp_path, article_file):
    source = article_file(BODY)
    out = tmp_path / "out"
    driver = tmp_path / "driver.py"
    driver.write_text(KILLED, encoding="utf-8")
    build = subprocess.Popen([sys.executable, str(driver), str(source), str(out)], stdout=subprocess.DEVNULL)
    time.sleep(1.5)  # reading done, rendering under way in the worker
    children = subprocess.run(["pgrep", "-P", str(build.pid)], capture_output=True, text=True).stdout.split()
    assert children, "no worker process was started"
    build.kill()
    build.wait()
    time.sleep(3.5)  # longer than the worker would have needed to write
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "a worker outlived the build"
    assert not (out / "a").exists() or not list((out / "a").glob("*.html"))


# -- outputs that belong to someone else, batches with one bad article --------------------


def test_force_takes_over_a_folder_another_source_built(tmp_path, article_file):
    first = article_file(BODY, name="first.md")
    second = tmp_path / "other" / "first.md"
    second.parent.mkdir()
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    out = str(tmp_path / "out")
    assert run("build", str(first), "-o", out, "--formats", "html")[0] == 0
    code, _, err = run("build", str(second), "-o", out, "--formats", "html")
    assert code == 1 and "already holds the editions of" in err
    assert run("build", str(second), "-o", out, "--formats", "html", "--force")[0] == 0


def test_one_bad_article_does_not_stop_the_batch(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.md").write_text(FRONT + "\n" + BODY, encoding="utf-8")
        (folder / f"{name}.md").write_text(
            FRONT.replace("---\n", f"---\nslug: {name}\n", 1) + "\n" + BODY, encoding="utf-8"
        )
    long = folder / "c.md"
    long.write_text(
        FRONT.replace("---\n", "---\nslug: " + "s" * 300 + "\n", 1) + "\n" + BODY, encoding="utf-8"
    )
    code, out, err = run("build", str(folder), "-o", str(tmp_path / "out"), "--formats", "html", "-j", "2")
    assert code == 1 and err.count("error:") == 1 and f"{long}:2: error:" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["a", "b"]


# -- the PDF loses nothing, whatever the shape ---------------------------------------------


@pytest.mark.slow
def test_the_worst_shapes_lose_no_text_in_the_pdf(tmp_path):
    word = "x" * 99_000
    head = "| " + " | ".join(f"c{n}" for n in range(50)) + " |\n|" + "---|" * 50 + "\n"
    row = "| " + " | ".join(f"v{n}" for n in range(50)) + " |\n"
    url = "https://example.org/" + "segment/" * 36
    code_line = "```\nprint('" + "y" * 3000 + "')\n```"
    original = f"# 原文\n\n{word}\n\n{head}{row}\nAt <{url}>\n\n{code_line}\n\n"
    body = original + f"# 译文\n\n{word}\n\n{head}{row}\n见 <{url}>\n\n{code_line}\n"
    source = tmp_path / "worst.md"
    source.write_text(FRONT + "\n" + body, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("build", str(source), "-o", str(out), "--formats", "pdf,epub")
    assert code == 0, err
    code, report, err = run("check", str(out), "--no-epubcheck", "--no-reading")
    assert (code, err) == (0, ""), report
    assert "PDF text (8 paragraphs)   ok       every paragraph, in order" in report


# -- smaller holes ---------------------------------------------------------------------------


def test_check_opens_only_a_source_a_build_could_have_read(tmp_path, article_file):
    source = article_file(BODY)
    out = tmp_path / "out"
    assert run("build", str(source), "-o", str(out), "--formats", "epub")[0] == 0
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text())
    for forged in ("/etc/passwd", "relative/a.md", "/dev/zero"):
        stamp.write_text(json.dumps({**data, "source": forged}))
        code, report, _ = run("check", str(out), "--no-epubcheck", "--no-reading")
        assert "(source: unknown)" in report and "root:" not in report


def test_page_dumps_keep_numbered_paragraphs_and_literal_note_marks(tmp_path):
    """A translation paragraph starting "4." after three prompts is the text's, not a
    fourth prompt (even with --prefer pairs); a literal "[^1]" in a dump is text."""
    from briefpress.errors import Report
    from briefpress.options import Options
    from briefpress.sources import read_article

    dump = (ROOT / "tests" / "dumps" / "prompt-numbers.txt").read_text(encoding="utf-8")
    numbered = dump.replace("Python 3 的发布是一次冒险。", "4. Python 3 的发布是一次冒险 [^1]。")
    numbered = numbered.replace(
        "The release of Python 3 was a gamble.", "4. The release of Python 3 was a gamble [^1]."
    )
    path = tmp_path / "numbered.txt"
    path.write_text(numbered, encoding="utf-8")
    for prefer in (None, "pairs"):
        article = read_article(path, Report(), Options(prefer=prefer))
        assert len(article.prompts) == 3
        assert article.translation and article.translation[0].text == "4. Python 3 的发布是一次冒险 [^1]。"
        assert article.original[0].text == "4. The release of Python 3 was a gamble [^1]."
        assert article.footnotes == []
