"""``briefpress new``: a source skeleton that explains itself and builds as written."""

from __future__ import annotations

import io
import re
import subprocess

import pytest

from briefpress.cli import main
from briefpress.errors import Report
from briefpress.sources import read_article
from briefpress.sources.markdown import SECTIONS
from briefpress.sources.text import blank_comments
from conftest import AS_WRITTEN


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_new_writes_every_section_with_a_comment(tmp_path):
    code, out, err = run("new", "The Third Phase", "--date", "2026-06-09", "-o", str(tmp_path))
    assert code == 0, err
    source = tmp_path / "the-third-phase.md"
    assert out.splitlines()[0] == f"wrote {source}"
    text = source.read_text(encoding="utf-8")
    assert '\ntitle: "The Third Phase"\ndate: 2026-06-09\n' in text
    lines = text.split("\n")
    body = lines.index("---", 1) + 1  # after the front matter, whose comments are YAML's
    headings = [i for i, line in enumerate(lines) if i > body and line.startswith("# ")]
    assert [lines[i][2:] for i in headings] == [names[0] for names in SECTIONS.values()]
    for i in headings:  # each section opens with its one-line comment
        assert re.fullmatch(r"<!-- .+ -->", lines[i + 1]), lines[i + 1]
    article = read_article(source, Report())
    assert article.meta.title == "The Third Phase" and str(article.meta.date) == "2026-06-09"


@pytest.mark.slow
def test_new_then_build_exits_0_and_shows_no_comment(tmp_path):
    assert run("new", "第三阶段", "--date", "2026-06-09", "-o", str(tmp_path / "src"))[0] == 0
    source = tmp_path / "src" / "article-2026-06-09-82d7db.md"
    code, out, err = run("build", str(source), "-o", str(tmp_path / "out"), "--strict", "--lint")
    assert code == 0 and err == "", err
    assert "0 warning(s), 0 error(s)" in out
    folder = tmp_path / "out" / "article-2026-06-09-82d7db"
    html = (folder / "article-2026-06-09-82d7db.html").read_text(encoding="utf-8")
    pdf = subprocess.run(
        ["pdftotext", str(folder / "article-2026-06-09-82d7db.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for comment in re.findall(r"<!-- (.+) -->", source.read_text(encoding="utf-8")):
        assert comment[:30] not in html and comment[:30] not in pdf
    assert "<!--" not in pdf and "第三阶段" in pdf


def test_new_never_overwrites_and_checks_its_arguments(tmp_path):
    assert run("new", "A title", "--slug", "mine", "-o", str(tmp_path))[0] == 0
    source = tmp_path / "mine.md"
    source.write_text("my work", encoding="utf-8")
    code, _, err = run("new", "Another", "--slug", "mine", "-o", str(tmp_path))
    assert code == 1 and err.strip() == f"{source}: error: already exists; choose another name with --slug"
    assert source.read_text(encoding="utf-8") == "my work"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.md"]  # no temporary file left
    code, _, err = run("new", "A title", "--slug", "../up", "-o", str(tmp_path))
    assert code == 2 and "--slug may hold only ASCII letters" in err
    code, _, err = run("new", "A title", "--date", "9 June", "-o", str(tmp_path))
    assert code == 2 and "YYYY-MM-DD" in err
    code, _, err = run("new", "  ", "-o", str(tmp_path))
    assert code == 2 and "title is empty" in err


def test_a_title_that_yaml_would_misread_is_kept_as_written(tmp_path):
    title = 'Yes: "no" # 不是注释'
    assert run("new", title, "--slug", "odd", "-o", str(tmp_path))[0] == 0
    assert read_article(tmp_path / "odd.md", Report(), AS_WRITTEN).meta.title == title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n<!-- one -->\nb", "a\n\nb"),
        ("a\n<!-- two\nlines -->\nb", "a\n\n\nb"),
        ("```\n<!-- code -->\n```", "```\n<!-- code -->\n```"),
        ("~~~~\n```\n<!-- code -->\n~~~~\n<!-- x -->", "~~~~\n```\n<!-- code -->\n~~~~\n"),
        ("text <!-- inline -->", "text <!-- inline -->"),
        ("<!-- then --> text", "<!-- then --> text"),
        ("<!-- never closed\nb", "<!-- never closed\nb"),
    ],
)
def test_comments_on_their_own_lines_are_blanked_keeping_line_numbers(text, expected):
    assert blank_comments(text) == expected
    assert blank_comments(text).count("\n") == text.count("\n")


def test_a_comment_inside_a_paragraph_is_still_shown_and_warned_about(article_file, report):
    path = article_file("# 原文\n\nText <!-- inline --> here.\n\n# 译文\n\n文字。\n")
    read_article(path, report)
    report.claim("raw HTML is not trusted")
