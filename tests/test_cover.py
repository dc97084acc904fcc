"""The EPUB covers: titles broken between words in balanced lines (clreq), and a digest's
cover that says how many titles it could not list."""

from __future__ import annotations

import pytest

from briefpress.cjk import balanced, columns, ideographs, wrap
from briefpress.editions.cover import MARGIN, WIDTH, _font, entry_lines, title_lines
from briefpress.options import Options

#: the cover's title face and measure: what the tests below break titles against
FACE = _font(Options().cjk_sans_font, 120, bold=True)
INNER = WIDTH - 2 * MARGIN

#: title -> its lines on the cover (the ones greedy breaking gave are in the comments)
TITLES = [
    # OpenAI 第三阶段战 | 略：AI 权力分配与人类 | 韧性
    ("OpenAI 第三阶段战略：AI 权力分配与人类韧性", ["OpenAI", "第三阶段战略：AI", "权力分配与人类韧性"]),
    # 小模型的逆袭：为什么 | 1B 参数也够用
    ("小模型的逆袭：为什么 1B 参数也够用", ["小模型的逆袭：", "为什么 1B 参数也够用"]),
    # 一页只有一对段落的文 | 章: one character alone on the last line
    ("一页只有一对段落的文章", ["一页只有一对段落的", "文章"]),
    # 发布之前，先把表格和 | 脚注排好
    ("发布之前，先把表格和脚注排好", ["发布之前，", "先把表格和脚注排好"]),
    ("Python 3 的十五年", ["Python 3 的十五年"]),
    ("短", ["短"]),
]


@pytest.mark.parametrize(("title", "lines"), TITLES)
def test_titles_break_between_words(title, lines):
    assert balanced(title, INNER, FACE.getlength) == lines


def test_balanced_lines_never_leave_one_character_alone_and_are_of_similar_length():
    long_titles = [
        "人工智能时代的组织韧性与人类判断力的稀缺性研究报告",
        "在这个快速变化的世界里我们需要重新思考教育的意义",
        "A very long English title about the distribution of power in the age of AI",
        "十个字的标题正好一行",
    ]
    for title in [t for t, _ in TITLES] + long_titles:
        lines = balanced(title, INNER, FACE.getlength)
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")
        assert all(FACE.getlength(line) <= INNER for line in lines), lines
        greedy = wrap(title, INNER, FACE.getlength)
        assert len(lines) <= len(greedy) + 1
        if len(lines) > 1:
            assert ideographs(lines[-1]) != 1 or len(lines[-1]) > 1, lines
            assert max(map(FACE.getlength, lines)) <= max(map(FACE.getlength, greedy)), (lines, greedy)
    # a run of ideographs breaks at its safe places first (after 的), elsewhere only where it must
    first, *_ = balanced("在这个快速变化的世界里我们需要重新思考教育的意义", INNER, FACE.getlength)
    assert first == "在这个快速变化的"


def test_the_cover_takes_a_smaller_face_for_a_very_long_title():
    face, lines = title_lines("很长的标题" * 14, Options())
    assert face.size < 120 and len(lines) <= 9


def test_a_digest_cover_says_how_many_titles_it_does_not_list():
    titles = [f"第{n}篇：一个关于表格、脚注与排版细节的很长很长的标题" for n in range(1, 13)]
    lines = entry_lines(titles, 10, 600, columns, "及其他 {count} 篇")
    assert len(lines) == 10 and lines[-1] == "及其他 3 篇"
    assert all(columns(line) <= 600 for line in lines)
    short = entry_lines(titles[:8], 10, 600, columns, "and {count} more")
    assert short == titles[:8]  # all of them fit: no "more"
    cut = entry_lines(titles[:3], 10, 30, columns, "and {count} more")
    assert all(line.endswith("…") and columns(line) <= 30 for line in cut)


def test_the_verdict_under_the_title_breaks_between_words_too():
    verdict = _font(Options().cjk_font, 60)
    summary = (
        "这是一份为 OpenAI 商业化转型寻求合法性的公关宣言，"
        "但其关于“人类判断力稀缺性”的战略洞察具有实际参考价值。"
    )
    # greedy breaking gave "…“人类判断力稀缺性”的战 | 略洞察具有实际参考价值。"
    assert balanced(summary, INNER - 40, verdict.getlength) == [
        "这是一份为 OpenAI 商业化转型寻求合法性的",
        "公关宣言，但其关于“人类判断力稀缺性”",
        "的战略洞察具有实际参考价值。",
    ]
