"""Chinese typography: the lint, the opt-in fix, Traditional Chinese, and the handout's
punctuation and justification measured on the rendered PDF."""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.errors import Report
from briefpress.model import tokens_text
from briefpress.options import Options
from briefpress.sources import lint_text as source_lint_text
from briefpress.sources import read_article
from briefpress.typography.fix import Tally, fix_punctuation
from briefpress.typography.lint import RULES, lint_line, lint_text, prose
from conftest import EXAMPLE, RICH_SOURCE, ROOT

TYPOGRAPHY = ROOT / "tests" / "articles" / "typography" / "typography.md"
GOLDEN_LINT = ROOT / "tests" / "golden" / "lint-example.txt"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def rules(line: str, spacing: str = "keep") -> list[str]:
    return [rule for rule, _, _ in lint_line(prose(line), spacing)]


HALF, SPACE, STRAIGHT, MIXED = (
    RULES["half"],
    RULES["space"],
    RULES["straight"],
    RULES["need-space"],
)

LINT_CASES = [
    # (line, --cjk-spacing, rule messages expected)
    ("每隔几代人,就会", "keep", [HALF]),
    ("你好吗?我很好!", "keep", [HALF, HALF]),
    ("原因如下:第一", "keep", [HALF]),
    ("先这样;再那样", "keep", [HALF]),
    ("这是结尾.", "keep", [HALF]),
    ("一切。 想象", "keep", [SPACE]),
    ("一切 。", "keep", [SPACE]),
    ("他说“你好” 然后", "keep", [SPACE]),
    ('他说"你好', "keep", [STRAIGHT]),
    ("他说'你好", "keep", [STRAIGHT]),
    # what is not Chinese prose is left alone
    ("用时 3.5 分钟", "keep", []),
    ("第 1,204 版", "keep", []),
    ("见 https://example.org/a,b 的说明", "keep", []),
    ("在 `config.value, other` 里", "keep", []),
    ("OpenAI, Google, and Meta 的模型", "keep", []),
    ("Hello, world. It works: yes!", "keep", []),
    ("看[这里](https://example.org/x,y)吧", "keep", []),
    ("注释[^1]和正文", "keep", []),
    # the spacing convention between Chinese and Latin or digits
    ("使用OpenAI的模型", "keep", []),
    ("使用 OpenAI 的模型", "keep", []),
    ("使用OpenAI的模型", "space", [MIXED, MIXED]),
    ("使用 OpenAI 的模型", "space", []),
    ("使用 OpenAI 的模型", "none", [RULES["no-space"]] * 2),
    ("使用OpenAI的模型", "none", []),
    ("第3章", "space", [MIXED, MIXED]),
]


@pytest.mark.parametrize(("line", "spacing", "expected"), LINT_CASES)
def test_lint_rules(line, spacing, expected):
    assert rules(line, spacing) == expected


PAIR_CASES = [
    ('引号“没有配好"。', ['mismatched quotes “…"']),
    ("《排版手册没有结尾", ["unpaired 《"]),
    ("（括号没有关上", ["unpaired （"]),
    ("多余的结尾》", ["unpaired 》"]),
    ("“好”，“对”。《书》（注）", []),
]


@pytest.mark.parametrize(("line", "expected"), PAIR_CASES)
def test_unpaired_and_mismatched_quotes_and_brackets(line, expected):
    found = [f.message.split(": ", 1)[0] for f in lint_text(Path("a.md"), f"# 译文\n\n{line}\n")]
    assert found == expected


def test_a_quote_may_span_the_lines_of_one_paragraph_but_not_two():
    text = "# 译文\n\n他说：“第一行\n第二行。”\n\n“这一段没有结尾。\n\n下一段。\n"
    found = lint_text(Path("a.md"), text)
    assert [(f.line, f.message.split(":")[0]) for f in found] == [(6, "unpaired “")]


