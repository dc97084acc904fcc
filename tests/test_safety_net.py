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
        # what comes before the sign, and a hidden character after a plain space
        ("\u3000# 译文", "'# 译文' looks like the section '# 译文' but starts with U+3000 IDEOGRAPHIC SPACE "
         "before '#'; delete it (column 1)"),
        ("\ufeff# 译文", "'\\ufeff# 译文' looks like the section '# 译文' but starts with U+FEFF ZERO WIDTH "
         "NO-BREAK SPACE before '#'; delete it (column 1)"),
        ("    # 译文", "'# 译文' looks like the section '# 译文' but is indented 4 spaces, so Markdown reads "
         "it as code; start it at column 1 (column 1)"),
        ("# \u200c译文", "'# \\u200c译文' looks like the section '# 译文' but has U+200C ZERO WIDTH "
         "NON-JOINER after '#'; delete it (column 3)"),
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


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


BRIEF = "# 核心观点\n\n- **要点** 一句话。\n\n"
NO_BRIEF = "no brief ('# 核心观点', '# 跟我们的关联' or '# 讨论引子')"
NO_BRIEF_LINE = f"{NO_BRIEF}: its editions leave out the brief [no-brief]"
NO_TRANSLATION = "no translation ('# 译文'): its editions leave out the bilingual pages [no-translation]"


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        (BRIEF + "# 原文\n\nFirst.\n", [NO_TRANSLATION]),
        ("# 原文\n\nFirst.\n\n# 译文\n\n第一。\n", [NO_BRIEF_LINE]),
        ("# 原文\n\nFirst.\n", [NO_TRANSLATION, NO_BRIEF_LINE]),
    ],
)  # fmt: skip
def test_an_article_without_a_translation_or_a_brief_is_a_warning_for_each(tmp_path, body, messages):
    source = tmp_path / "a.md"
    source.write_text("---\ntitle: 标题\ndate: 2026-06-09\n---\n\n" + body, encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert (code, err.splitlines()) == (0, [f"{source}: warning: {message}" for message in messages])
    assert (tmp_path / "out" / "a" / "a.html").exists()
    code, _, err = run("build", str(source), "-o", str(tmp_path / "strict"), "--formats", "html", "--strict")
    assert code == 1
    assert err.splitlines()[: len(messages)] == [f"{source}: warning: {message}" for message in messages]
    assert not (tmp_path / "strict" / "a").exists()
    # each is its own code: --strict=no-brief fails an article without a brief, whatever else it lacks
    strict = ["--formats", "html", "-q", "--strict=no-brief"]
    code, _, err = run("build", str(source), "-o", str(tmp_path / "brief"), *strict)
    assert code == (1 if NO_BRIEF_LINE in messages else 0)


def test_a_whole_article_is_no_warning(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(FRONT.replace("# 原文", BRIEF + "# 原文") + "# 译文\n\n第一。\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "--strict")
    assert (code, err) == (0, "")


def test_an_invisible_character_in_a_message_is_named_by_code_point(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(FRONT + "# 译文\n\n第一。\n\n# Refs\u200b\u00a0\n\nx\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert code == 1
    assert err.splitlines() == [
        f"{source}:14: error: unknown section '# Refs<U+200B ZERO WIDTH SPACE>' (expected one of "
        "'# 核心观点', '# 跟我们的关联', '# 讨论引子', '# 原文', '# 译文', '# 讨论归档')"
    ]


def test_an_emoji_sequence_is_not_taken_apart_in_a_message(tmp_path):
    source = tmp_path / "a.md"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    source.write_text(FRONT + f"# 译文\n\n第一。\n\n# {family}\n\nx\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert code == 1 and f"unknown section '# {family}'" in err


def test_a_chinese_slug_is_refused_with_the_reason(tmp_path):
    code, _, err = run("new", "标题", "--slug", "人工智能", "-o", str(tmp_path))
    assert code == 2
    assert err.strip() == (
        "briefpress: error: --slug may hold only ASCII letters (a-z, A-Z), digits, '.', '_' and '-', "
        "starting with a letter or a digit, at most 100 of them: '人' is not one (links and file names "
        "stay ASCII); write Chinese in pinyin, not '人工智能'"
    )
    assert not list(tmp_path.iterdir())


def test_check_tells_an_out_of_date_build_from_a_broken_one(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(FRONT.replace("# 原文", BRIEF + "# 原文") + "# 译文\n\n第一。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(source), "-o", str(out), "--formats", "html", "-q")[0] == 0
    source.write_text(source.read_text(encoding="utf-8").replace("First.", "The first."), encoding="utf-8")
    code, printed, err = run("check", str(out), "--no-reading")
    assert code == 1
    assert f"source  FAIL     out of date: {source.resolve()} changed after this folder was built" in printed
    assert printed.splitlines()[-1] == "0 of 1 article(s) faithful to their sources; 1 out of date"
    assert err.splitlines() == [
        f"{source.resolve()}: error: out of date, not broken: {source.resolve()} changed after the build; "
        f"run: briefpress build {source.resolve()} -o {out}"
    ]
    assert run("build", str(source), "-o", str(out), "--formats", "html", "-q")[0] == 0
    code, printed, err = run("check", str(out), "--no-reading")
    assert "out of date" not in printed + err
    code, printed, err = run("check", str(out / "a"), "--no-reading")  # the article's own folder
    assert printed.splitlines()[0] == f"{out / 'a'}  (source: {source.resolve()})", printed


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("#\u00a0原文", "'#\\xa0原文' looks like the section '# 原文' but has U+00A0 NO-BREAK SPACE "
         "after '#'; type a plain space (column 2)"),
        ("＃ 原文", "'＃ 原文' looks like the section '# 原文' but starts with U+FF03 FULLWIDTH NUMBER "
         "SIGN; type '#' (column 1)"),
        ("#原文", "'#原文' looks like the section '# 原文' but has no space after '#' (column 2)"),
    ],
)  # fmt: skip
def test_a_first_heading_that_looks_like_a_section_is_not_text_before_it(tmp_path, heading, message):
    source = tmp_path / "a.md"
    source.write_text(f"---\ntitle: 标题\ndate: 2026-06-09\n---\n\n{heading}\n\nFirst.\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert (code, err.splitlines()) == (1, [f"{source}:6: error: {message}"])


def test_an_english_subheading_named_like_a_brief_section_is_the_article_s_own(tmp_path):
    source = tmp_path / "a.md"
    text = (
        FRONT.replace("First.\n", "First.\n\n## Discussion\n\nSecond.\n")
        + "# 译文\n\n第一。\n\n## 讨论\n\n第二。\n"
    )
    source.write_text(text, encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert code == 0, err


def test_a_truncated_edition_is_rebuilt_as_check_says(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(FRONT.replace("# 原文", BRIEF + "# 原文") + "# 译文\n\n第一。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(source), "-o", str(out), "--formats", "epub", "-q")[0] == 0
    book = out / "a" / "a.epub"
    whole = book.read_bytes()
    book.write_bytes(whole[:500])
    code, printed, err = run("check", str(out), "--no-reading", "--no-epubcheck")
    assert code == 1 and "rebuild it with briefpress build" in err
    code, printed, _ = run("build", str(source), "-o", str(out), "--formats", "epub")
    assert code == 0 and "1 of 1 article(s) built" in printed and " 0 unchanged" in printed
    assert book.read_bytes() == whole


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('title: Sam Altman: "AI is here" 的含义',
         '2: error: front matter is not valid YAML: mapping values are not allowed here; a value holding '
         "': ' must be quoted: title: \"Sam Altman: \\\"AI is here\\\" 的含义\""),
        ("title: [译] 机器学习的误解",
         "2: error: front matter is not valid YAML: expected <block end>, but found '<scalar>'; if the value "
         'is text, quote it: title: "[译] 机器学习的误解"'),
        ("title: @OpenAI 的新文章",
         "2: error: front matter is not valid YAML: found character '@' that cannot start any token; if the "
         'value is text, quote it: title: "@OpenAI 的新文章"'),
    ],
)  # fmt: skip
def test_a_yaml_error_gives_the_quoted_form_that_reads_back(tmp_path, line, message):
    source = tmp_path / "a.md"
    source.write_text(FRONT.replace("title: 标题", line) + "# 译文\n\n第一。\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert (code, err.splitlines()) == (1, [f"{source}:{message}"])
    fixed = message.rpartition("quote")[2].partition(": ")[2]
    source.write_text(FRONT.replace("title: 标题", fixed) + "# 译文\n\n第一。\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert code == 0, err


def test_a_hash_in_a_plain_value_is_a_warning_naming_what_it_became(tmp_path):
    source = tmp_path / "a.md"
    text = FRONT.replace("title: 标题", "title: 第 #1 期 #误解").replace("# 原文", BRIEF + "# 原文")
    source.write_text(text + "# 译文\n\n第一。\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "-q")
    assert code == 0
    assert err.splitlines() == [
        f"{source}:2: warning: 'title' holds ' #', which YAML reads as the start of a comment: the value is "
        "'第'; if the '#' is part of it, quote it: title: \"第 #1 期 #误解\" [yaml-comment]"
    ]
