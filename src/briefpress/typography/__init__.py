"""Chinese typography: a lint for sources, and what the editions may change in the text
they are made from (never in the source): the punctuation fix and Traditional Chinese.

Both changes reach the same texts: every Chinese text of the article (title, verdict,
brief, prompts, translation, the translation's notes, the discussion), never the
English original, never code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from markdown_it.token import Token

from ..errors import Report
from ..model import Article
from ..options import Options
from .lint import Finding, findings, lint_text

__all__ = ["Finding", "chinese_inlines", "lint_text", "map_chinese_fields", "prepare"]


def chinese_inlines(article: Article) -> Iterator[list[Token]]:
    """The inline content (one paragraph's, item's or cell's tokens) of every Chinese text."""
    for rich in [*(item.body for item in [*article.key_points, *article.relevance]), *article.prompts]:
        yield rich.tokens
    for comment in article.discussion or []:
        yield comment.body.tokens
    blocks = [block.tokens for block in article.translation or []]
    blocks += [note.translation for note in article.footnotes if note.translation]
    for tokens in blocks:
        for token in tokens:
            if token.type == "inline" and token.children:
                yield token.children


def map_chinese_fields(article: Article, change: Callable[[str], str]) -> None:
    """Apply ``change`` to the article's Chinese plain-text fields: title, verdict, names,
    tags, the brief's labels, the discussion's authors."""
    meta = article.meta
    meta.title = change(meta.title)
    meta.summary = change(meta.summary) if meta.summary else meta.summary
    meta.author = change(meta.author) if meta.author else meta.author
    meta.translators = [change(name) for name in meta.translators]
    meta.editors = [change(name) for name in meta.editors]
    meta.tags = [change(tag) for tag in meta.tags]
    for item in [*article.key_points, *article.relevance]:
        item.label = change(item.label) if item.label else item.label
    for comment in article.discussion or []:
        comment.author = change(comment.author)


def prepare(article: Article, options: Options, report: Report) -> None:
    """Apply the typography options to an article just read: report the lint's findings
    (``--lint``), fix the punctuation (``--fix-punctuation``, the default; what it changed
    is counted in ``article.punctuation_fixed``), convert to Traditional Chinese
    (``--script hant``)."""
    if options.lint and article.source is not None:  # the Markdown its reader read, not the file again
        source = article.source
        for finding in findings(article.path, source.markdown, options.cjk_spacing, source.line_map):
            report.warn(finding.message, finding.path, finding.line, code="typography")
    if options.fix_punctuation:
        from .fix import Tally, fix_inline, fix_punctuation

        tally = Tally()
        map_chinese_fields(article, lambda text: fix_punctuation(text, tally=tally)[0])
        for inline in chinese_inlines(article):
            fix_inline(inline, tally=tally)
        article.punctuation_fixed = (tally.marks, tally.spaces)
    if options.script == "hant":
        from .script import to_traditional

        to_traditional(article, options.hant_profile)
