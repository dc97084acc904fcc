"""Issue 24, defect 7: a pairing mismatch names the block with no counterpart.

The original and the translation are aligned block by block (briefpress.sources.align:
Gale–Church lengths, numbers, kept Latin words, footnote labels, kinds); the message
names the block left without a counterpart, or the two facing one, quoting both sides,
at the line of the block to fix. Through the command line, with the exact message, on
the seed page imported as an editor would (``briefpress import``), whose original holds
its 23 blocks on lines 28–72 and its translation on lines 78–122.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from briefpress.cli import main
from briefpress.errors import Report, SourceError
from briefpress.model import Block
from briefpress.sources import read_article
from briefpress.sources.align import MAX_CELLS, Band, Unit, align, features
from briefpress.sources.mismatch import quote, split_hint
from conftest import EXAMPLE, ROOT
from strategies import block_pair

SEED = ROOT / "tests" / "seed" / "000_790ecc5ac2a32d75.txt"
COUNTS = "'# 原文' has 23 blocks but '# 译文' has 22"


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> list[str]:
    """The seed page as ``briefpress import`` writes it, line by line."""
    folder = tmp_path_factory.mktemp("seed")
    code = main(["import", str(SEED), "-o", str(folder)], io.StringIO(), io.StringIO())
    assert code == 0
    lines = (folder / "000_790ecc5ac2a32d75.md").read_text(encoding="utf-8").split("\n")
    assert lines[27].startswith("Every few generations") and lines[77].startswith("每隔几代人")
    return lines


def build(folder: Path, lines: list[str]) -> tuple[int, list[str], Path]:
    source = folder / "a.md"
    source.write_text("\n".join(lines), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(source), "-o", str(folder / "out"), "--formats", "html", "-q"], out, err)
    return code, err.getvalue().splitlines(), source


def without(lines: list[str], line: int) -> list[str]:
    """The source without the block at ``line`` (1-based) and the blank line after it."""
    return lines[: line - 1] + lines[line + 1 :]


# -- one test per class, on the seed ---------------------------------------------------------


def test_a_translation_paragraph_left_out_is_named_at_its_original(tmp_path, seed):
    code, err, source = build(tmp_path, without(seed, 98))
    assert code == 1
    assert err == [
        f"{source}:48: error: {COUNTS}: the paragraph at line 48 of the original "
        '("But faster technical progress makes human…") has no counterpart in the translation; '
        'add its translation between line 96 ("我们相信,在未来几年里…") and line 98 ("随着前沿 AI 的发展继…")'
    ]
    assert not (tmp_path / "out" / "a").exists()


def test_an_original_paragraph_left_out_names_its_translation(tmp_path, seed):
    code, err, source = build(tmp_path, without(seed, 48))
    assert code == 1
    assert err == [
        f"{source}:96: error: '# 原文' has 22 blocks but '# 译文' has 23: the paragraph at line 96 "
        """of the translation ("但技术进步越快,人类判断…") has no counterpart in the original (it falls """
        'between line 46 ("We believe that AI doing AI…") and line 48 ("As frontier AI development '
        'continues, we…")); delete it, or add its original there'
    ]


def test_two_translation_paragraphs_run_together_are_to_be_split_where_the_second_begins(tmp_path, seed):
    """The blank line between them deleted: one paragraph, with a line break inside."""
    code, err, source = build(tmp_path, seed[:96] + seed[97:])
    assert code == 1
    assert err == [
        f"{source}:96: error: {COUNTS}: the paragraph at line 96 of the translation "
        '("我们相信,在未来几年里…") translates two paragraphs of the original, at line 46 ("We believe '
        'that AI doing AI…") and line 48 ("But faster technical progress makes human…"); split it in '
        'two, after "…一起迭代的 AI 系统。"'
    ]


def test_a_translation_paragraph_split_in_two_is_to_be_joined(tmp_path, seed):
    first, _, rest = seed[95].partition("。")
    code, err, source = build(tmp_path, [*seed[:95], first + "。", "", rest, *seed[96:]])
    assert code == 1
    assert err == [
        f"{source}:96: error: '# 原文' has 23 blocks but '# 译文' has 24: the paragraph at line 46 of "
        'the original ("We believe that AI doing AI…") is translated by two paragraphs, at line 96 '
        '("我们相信,在未来几年里…") and line 98 ("这一点之所以重要,是因为…"); join them into one'
    ]


def test_a_heading_left_out_is_named(tmp_path, seed):
    code, err, source = build(tmp_path, without(seed, 102))
    assert code == 1
    assert err == [
        f"{source}:52: error: {COUNTS}: the level-2 heading at line 52 of the original "
        '("Currently at OpenAI we have three…") has no counterpart in the translation; add its '
        'translation between line 100 ("随着前沿 AI 的发展继…") and line 102 ("打造一个自动化 AI 研…")'
    ]


def test_a_paragraph_pasted_twice_names_both_copies(tmp_path, seed):
    """Two copies of one paragraph: either is the one too many, and the message says so."""
    code, err, source = build(tmp_path, [*seed[:98], "", seed[97], *seed[98:]])
    assert code == 1
    assert err == [
        f"{source}:100: error: '# 原文' has 23 blocks but '# 译文' has 24: most likely the paragraph "
        'at line 100 of the translation ("但技术进步越快,人类判断…") has no counterpart in the original (it '
        'falls between line 48 ("But faster technical progress makes human…") and line 50 ("As '
        'frontier AI development continues, we…")), or else the one at line 98 ("但技术进步越快,人类判断…"): '
        "the texts there are too alike to tell; give each block of the original exactly one block "
        "in the translation"
    ]


def test_an_unfinished_translation_says_where_it_stops(tmp_path, seed):
    code, err, source = build(tmp_path, seed[:86] + seed[124:])
    assert code == 1
    assert err == [
        f"{source}:38: error: '# 原文' has 23 blocks but '# 译文' has 5, too far apart to tell which "
        "blocks lack a counterpart; they stop lining up at block 6, where the paragraph at line 38 "
        'of the original ("Our first commitment is to build…") faces nothing in the translation; '
        "give each block of the original exactly one block in the translation"
    ]


def test_as_many_blocks_out_of_line_warn_at_the_first_difference(tmp_path, seed):
    """A paragraph left out and another added further down: the counts agree, the
    pairs between do not; the warning (as before) now says where it starts."""
    lines = without(seed, 98)
    lines.insert(119, "我们相信这一点。\n")
    code, err, source = build(tmp_path, lines)
    assert code == 0
    assert err == [
        f"{source}:48: warning: block 12 is a paragraph in the original but a level-2 heading in the "
        'translation (line 100): the paragraph at line 48 of the original ("But faster technical '
        'progress makes human…") has no counterpart in the translation; add its translation between '
        'line 96 ("我们相信,在未来几年里…") and line 98 ("随着前沿 AI 的发展继…") (1 more place below) '
        "[unlike-blocks]"
    ]


def test_a_short_article_too_alike_to_tell_names_both(tmp_path):
    front = ["---", "title: 测试", "date: 2026-06-09", "---", ""]
    code, err, source = build(
        tmp_path, [*front, "# 原文", "", "One.", "", "Two.", "", "# 译文", "", "一。", ""]
    )
    assert code == 1
    assert err == [
        f"{source}:10: error: '# 原文' has 2 blocks but '# 译文' has 1: most likely the paragraph at line "
        '10 of the original ("Two.") has no counterpart in the translation, or else the one at line 8 '
        '("One."): the texts there are too alike to tell; give each block of the original exactly one '
        "block in the translation"
    ]


# -- every block left out, in turn ------------------------------------------------------------


@pytest.mark.parametrize("k", range(23))
def test_each_translation_block_of_the_seed_left_out_is_found(tmp_path, seed, k):
    translation, original = 78 + 2 * k, 28 + 2 * k
    code, err, source = build(tmp_path, without(seed, translation))
    errors = [row for row in err if ": error: " in row]
    assert code == 1
    assert len(errors) == 1 and errors[0].startswith(f"{source}:{original}: error: {COUNTS}: ")
    kind = "level-2 heading" if k == 12 else "paragraph"
    assert f"the {kind} at line {original} of the original" in errors[0]
    where = "before" if k == 0 else "after" if k == 22 else "between"
    assert f"has no counterpart in the translation; add its translation {where} line " in errors[0]


def blocks(path: Path) -> tuple[list[Block], list[Block]]:
    article = read_article(path, Report())
    assert article.translation is not None
    return article.original, article.translation


def located(path: Path, text: str) -> SourceError:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_article(path, Report())
    return caught.value


@pytest.mark.parametrize("side", ["original", "translation"])
def test_each_block_of_the_example_left_out_is_found(tmp_path, side):
    """Either side, every block: the error is at the block whose counterpart is gone,
    and names it as certain but for one: the original's "To be able to deliver on this…"
    left out, its translation may as well be the first half of the next one's."""
    original, translation = blocks(EXAMPLE)
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    dropped, kept = (translation, original) if side == "translation" else (original, translation)
    unsure = []
    for block, counterpart in zip(dropped, kept, strict=True):
        error = located(tmp_path / "a.md", "\n".join(without(lines, block.line)))
        shift = 2 if side == "original" else 0  # the translation comes after the original
        assert error.line == counterpart.line - shift, (block.line, error.message)
        if "too alike to tell" in error.message:
            unsure.append(block.line)
    assert unsure == ([64] if side == "original" else [])


@st.composite
def copied_article(draw: st.DrawFn) -> str:
    """An article whose translation is its original, block for block: what the length
    model expects of a translation, with every kind of block (lists, tables, code...)."""
    blocks = draw(st.lists(block_pair([], None), min_size=2, max_size=8))
    body = "\n\n".join(en for en, _ in blocks)
    return f"---\ntitle: 标题\ndate: 2026-06-09\n---\n\n# 原文\n\n{body}\n\n# 译文\n\n{body}\n"


def drop_block(text: str, block: Block) -> str:
    lines = text.split("\n")
    start, end = block.tokens[0].map or (block.line - 1, block.line)
    if end < len(lines) and not lines[end].strip():
        end += 1  # and the blank line after it
    return "\n".join(lines[:start] + lines[end:])


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(source=copied_article(), data=st.data())
def test_a_block_left_out_is_named_or_the_message_says_it_cannot_tell(tmp_path, source, data):
    """Never sure and wrong: the error is at the block left out (or one of the same
    text), or the message says the texts are too alike to tell and names it."""
    path = tmp_path / "g.md"
    path.write_text(source, encoding="utf-8")
    original, translation = blocks(path)
    assume(len(original) > 1)  # two lists in a row are one
    k = data.draw(st.integers(0, len(translation) - 1))
    error = located(path, drop_block(source, translation[k]))
    assert "\n" not in error.message
    alike = [o.line for o in original if o.text == original[k].text and o.kind == original[k].kind]
    if error.line not in alike:
        assert "too alike to tell" in error.message, (k, error.message)


# -- the aligner -------------------------------------------------------------------------------


def units(*texts: str, kind: str = "paragraph") -> list[Unit]:
    return [Unit(kind, text) for text in texts]


EN = [
    "Every few generations, a new technology changes everything.",
    "In 1920 the power lines reached the town, and with them the radio and the pump.",
    "A short one.",
    "The central question now is how to make advanced AI abundant and affordable for all.",
]
ZH = [
    "每隔几代人,就会有一种新技术改变一切。",
    "1920 年,电线通到了小镇,收音机和水泵也随之而来。",
    "短的一段。",
    "眼下的核心问题,是如何让先进 AI 变得充足,让所有人都负担得起。",
]


def shape(alignment) -> list[tuple[int, int, int, int]]:
    return [(b.i, b.j, b.di, b.dj) for b in alignment.differences]


def test_sides_that_line_up_have_no_difference():
    alignment = align(units(*EN), units(*ZH))
    assert alignment is not None and alignment.differences == [] and alignment.confident
    assert [(b.i, b.j, b.di, b.dj) for b in alignment.beads] == [(k, k, 1, 1) for k in range(4)]


@pytest.mark.parametrize("k", range(4))
def test_a_block_left_out_of_either_side_is_found(k):
    left_out = align(units(*EN), units(*ZH[:k], *ZH[k + 1 :]))
    assert left_out is not None and shape(left_out) == [(k, k, 1, 0)]
    added = align(units(*EN[:k], *EN[k + 1 :]), units(*ZH))
    assert added is not None and shape(added) == [(k, k, 0, 1)]


def test_two_blocks_facing_one_are_a_merge_or_a_split():
    merged = align(units(*EN), units(ZH[0] + ZH[1], ZH[2], ZH[3]))
    assert merged is not None and shape(merged) == [(0, 0, 2, 1)] and merged.confident
    split = align(units(EN[0] + " " + EN[1], EN[2], EN[3]), units(*ZH))
    assert split is not None and shape(split) == [(0, 0, 1, 2)] and split.confident
    # a short paragraph run into a long one is as likely left out: the message says both
    short = align(units(*EN), units(ZH[0], ZH[1] + ZH[2], ZH[3]))
    assert short is not None and shape(short) == [(1, 1, 2, 1)] and not short.confident


def test_numbers_tell_apart_blocks_of_one_length():
    en = units("It happened in 2019, they say.", "It happened in 2021, they say.")
    found = align(en, units("据说,这发生在 2021 年。"))
    assert found is not None and shape(found) == [(0, 0, 1, 0)] and found.confident
    wide = align(en, units("据说,这发生在 ２０１９ 年。"))  # full-width digits are digits
    assert wide is not None and shape(wide) == [(1, 1, 1, 0)] and wide.confident


def test_kept_latin_words_and_footnote_labels_are_anchors():
    en = units("The OpenAI charter was rewritten.", "The new charter was rewritten.")
    found = align(en, units("OpenAI 的章程被改写了。"))
    assert found is not None and shape(found) == [(1, 1, 1, 0)] and found.confident
    noted = [
        Unit("paragraph", "A claim, with a note.", ("a",)),
        Unit("paragraph", "A claim, with a note.", ("b",)),
    ]
    found = align(noted, [Unit("paragraph", "一个说法,带注释。", ("b",))])
    assert found is not None and shape(found) == [(0, 0, 1, 0)] and found.confident


def test_a_heading_faces_a_heading():
    en = [Unit("paragraph", "Short text."), Unit("heading2", "Short text"), Unit("paragraph", "Short text.")]
    found = align(en, units("短文本。", "短文本。"))
    assert found is not None and shape(found) == [(1, 1, 1, 0)] and found.confident


def test_blocks_alike_are_not_told_apart():
    found = align(units("Same words.", "Same words."), units("同样的话。"))
    assert found is not None and len(found.differences) == 1 and not found.confident
    assert found.rival is not None


def test_sides_too_far_apart_are_not_aligned():
    assert Band(2000, 1000).cells > MAX_CELLS
    assert align(units(*["Text."] * 2000), units(*["文字。"] * 1000)) is None


def test_the_largest_sections_align_in_a_narrow_band():
    """2,000 blocks (the most a section holds) against 1,999: a band of 20,000 cells, not
    the whole table of 4 million (about half a second here against a minute; the cells are
    what is asserted, not the clock)."""
    assert Band(2000, 1999).cells < 21_000
    en = [EN[k % 4].replace("1920", str(k)) for k in range(2000)]
    zh = [ZH[k % 4].replace("1920", str(k)) for k in range(2000)]
    found = align(units(*en), units(*zh[:1234], *zh[1235:]))
    assert found is not None and shape(found) == [(1234, 1234, 1, 0)]


def test_lengths_count_cjk_characters_as_several_latin_ones():
    assert features(Unit("paragraph", "ab cd")).length == 4
    assert features(Unit("paragraph", "中文 AI")).length == pytest.approx(2 * 2.75 + 2)
    assert features(Unit("paragraph", "第１２３条 and 0123")).numbers == {"123"}
    assert features(Unit("paragraph", "OpenAI and AGI, not Hello")).names == {"openai", "agi"}


def test_quotes_are_the_first_words_of_either_language():
    assert (
        quote("Every few generations, a new technology changes everything.")
        == '"Every few generations, a new technology…"'
    )
    assert quote("每隔几代人,就会有一种新技术改变一切。") == '"每隔几代人,就会有一种新…"'
    assert quote("Short.") == '"Short."'
    assert quote("A\u200bB   c") == '"A\\u200bB c"'


def paragraph(text: str, line: int) -> Block:
    return Block("paragraph", [Token("text", "", 0, content=text)], line)


def test_a_merged_paragraph_is_split_after_the_sentence_that_divides_it_as_the_originals():
    first = paragraph("A long sentence that goes on for a while. " * 3, 1)
    second = paragraph("A short one.", 3)
    merged = paragraph("一二三四五六七八九十。" * 4 + "十一。", 5)
    assert split_hint(first, second, merged) == ', after "…一二三四五六七八九十。"'
    assert split_hint(second, first, merged) == ', after "…一二三四五六七八九十。"'  # the first end
    assert split_hint(first, second, paragraph("没有句号的一段", 5)) == " where the second begins"


def test_a_page_dump_missing_a_paragraph_in_one_copy_names_that_one(tmp_path):
    """The dump's three copies of the text are diffed, not compared by position: the
    translation section without its 11th paragraph is one error, not one per paragraph after."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    assert lines[52].startswith("但技术进步越快")
    dump = tmp_path / "page.txt"
    dump.write_text("\n".join(lines[:52] + lines[54:]), encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["build", str(dump), "-o", str(tmp_path / "out"), "--formats", "html", "-q"], io.StringIO(), err
    )
    assert code == 1
    assert err.getvalue().splitlines() == [
        f'{dump}:121: error: paragraph 11 ("但技术进步越快,人类判断…") is in the pairs\' Chinese halves but '
        "not in the translation section: the copies must agree (or choose one with --prefer pairs|sections)"
    ]