def test_only_the_chinese_sections_and_fields_are_read():
    text = (
        "---\ntitle: 标题,有逗号\nsource_title: Hello, world\n---\n\n# 原文\n\n"
        "English 中文,here.\n\n# 译文\n\n中文,译文。\n\n```\n代码,不查\n```\n"
    )
    found = lint_text(Path("a.md"), text)
    assert [f.line for f in found] == [2, 12]


FIX_CASES = [
    ("每隔几代人,就会", "每隔几代人，就会"),
    ("你好吗?我很好!", "你好吗？我很好！"),
    ("原因如下:第一;第二.", "原因如下：第一；第二。"),
    ("他说(大概)是这样", "他说（大概）是这样"),
    ('他说:"间距很重要。"然后', "他说：“间距很重要。”然后"),
    ("一切。 想象", "一切。想象"),
    ("发布 。", "发布。"),
    # never numbers, Latin runs, or what is not prose
    ("用时 3.5 分钟,第 1,204 版", "用时 3.5 分钟，第 1,204 版"),
    ("OpenAI, Google (and Meta) 的模型", "OpenAI, Google (and Meta) 的模型"),
    ("Hello, world. It works: yes!", "Hello, world. It works: yes!"),
    ("函数 f(x) 的值", "函数 f(x) 的值"),
    # a quote in a Latin run keeps the Latin spacing; beside Chinese the spaces go
    ('他说 He said "no" to it 。', "他说 He said “no” to it。"),
    ('Yes: "no" # 不是注释', "Yes: “no” # 不是注释"),
    ("他说 “OK” 然后", "他说“OK”然后"),
]


@pytest.mark.parametrize(("before", "after"), FIX_CASES)
def test_fix_punctuation(before, after):
    assert fix_punctuation(before)[0] == after


def test_the_fix_counts_the_marks_it_changed_and_the_spaces_it_dropped():
    tally = Tally()
    assert fix_punctuation('他说:"好",然后 。用时 3.5 分', tally=tally)[0] == "他说：“好”，然后。用时 3.5 分"
    assert (tally.marks, tally.spaces) == (4, 1)
    assert read_article(TYPOGRAPHY, Report()).punctuation_fixed[0] > 10
    assert read_article(TYPOGRAPHY, Report(), Options(fix_punctuation=False)).punctuation_fixed == (0, 0)


def _fixed(markdown_text: str, tmp_path: Path) -> list[str]:
    source = tmp_path / "a.md"
    source.write_text(
        f"---\ntitle: 测试\ndate: 2026-06-09\n---\n\n# 原文\n\nOne.\n\n# 译文\n\n{markdown_text}\n",
        encoding="utf-8",
    )
    article = read_article(source, Report(), Options(fix_punctuation=True))
    return [block.text for block in article.translation]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("这是**科研**,然后", "这是科研，然后"),
        ('他说:"**重要**",对吧', "他说：“重要”，对吧"),
        ("在 `a, b` 里,对", "在 a, b 里，对"),
        ("见 https://example.org/a,b ,对", "见 https://example.org/a,b，对"),
        ("看[这里,那里](https://example.org/x,y),好", "看这里，那里，好"),
    ],
)
def test_fix_reads_across_emphasis_and_leaves_code_and_addresses(before, after, tmp_path):
    assert _fixed(before, tmp_path) == [after]


def test_the_fix_never_touches_the_source_or_the_english(tmp_path):
    before = TYPOGRAPHY.read_bytes()
    plain = read_article(TYPOGRAPHY, Report(), Options(fix_punctuation=False))
    fixed = read_article(TYPOGRAPHY, Report())  # the default
    assert TYPOGRAPHY.read_bytes() == before
    assert [b.text for b in fixed.original] == [b.text for b in plain.original]
    assert fixed.meta.source_title == plain.meta.source_title
    assert fixed.meta.title == "软件与网络：排版的细节"
    assert [b.text for b in fixed.translation][
        1
    ] == "他说：“间距很重要。”然后他就走了，那时是中午 12 点 3.5 分。"
    assert [b.text for b in fixed.translation][2].startswith("指南的第 1,204 版，在 config.value, other")
    assert "https://example.org/a,b 里，这样说。" in fixed.translation[2].text
    assert fixed.prompts[0].text == "你觉得“标点”重要吗？"
    assert fixed.key_points[1].body.text == "这一句的引号“没有配好”。"
    assert fixed.relevance[0].body.text == "我们的软件在网络上发布。"
    assert fixed.discussion[0].body.text == "网络上的软件，更新很快！"


