"""Source -> model: the example, and every error case of the format."""

from __future__ import annotations

import datetime as dt

import pytest

from briefpress.errors import SourceError
from briefpress.sources import read_article
from conftest import AS_WRITTEN, BODY, EXAMPLE, FRONT, PAIRS


def test_example_model(report):
    article = read_article(EXAMPLE, report, AS_WRITTEN)
    meta = article.meta
    assert meta.title == "OpenAI 第三阶段战略:AI 权力分配与人类韧性"
    assert meta.date == dt.date(2026, 6, 9)
    assert meta.slug == "openai-third-phase"
    assert meta.tags == ["AI 战略", "OpenAI"]
    assert (meta.original_lang, meta.translation_lang) == ("en", "zh-Hans")
    assert [k.label for k in article.key_points] == [
        "战略阶段跃迁",
        "安全范式转移",
        "研发自动化节点",
        "人类角色重定义",
    ]
    assert article.key_points[0].body.text.startswith("OpenAI 正式进入")
    assert len(article.relevance) == 3 and all(r.label is None for r in article.relevance)
    assert len(article.prompts) == 3
    assert article.prompts[2].text.startswith("2028 年 3 月")
    assert len(article.original) == len(article.translation) == 23
    pairs = article.pairs
    assert pairs[0].original.text.startswith("Every few generations")
    assert pairs[0].translation.text.startswith("每隔几代人")
    heading = next(p for p in pairs if p.original.kind == "heading2")
    assert heading.translation.kind == "heading2"
    assert heading.original.text == "Currently at OpenAI we have three main goals"
    [note] = article.footnotes
    assert note.label == "1" and note.number == 1
    assert "AI resilience refers" in "".join(t.content for t in note.original if t.children is None) or any(
        "AI resilience" in (t.content or "") for t in note.original
    )
    assert article.discussion == []


def test_every_seed_paragraph_is_in_the_example(report):
    """The example holds the seed page's text: every English and Chinese paragraph."""
    seed = EXAMPLE.parents[2] / "shared" / "seeds" / "000_790ecc5ac2a32d75.txt"
    if not seed.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    article = read_article(EXAMPLE, report, AS_WRITTEN)
    texts = [b.text for b in article.original + article.translation]
    notes = [article.footnotes[0].original, article.footnotes[0].translation]
    note_texts = ["".join(t.content for t in tokens if t.type == "inline") for tokens in notes]
    lines = seed.read_text(encoding="utf-8").split("\n")[80:175]
    for line in filter(None, (line.strip() for line in lines)):
        line = line.strip("*")
        assert line in texts or line in note_texts, line


def test_bom_crlf_english_headings_and_any_order(article_file, report):
    path = article_file(front=None, body="")
    path.write_bytes(
        "\ufeff---\r\ntitle: T\r\ndate: 2026-01-02\r\n---\r\n\r\n"
        "# translation\r\n\r\n第一段。\r\n\r\n# KEY POINTS\r\n\r\n- **Label** text\r\n\r\n"
        "# Original \r\n\r\nOne.\r\n".encode()
    )
    article = read_article(path, report)
    assert article.key_points[0].label == "Label"
    assert [b.text for b in article.original] == ["One."]
    assert [b.text for b in article.translation] == ["第一段。"]


def test_discussion_comments(article_file, report):
    path = article_file(BODY + "\n# 讨论归档\n\n- **Neta** (2026-06-10): 第三个目标和我们相关。\n")
    [comment] = read_article(path, report).discussion
    assert (comment.author, comment.date, comment.body.text) == (
        "Neta",
        dt.date(2026, 6, 10),
        "第三个目标和我们相关。",
    )


def test_footnotes_pair_by_label(article_file, report):
    path = article_file("""\
        # 原文

        A claim.[^x] Another.[^y]

        [^y]: Why.
        [^x]: Source.

        # 译文

        一个说法。[^x] 另一个。[^y]

        [^x]: 来源。
        [^y]: 原因。
        """)
    notes = read_article(path, report).footnotes
    assert [(n.label, n.number) for n in notes] == [("x", 1), ("y", 2)]
    assert notes[0].original and notes[0].translation


