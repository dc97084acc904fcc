"""The editor's safety net (issue 24): what an editor types by mistake is an error at its
line, with the fix — through the command line, with the exact message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from briefpress.cli import main

FRONT = "---\ntitle: 标题\ndate: 2026-06-09\n---\n\n# 原文\n\nFirst.\n\n"


def build(tmp_path: Path, heading: str) -> tuple[int, str, Path]:
    source = tmp_path / "a.md"
    source.write_text(FRONT + heading + "\n\n第一。\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q"], out, err)
    return code, err.getvalue(), source


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("## 译文", "'## 译文' looks like the section '# 译文' but is a level-2 heading; "
         "sections are level-1 headings (column 1)"),
        ("### Translation", "'### Translation' looks like the section '# Translation' but is a level-3 "
         "heading; sections are level-1 headings (column 1)"),
        ("#译文", "'#译文' looks like the section '# 译文' but has no space after '#' (column 2)"),
        ("＃ 译文", "'＃ 译文' looks like the section '# 译文' but starts with U+FF03 FULLWIDTH NUMBER "
         "SIGN; type '#' (column 1)"),
        ("#\u00a0译文", "'#\\xa0译文' looks like the section '# 译文' but has U+00A0 NO-BREAK SPACE "
         "after '#'; type a plain space (column 2)"),
        ("#\u3000完整翻译", "'#\\u3000完整翻译' looks like the section '# 完整翻译' but has U+3000 "
         "IDEOGRAPHIC SPACE after '#'; type a plain space (column 2)"),
        ("# 译文\u200b", "'# 译文\\u200b' looks like the section '# 译文' but holds U+200B ZERO WIDTH "
         "SPACE; delete it (column 5)"),
    ],
)  # fmt: skip
def test_a_heading_that_looks_like_a_missing_section_is_an_error_at_its_line(tmp_path, heading, message):
    code, err, source = build(tmp_path, heading)
    assert code == 1
    assert err.splitlines() == [f"{source}:10: error: {message}"]
    assert not (tmp_path / "out" / "a").exists()


def test_a_heading_named_like_a_section_that_is_there_is_the_article_s_own(tmp_path):
    source = tmp_path / "a.md"
    text = FRONT.replace("First.\n", "First.\n\n## Translation\n\nSecond.\n\n```\n## 译文\n```\n")
    source.write_text(text + "# 译文\n\n第一。\n\n## 翻译\n\n第二。\n\n```\n## 译文\n```\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q"], out, err)
    assert code == 0, err.getvalue()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("date：2026-06-09", "3: error: 'date' is followed by U+FF1A FULLWIDTH COLON; type ':'"),
        ("date:\u00a02026-06-09",
         "3: error: 'date:' is followed by U+00A0 NO-BREAK SPACE; type a plain space"),
        ("date: 2026-06-09\nsummary: 结论: 数据很好",
         "4: error: front matter is not valid YAML: mapping values are not allowed here; "
         "a value holding ': ' must be quoted: summary: \"结论: 数据很好\""),
    ],
)  # fmt: skip
def test_front_matter_typos_name_the_character_and_the_fix_at_their_line(tmp_path, line, message):
    source = tmp_path / "a.md"
    source.write_text(FRONT.replace("date: 2026-06-09", line) + "# 译文\n\n第一。\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q"], out, err)
    assert code == 1
    assert err.getvalue().splitlines() == [f"{source}:{message}"]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-13-01", "'2026-13-01' is not a real date (month must be in 1..12)"),
        ("2026-02-30", "'2026-02-30' is not a real date (day is out of range for month)"),
        ("2026-1-01", "must be a date written YYYY-MM-DD, not '2026-1-01'"),
    ],
)
def test_new_checks_a_date_as_a_date(tmp_path, date, message):
    out, err = io.StringIO(), io.StringIO()
    code = main(["new", "A title", "--date", date, "-o", str(tmp_path)], out, err)
    assert code == 2
    assert (
        err.getvalue().strip()
        == f"briefpress: error: argument --date: {message} (see 'briefpress new --help')"
    )
    assert not list(tmp_path.iterdir())


def test_two_chinese_titles_of_one_day_get_two_slugs(tmp_path):
    for title in ("第三阶段", "第四阶段"):
        out, err = io.StringIO(), io.StringIO()
        assert main(["new", title, "--date", "2026-06-09", "-o", str(tmp_path)], out, err) == 0, (
            err.getvalue()
        )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(n.startswith("article-2026-06-09-") for n in names), names
