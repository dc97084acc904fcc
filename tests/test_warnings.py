"""Warnings said once, under the article they concern; characters no font has found even
when Python's Unicode tables are older than the character."""

from __future__ import annotations

import logging

from briefpress.editions.pdf import weasyprint_warnings
from briefpress.errors import Finding, Report
from briefpress.fonts import check_fonts, unshown
from briefpress.options import Options
from briefpress.sources import read_article

RARE = "\U00031350"  # CJK Extension H: unassigned in Python 3.11's Unicode 14, in no font


def test_the_same_warning_for_the_same_file_is_said_once():
    report = Report()
    for _ in range(3):
        report.warn("something", "a.md", 3)
    report.warn("something", "b.md", 3)
    report.merge([Finding("something", "a.md", 3)], "a.md", {"other": 1})
    assert report.warnings == ["a.md:3: warning: something [other]", "b.md:3: warning: something [other]"]
    assert report.count_for("a.md") == 1


def test_a_character_newer_than_pythons_tables_is_still_checked():
    assert unshown(f"中文 {RARE}\u200b\t", Options()) == [RARE]


def test_one_line_per_character_no_font_has_under_the_article_that_has_it(article_file):
    plain = read_article(article_file(name="plain.md"), Report())
    rare = read_article(
        article_file("# 原文\n\nA rare one.\n\n# 译文\n\n罕见字" + RARE + "。\n", name="rare.md"), Report()
    )
    report = Report()
    check_fonts(rare, Options(), report, rare.all_text())
    from weasyprint.logger import LOGGER

    with weasyprint_warnings([plain, rare], report, Options()):
        for _ in range(5):  # WeasyPrint says it once per occurrence
            LOGGER.warning(
                '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)',
                RARE,
                ord(RARE),
            )
        LOGGER.warning('.notdef glyph rendered for Unicode string unsupported by fonts: "\u4e00" (U+4E00)')
        LOGGER.log(logging.WARNING, "Ignored `foo: bar` at 1:1, unknown property.")
    mentions = [w for w in report.warnings if "U+31350" in w]
    assert len(mentions) == 1 and mentions[0].startswith(f"{rare.path}: warning: ")
    assert any(w.startswith(f"{plain.path}: warning: WeasyPrint: 一 (U+4E00)") for w in report.warnings)
    assert sum("unknown property" in w for w in report.warnings) == 1


def test_a_handouts_own_character_no_font_has_is_named_once(article_file):
    """One article, no digest: WeasyPrint's line for a character the font check named is dropped."""
    from weasyprint.logger import LOGGER

    rare = read_article(article_file("# 原文\n\nOne.\n\n# 译文\n\n罕见字" + RARE + "。\n"), Report())
    report = Report()
    check_fonts(rare, Options(), report, rare.all_text())
    with weasyprint_warnings([rare], report, Options()):
        LOGGER.warning(
            '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)', RARE, ord(RARE)
        )
    assert len(report.warnings) == 1 and "U+31350" in report.warnings[0]