def test_unknown_key_is_a_warning(article_file, report):
    path = article_file(front="---\ntitle: T\ndate: 2026-01-01\nauthr: X\n---\n")
    read_article(path, report)
    assert ":4: warning: unknown front matter key 'authr'" in report.claim("authr")


def test_raw_html_is_text_with_a_warning(article_file, report):
    path = article_file("# 原文\n\nHello <script>alert(1)</script> there.\n\n# 译文\n\n你好。\n")
    article = read_article(path, report)
    assert "<script>" in article.original[0].text
    report.claim("raw HTML")


def test_remote_image_becomes_a_link_with_a_warning(article_file, report):
    path = article_file("# 原文\n\n![a chart](https://example.org/x.png)\n\n# 译文\n\n图表。\n")
    read_article(path, report)
    report.claim("remote image https://example.org/x.png is not downloaded")


def test_local_image_is_found(article_file, report, tmp_path):
    (tmp_path / "img").mkdir()
    from PIL import Image

    Image.new("RGB", (4, 4), "red").save(tmp_path / "img" / "x.png")
    article = read_article(article_file("# 原文\n\n![x](img/x.png)\n\n# 译文\n\n![图](img/x.png)\n"), report)
    assert article.images == [(tmp_path / "img" / "x.png").resolve()]


ERRORS = [
    # (name, front matter or None for the default, body, line, fragment of the message)
    ("no front matter", "", "# 原文\n\nText.\n", 1, "no front matter"),
    ("unclosed front matter", "---\ntitle: T\ndate: 2026-01-01\n", "", 1, "front matter"),
    ("broken yaml", "---\ntitle: [T\ndate: 2026-01-01\n---\n", BODY, 3, "not valid YAML"),
    ("not a mapping", "---\n- a\n- b\n---\n", BODY, 2, "'key: value'"),
    ("missing title", "---\ndate: 2026-01-01\n---\n", BODY, 1, "needs 'title:'"),
    ("missing date", "---\ntitle: T\n---\n", BODY, 1, "needs 'date:'"),
    ("date format", "---\ntitle: T\ndate: 9 June 2026\n---\n", BODY, 3, "YYYY-MM-DD"),
    ("impossible date", "---\ntitle: T\ndate: 2026-02-30\n---\n", BODY, 3, "not a real date"),
    (
        "source_url scheme",
        "---\ntitle: T\ndate: 2026-01-01\nsource_url: ftp://x.org/a\n---\n",
        BODY,
        4,
        "http:// or https://",
    ),
    ("tags not a list", "---\ntitle: T\ndate: 2026-01-01\ntags: {a: 1}\n---\n", BODY, 4, "tags"),
    ("bad slug", "---\ntitle: T\ndate: 2026-01-01\nslug: ../evil\n---\n", BODY, 4, "slug"),
    ("bad language", "---\ntitle: T\ndate: 2026-01-01\noriginal_lang: english!\n---\n", BODY, 4, "BCP 47"),
    ("text before first section", None, "Hello.\n\n" + BODY, 6, "text before the first section"),
    ("unknown section", None, BODY + "\n# Refs\n\n- x\n", 22, "unknown section '# Refs'"),
    ("duplicate section", None, BODY + "\n# Original\n\nMore.\n", 22, "appears twice (first at line 6)"),
    ("no original", None, "# 译文\n\n第一段。\n", None, "no '# 原文'"),
    ("empty original", None, "# 原文\n\n# 译文\n\n第一段。\n", 6, "is empty"),
    (
        "pairing counts",
        None,
        "# 原文\n\nOne.\n\n## Head\n\nTwo.\n\n# 译文\n\n一。\n\n二。\n",
        10,
        "has 3 blocks but '# 译文' has 2: the level-2 heading at line 10 of the original (\"Head\") "
        "has no counterpart in the translation; add its translation between line 16",
    ),
    (
        "pairing tail",
        None,
        "# 原文\n\nOne.\n\nTwo.\n\n# 译文\n\n一。\n",
        10,
        'most likely the paragraph at line 10 of the original ("Two.") has no counterpart',
    ),
    ("undefined footnote", None, "# 原文\n\nClaim.[^n]\n", 8, "[^n] is referenced but never defined"),
    (
        "footnote in one language",
        None,
        "# 原文\n\nClaim.[^n]\n\n[^n]: Note.\n\n# 译文\n\n说法。[^n]\n",
        14,
        "defined in the original (line 10) but not in '# 译文'",
    ),
    (
        "footnote defined but unreferenced there",
        None,
        "# 原文\n\nClaim.[^n]\n\n[^n]: Note.\n\n# 译文\n\n说法。\n",
        10,
        "defined in the original but not in the translation",
    ),
    ("key points not a list", None, "# 核心观点\n\nJust text.\n\n" + BODY, 8, "found a paragraph"),
    ("prompts not ordered", None, "# 讨论引子\n\n- a?\n\n" + PAIRS, 8, "ordered list"),
    ("bad comment", None, BODY + "\n# 讨论归档\n\n- Neta said hi\n", 24, "(YYYY-MM-DD)"),
    ("image missing", None, "# 原文\n\n![x](nope.png)\n", 8, "not found"),
    ("image outside", None, "# 原文\n\n![x](../outside.png)\n", 8, "outside the article's folder"),
    ("image absolute", None, "# 原文\n\n![x](/etc/passwd)\n", 8, "relative path"),
]