def test_lint_report_of_the_example_matches_golden(monkeypatch):
    """Set UPDATE_GOLDEN=1 to rewrite tests/golden/lint-example.txt after an intended change."""
    monkeypatch.chdir(ROOT)
    code, out, err = run("check", "--typography", str(EXAMPLE.relative_to(ROOT)))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN_LINT.write_text(out, encoding="utf-8")
    assert code == 1
    assert out == GOLDEN_LINT.read_text(encoding="utf-8")
    lines = out.splitlines()
    assert err.strip() == f"{len(lines)} typography finding(s) in 1 source(s)"
    assert all(re.match(r"examples/openai-third-phase\.md:\d+: [^:]+: …", line) for line in lines)
    # the three kinds of defect the issue found by reading the example
    assert any(':15: mismatched quotes “…": …科研 Agent"' in line for line in lines)
    assert any("space beside full-width punctuation" in line for line in lines)
    assert sum("half-width punctuation" in line for line in lines) > 100


def test_check_typography_exit_codes_and_errors(tmp_path):
    assert run("check", "--typography", str(RICH_SOURCE))[0] == 0
    code, out, err = run("check", "--typography", str(RICH_SOURCE), str(TYPOGRAPHY))
    assert code == 1 and "2 source(s)" in err
    assert out.splitlines()[0].startswith(
        f"{TYPOGRAPHY}:2: half-width punctuation in Chinese text: …软件与网络:"
    )
    code, _, err = run("check", "--typography", str(tmp_path / "missing.md"))
    assert code == 1 and "missing.md" in err and "Traceback" not in err
    code, _, err = run("check", str(tmp_path), str(tmp_path))
    assert code == 2 and "one output folder" in err


def test_spacing_convention_from_the_command_line(tmp_path):
    source = tmp_path / "a.md"
    source.write_text("---\ntitle: 测试\ndate: 2026-06-09\n---\n\n# 译文\n\n使用OpenAI的模型。\n")
    assert run("check", "--typography", str(source))[0] == 0
    code, out, _ = run("check", "--typography", "--cjk-spacing", "space", str(source))
    assert code == 1 and out.count("a.md:8:") == 2


