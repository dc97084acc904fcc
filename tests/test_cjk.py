"""Chinese text: line breaking (UAX #14 plus the Chinese prohibition rules), columns, shortening."""

from __future__ import annotations

import pytest

from briefpress.cjk import NO_LINE_END, NO_LINE_START, break_units, columns, is_han, shorten, wrap

# (text, width in columns, expected lines)
CASES = [
    ("中文文本", 4, ["中文", "文本"]),
    ("中文文本", 8, ["中文文本"]),
    ("一二三，四五", 6, ["一二", "三，四", "五"]),  # the comma stays with what it closes
    ("一二三四。五", 8, ["一二三", "四。五"]),
    ("一二“三四”五", 6, ["一二", "“三四”", "五"]),  # no opening quote at a line end
    ("一二三“四五”", 8, ["一二三", "“四五”"]),
    ("他说：“好。”然后", 9, ["他说：", "“好。”然", "后"]),  # “ ” count one column
    ("（注释）文字", 4, ["（注", "释）", "文字"]),
    ("《书名》很好", 6, ["《书", "名》很", "好"]),
    ("【标签】内容", 6, ["【标", "签】内", "容"]),
    ("「引号」内容", 6, ["「引", "号」内", "容"]),
    ("三个点……然后", 8, ["三个点……", "然后"]),
    ("破折号——然后", 8, ["破折号——", "然后"]),
    ("问号？感叹号！", 8, ["问号？感", "叹号！"]),
    ("顿号、分号；冒号：", 6, ["顿号、", "分号；", "冒号："]),
    ("hello world again", 11, ["hello world", "again"]),
    ("hello world", 5, ["hello", "world"]),
    ("supercalifragilistic word", 10, ["supercalifragilistic", "word"]),  # a word too long stays whole
    ("中文English混排", 8, ["中文", "English", "混排"]),
    ("使用 Python 3.11 版本", 12, ["使用 Python", "3.11 版本"]),  # 3.11 never splits
    ("价格是 3.5 倍", 8, ["价格是", "3.5 倍"]),
    ("2028 年 3 月", 7, ["2028 年", "3 月"]),
    ("日期 2025-01-15 到期", 12, ["日期", "2025-01-15", "到期"]),
    ("𠀀𠀁𠀂𠀃", 4, ["𠀀𠀁", "𠀂𠀃"]),  # Extension B characters break like any other
    ("𠀀𠀁𠀂，𠀃", 6, ["𠀀𠀁", "𠀂，𠀃"]),
    ("网址 https://example.org/a/b 之后", 12, ["网址", "https://example.org/a/b", "之后"]),  # whole
    ("“引号开头的句子”", 8, ["“引号开", "头的句", "子”"]),
    ("结尾是开括号（", 8, ["结尾是开", "括号（"]),
    ("A “quoted” word", 8, ["A", "“quoted”", "word"]),
    ("", 10, []),
]


@pytest.mark.parametrize(("text", "width", "lines"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_wrap(text, width, lines):
    assert wrap(text, width) == lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    for line in lines:
        assert line[0] not in NO_LINE_START or line is lines[0]
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END


def test_no_line_ever_starts_or_ends_wrongly_in_the_example():
    from briefpress.errors import Report
    from briefpress.sources import read_article
    from conftest import EXAMPLE

    article = read_article(EXAMPLE, Report())
    for block in article.translation or []:
        for width in (20, 33, 47, 70):
            lines = wrap(" ".join(block.text.split()), width)
            assert all(columns(line) <= width or " " not in line for line in lines)
            assert not any(line[0] in NO_LINE_START for line in lines[1:])
            assert not any(line[-1] in NO_LINE_END for line in lines[:-1])


def test_units_columns_and_classes():
    assert break_units("好，“他”") == ["好，", "“他”"]
    assert columns("中文ab") == 6 and columns("，") == 2
    assert is_han("中") and is_han("，") and is_han("𠀀") and not is_han("a")


def test_shorten():
    assert shorten("短标题", 72) == "短标题"
    assert shorten("一个非常非常长的标题" * 5, 40).endswith("…")
    assert shorten("A fairly long English title that goes on", 20) == "A fairly long Englis…"
    assert shorten("标题，后面", 6) == "标题…"  # no comma before the ellipsis