@pytest.mark.parametrize(
    ("front", "body", "line", "fragment"),
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
def test_source_errors_name_file_and_line(article_file, report, front, body, line, fragment):
    path = article_file(body, front=FRONT if front is None else front)
    with pytest.raises(SourceError) as caught:
        read_article(path, report)
    error = caught.value
    assert fragment in error.message
    assert error.path == str(path)
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: " if line else f"{path}: ")
    report.warnings.clear()


def test_not_utf8(tmp_path, report):
    path = tmp_path / "latin1.md"
    path.write_bytes(FRONT.encode() + "\n# Original\n\nCaf\xe9.\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8") as caught:
        read_article(path, report)
    assert caught.value.line == 8


def test_nul_bytes(tmp_path, report):
    path = tmp_path / "bin.md"
    path.write_bytes(b"---\ntitle: T\x00\n")
    with pytest.raises(SourceError, match="NUL"):
        read_article(path, report)


def test_folder_named_like_an_article(tmp_path, report):
    (tmp_path / "x.md").mkdir()
    with pytest.raises(SourceError, match="is a folder"):
        read_article(tmp_path / "x.md", report)


def test_kind_mismatch_with_equal_counts_is_a_warning(article_file, report):
    path = article_file("# 原文\n\n## Head\n\nText.\n\n# 译文\n\n标题\n\n正文。\n")
    read_article(path, report)
    assert ":8: warning: block 1 is a level-2 heading in the original but a paragraph" in (
        report.claim("block 1")
    )


def test_unused_footnote_is_a_warning(article_file, report):
    path = article_file("# 原文\n\nText.\n\n[^u]: Unused.\n\n# 译文\n\n文本。\n")
    read_article(path, report)
    assert ":10: warning: footnote [^u] is defined but never referenced" in report.claim("[^u]")


def test_a_footnote_defined_twice_is_an_error_at_the_second(article_file, report):
    """markdown-it keeps the last definition and drops the other: the editions would print
    one note where the editor wrote two."""
    original = "# 原文\n\nText.[^1]\n\n[^1]: First.\n[^1]: Second.\n\n"
    path = article_file(original + "# 译文\n\n文本。[^1]\n\n[^1]: 一。\n")
    with pytest.raises(SourceError) as caught:
        read_article(path, report)
    message = "footnote [^1] is defined twice in '# 原文'; give each note its own label"
    assert str(caught.value) == f"{path}:11: {message}"