def test_build_lint_warns_and_strict_writes_nothing(tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run("build", str(TYPOGRAPHY), "--lint", "--formats", "html", "-o", str(out))
    assert code == 0
    assert f"{TYPOGRAPHY}:14: warning: mismatched quotes" in err
    assert "23 warning(s)" in stdout
    strict = tmp_path / "strict"
    code, _, err = run("build", str(TYPOGRAPHY), "--lint", "--strict", "--formats", "html", "-o", str(strict))
    assert code == 1 and "typography.md:21: warning: unpaired 《" in err
    assert not (strict / "typography").exists()


def _chinese_text(html: str) -> list[str]:
    body = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return [s.strip() for s in re.sub(r"<[^>]+>", "\n", body).split("\n") if re.search("[\u4e00-\u9fff]", s)]


def test_the_example_edition_is_fixed_by_default_and_kept_as_written_when_asked(tmp_path):
    plain, fixed = tmp_path / "plain", tmp_path / "fixed"
    build = ("build", str(EXAMPLE), "--formats", "html", "-o")
    assert run(*build, str(plain), "--keep-punctuation", "-q")[0] == 0
    code, out, _ = run(*build, str(fixed))
    assert code == 0
    # the summary says what the fix changed, and how to keep the text as written
    marks = re.search(r"fixed (\d+) punctuation mark\(s\).*\(--keep-punctuation keeps it as written\)", out)
    assert marks is not None and int(marks[1]) > 100, out
    page = (fixed / "openai-third-phase" / "openai-third-phase.html").read_text(encoding="utf-8")
    before = (plain / "openai-third-phase" / "openai-third-phase.html").read_text(encoding="utf-8")
    half = re.compile("[\u4e00-\u9fff][,:;!?][\u4e00-\u9fff]")
    assert len([t for t in _chinese_text(before) if half.search(t)]) > 20
    assert [t for t in _chinese_text(page) if half.search(t)] == []
    assert "每隔几代人，就会" in page and "一切。想象" in page
    english = re.compile(r'<div class="orig" lang="en">.*?</div>', re.S)
    assert english.findall(page) == english.findall(before) != []
    # the lint has nothing left to say about the text the fix reads except the quote it cannot know
    article = read_article(EXAMPLE, Report(), Options(fix_punctuation=True))
    assert not any(half.search(b.text) for b in article.translation)


def test_traditional_chinese_in_every_field(tmp_path):
    article = read_article(TYPOGRAPHY, Report(), Options(script="hant", fix_punctuation=True))
    assert article.meta.title == "軟體與網路：排版的細節"
    assert article.meta.summary.startswith("一篇排版有毛病的文章，用來檢驗")
    assert article.meta.tags == ["排版", "測試"]
    assert article.meta.translators == ["張偉"]
    assert article.key_points[0].label == "標點"
    assert article.relevance[0].body.text == "我們的軟體在網路上釋出。"
    assert article.prompts[1].text.startswith("《排版手冊")
    assert article.translation[0].text == "“軟體”這個詞是作為藉詞進入中文的，“網路”也是。"
    assert article.discussion[0].author == "李明"
    assert article.discussion[0].body.text == "網路上的軟體，更新很快！"
    assert tokens_text(article.footnotes[0].translation) == "一個註釋，帶著逗號。"
    assert [b.text for b in article.original] == [b.text for b in read_article(TYPOGRAPHY, Report()).original]
    hk = read_article(TYPOGRAPHY, Report(), Options(script="hant", hant_profile="s2hk"))
    assert hk.meta.title.startswith("軟件與網絡")


def test_traditional_chinese_page_labels_and_language(tmp_path):
    code, _, err = run("build", str(TYPOGRAPHY), "--script", "hant", "--formats", "html", "-o", str(tmp_path))
    assert code == 0, err
    page = (tmp_path / "typography" / "typography.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant"' in page
    assert "閱讀簡報" in page and "阅读简报" not in page
    assert "<title>軟體與網路" in page
    assert 'lang="zh-Hans"' not in page
    assert "Noto Serif CJK TC" in page
    simplified = set("软件网络阅读简报这个词们说")
    assert not simplified & set("".join(_chinese_text(page)))


@pytest.mark.slow
def test_traditional_chinese_editions(tmp_path):
    code, _, err = run(
        "build", str(TYPOGRAPHY), "--script", "hant", "--strict", "--formats", "pdf,epub", "-o", str(tmp_path)
    )
    assert code == 0, err
    folder = tmp_path / "typography"
    fonts = subprocess.run(
        ["pdffonts", str(folder / "typography.pdf")], capture_output=True, text=True
    ).stdout
    assert "Noto-Serif-CJK-TC" in fonts and "CJK-SC" not in fonts
    text = subprocess.run(
        ["pdftotext", str(folder / "typography.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "軟體與網路" in text and "閱讀簡報" in text
    with zipfile.ZipFile(folder / "typography.epub") as book:
        opf = book.read("EPUB/content.opf").decode()
        assert "<dc:language>zh-Hant</dc:language>" in opf and 'xml:lang="zh-Hant"' in opf
        assert "軟體與網路" in opf


def _lines(pdf_path: Path) -> list[list[dict]]:
    """The PDF's lines of characters, left to right, each page's lines top to bottom."""
    import pdfplumber

    lines = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            rows: dict[int, list[dict]] = defaultdict(list)
            for char in page.chars:
                rows[round(char["top"])].append(char)
            lines += [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]
    return lines


def _pair_widths(pdf_path: Path, pairs: tuple[str, ...]) -> dict[str, list[float]]:
    """Each punctuation pair's width in em: the next glyph's origin less the pair's first."""
    widths: dict[str, list[float]] = defaultdict(list)
    for line in _lines(pdf_path):
        for a, b, c in zip(line, line[1:], line[2:], strict=False):
            if a["text"] + b["text"] in pairs:
                widths[a["text"] + b["text"]].append(round((c["x0"] - a["x0"]) / a["size"], 2))
    return widths


@pytest.mark.slow
def test_consecutive_punctuation_is_set_tight_in_the_handout(tmp_path):
    code, _, err = run("build", str(TYPOGRAPHY), "--fix-punctuation", "--formats", "pdf", "-o", str(tmp_path))
    assert code == 0, err
    pdf = tmp_path / "typography" / "typography.pdf"
    widths = _pair_widths(pdf, ("。”", "，“", "：“", "”，", "”。", "。”“"))
    assert len(widths["。”"]) >= 3 and len(widths["，“"]) >= 2 and len(widths["：“"]) >= 3, widths
    assert max(w for found in widths.values() for w in found) <= 1.2, widths
    # the text layer is untouched: the pairs read back as they were written
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "。”" in text and "，“" in text


@pytest.mark.slow
def test_chinese_is_justified_without_changing_the_text_layer(tmp_path, monkeypatch):
    from briefpress.editions import pdf

    article = read_article(EXAMPLE, Report())
    justified = tmp_path / "justified.pdf"
    justified.write_bytes(pdf.render(article, Options(), Report()))
    monkeypatch.setattr(pdf.cjkjustify, "problem", lambda: "switched off by this test")
    ragged = tmp_path / "ragged.pdf"
    ragged.write_bytes(pdf.render(article, Options(), Report()))

    def text(path: Path) -> str:
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout

    assert text(justified) == text(ragged)

    def flush_right(path: Path) -> float:
        """The share of body-text Chinese lines, all but a paragraph's last, that end
        within 0.5 pt of the text column's right edge."""
        lines = [line for line in _lines(path) if sum("\u4e00" <= c["text"] <= "\u9fff" for c in line) >= 15]
        size = Counter(round(c["size"], 1) for line in lines for c in line).most_common(1)[0][0]
        left = min(line[0]["x0"] for line in lines)
        body = [line for line in lines if line[0]["x0"] - left < 1 and round(line[-1]["size"], 1) == size]
        edge = max(line[-1]["x1"] for line in body)
        inner = [line for line in body if line[-1]["text"] not in "。”！？"]
        assert len(inner) > 30
        return sum(edge - line[-1]["x1"] < 0.5 for line in inner) / len(inner)

    assert flush_right(justified) > 0.9 > 0.2 > flush_right(ragged)


def test_a_page_dump_is_linted_with_its_own_line_numbers():
    dump = ROOT / "tests" / "seed" / "000_790ecc5ac2a32d75.txt"
    lines = dump.read_text(encoding="utf-8").split("\n")
    markdown, line_map = source_lint_text(dump)  # the Markdown the page dump's reader gives the lint
    findings = lint_text(dump, markdown, line_map=line_map)
    assert len(findings) == len(GOLDEN_LINT.read_text(encoding="utf-8").splitlines())
    for finding in findings:
        excerpt = finding.excerpt.replace("…", "")
        assert excerpt[:6] in lines[finding.line - 1], str(finding)
