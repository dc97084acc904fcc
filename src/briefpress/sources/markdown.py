"""Reader for the article source format: YAML front matter, then ``#`` sections.

The format is restated in the README ("The article source format"). Every problem is
a :class:`SourceError` naming the file and the line; doubtful but usable input is a
warning in the :class:`Report`. The front matter (:mod:`.frontmatter`), the link and
image policy (:mod:`.policy`) and the pairing of the two texts (:mod:`.pairing`) are
read by their own modules; this one finds the sections and reads their blocks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import Report
from ..model import Article, Block, BriefItem, Comment, RichText, SourceText, edition_sections
from ..options import Options
from .base import BaseReader
from .frontmatter import read_front_matter
from .lookalike import looks_like, outside_code
from .pairing import check_citations, check_pairing, footnote_definitions, pair_footnotes, raise_undefined
from .policy import LinkPolicy
from .text import blank_comments, read_source
from .tokens import (
    BLOCK_KINDS,
    Notes,
    Section,
    SourceFile,
    check_brackets,
    children,
    closing,
    describe_kind,
    outline_parser,
    shared_parser,
    shift_lines,
    span,
    split_label,
)

SECTIONS: dict[str, tuple[str, ...]] = {
    "key_points": ("核心观点", "Key points"),
    "relevance": ("跟我们的关联", "Relevance"),
    "prompts": ("讨论引子", "Discussion prompts"),
    "original": ("原文", "Original"),
    "translation": ("译文", "完整翻译", "Translation"),
    "discussion": ("讨论归档", "Discussion"),
}
_SECTION_BY_HEADING = {name.casefold(): key for key, names in SECTIONS.items() for name in names}
#: limits that keep one hostile article from taking the machine's time and memory
MAX_BLOCKS = 2_000
MAX_BLOCK_CHARS = 200_000
#: a comment's date; tried from the first space of a run only (a search stays linear too)
_COMMENT_HEAD = re.compile(r"(?<!\s)\s*+\((\d{4}-\d{2}-\d{2})\)\s*+[:：]\s*+")


class MarkdownReader(BaseReader):
    """Reads ``*.md`` article sources: the source format itself, which every other reader
    writes (:meth:`read_text`)."""

    name = "markdown"
    file_extensions = ("md", "markdown")
    by_name = True
    describes = "Markdown with front matter"

    def __init__(self, options: Options | None = None) -> None:
        super().__init__(options)
        self._md = shared_parser()

    def sniff(self, head: str) -> bool:
        return head.lstrip("\ufeff").startswith("---")

    def markdown(self, path: Path, text: str, report: Report) -> tuple[str, list[int] | None]:
        return text, None

    def read(self, path: Path, report: Report) -> Article:
        return _ArticleParser(self._md, path, report).parse()

    def read_text(self, path: Path, text: str, report: Report, line_map: list[int] | None = None) -> Article:
        """Read Markdown that is already in memory; ``line_map`` maps its lines to ``path``'s."""
        return _ArticleParser(self._md, path, report, text, line_map).parse()


class _ArticleParser(SourceFile):
    def __init__(
        self,
        md: MarkdownIt,
        path: Path,
        report: Report,
        text: str | None = None,
        line_map: list[int] | None = None,
    ):
        super().__init__(path, report, line_map)
        self.md = md
        self.text = text
        self.policy = LinkPolicy(self)

    def parse(self) -> Article:
        raw = self.text if self.text is not None else read_source(self.path)
        text = blank_comments(raw)
        self.lines = text.split("\n")
        check_brackets(self)
        tokens = outline_parser().parse(text, {})
        meta, body_start = read_front_matter(self, tokens)
        sections = self.sections(tokens, body_start)
        if "original" not in sections:
            raise self.error("no '# 原文' (Original) section: every article needs the original text")
        original, original_notes, translation, translation_notes = self.texts(sections)
        first_line = sections["original"].line
        footnotes = pair_footnotes(self, first_line, original, original_notes, translation, translation_notes)
        images = self.policy.check_images(list(sections.values()))
        article = Article(
            path=self.path,
            meta=meta,
            key_points=self.brief_list(sections.get("key_points")),
            relevance=self.brief_list(sections.get("relevance")),
            prompts=self.prompts(sections.get("prompts")),
            original=original,
            translation=translation,
            footnotes=footnotes,
            discussion=self.discussion(sections.get("discussion")),
            images=images,
            source=SourceText(raw, self.line_map),
        )
        self.policy.check_anchors(edition_sections(article))
        check_citations(self, article)
        return article

    def texts(self, sections: dict[str, Section]) -> tuple[list[Block], Notes, list[Block] | None, Notes]:
        """The original and the translation (when there is one), each with its footnotes."""
        original, original_notes, undefined = self.content(sections["original"])
        if "translation" not in sections:
            raise_undefined(self, sections["original"], undefined)
            return original, original_notes, None, {}
        translation, translation_notes, undefined_there = self.content(sections["translation"])
        raise_undefined(self, sections["original"], undefined, ("translation", translation_notes))
        raise_undefined(self, sections["translation"], undefined_there, ("original", original_notes))
        check_pairing(self, sections["original"], original, sections["translation"], translation)
        return original, original_notes, translation, translation_notes

    # -- sections ---------------------------------------------------------------------

    def sections(self, tokens: list[Token], body_start: int) -> dict[str, Section]:
        headings = [
            (i, t)
            for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == "h1" and t.level == 0 and t.map
        ]
        first_heading = span(headings[0][1])[0] if headings else len(self.lines)
        for index in range(body_start, first_heading):
            if self.lines[index].strip():
                self.check_lookalike(index, {})
                raise self.error(
                    "text before the first section: start the body with a heading such as "
                    "'# 核心观点' or '# 原文'",
                    index + 1,
                )
        expected = ", ".join(f"'# {names[0]}'" for names in SECTIONS.values())
        found: dict[str, Section] = {}
        for n, (i, token) in enumerate(headings):
            title = tokens[i + 1].content.strip()
            line = span(token)[0] + 1
            key = _SECTION_BY_HEADING.get(title.casefold())
            if key is None:
                self.check_lookalike(line - 1, found)
                raise self.error(f"unknown section '# {title}' (expected one of {expected})", line)
            if key in found:
                raise self.error(
                    f"section '# {title}' appears twice (first at line {found[key].line}); merge the two",
                    line,
                )
            start = span(token)[1]
            end = span(headings[n + 1][1])[0] if n + 1 < len(headings) else len(self.lines)
            env: dict = {}
            body = self.md.parse("\n".join(self.lines[start:end]), env)
            shift_lines(body, start)
            self.check_nesting(body, line)
            found[key] = Section(key, title, line, body, env, start + 1)
        self.check_lookalikes(body_start, found)
        return found

    def check_lookalikes(self, body_start: int, found: dict[str, Section]) -> None:
        """A line that looks like the heading of a missing section is an error at that line:
        Markdown would read it as the section before it (see :mod:`.lookalike`)."""
        for index, _ in outside_code(self.lines[body_start:]):
            self.check_lookalike(body_start + index, found)

    def check_lookalike(self, index: int, found: dict[str, Section]) -> None:
        seen = looks_like(self.lines[index], _SECTION_BY_HEADING)
        if seen is not None and seen[0] not in found:
            _, heading, problem, column = seen
            shown = self.lines[index].strip()
            raise self.error(
                f"{shown!r} looks like the section '{heading}' but {problem} (column {column})", index + 1
            )

    def check_nesting(self, tokens: list[Token], line: int) -> None:
        """markdown-it stops at its nesting limit and drops what is deeper: refuse instead."""
        limit = self.md.options["maxNesting"] - 2
        deep = next((t for t in tokens if t.level >= limit), None)
        if deep is not None:
            where = next((t.map[0] + 1 for t in reversed(tokens[: tokens.index(deep) + 1]) if t.map), line)
            raise self.error(
                f"lists or quotes are nested too deeply here (more than about {limit // 2} levels); "
                "flatten them",
                where,
            )

    def top_level(self, section: Section) -> Iterator[tuple[str, list[Token], int]]:
        """Yield (kind, tokens, line) for each top-level block, footnote blocks excluded."""
        tokens = section.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "footnote_block_open":
                while tokens[i].type != "footnote_block_close":
                    i += 1
                i += 1
                continue
            line = token.map[0] + 1 if token.map else section.line
            if token.nesting == 1:
                end = closing(tokens, i)
                kind = (
                    "heading" + token.tag[1]
                    if token.type == "heading_open"
                    else (BLOCK_KINDS.get(token.type, token.type.removesuffix("_open")))
                )
                yield kind, tokens[i : end + 1], line
                i = end + 1
            else:
                yield BLOCK_KINDS.get(token.type, token.type), [token], line
                i += 1

    # -- the brief and the discussion -------------------------------------------------

    def single_list(self, section: Section, list_type: str, form: str) -> list[tuple[list[Token], int]]:
        """The items of the one list a brief section holds: inline tokens and line."""
        items: list[tuple[list[Token], int]] = []
        for kind, tokens, line in self.top_level(section):
            if kind != list_type or items:
                raise self.error(
                    f"'# {section.heading}' holds one {describe_kind(list_type).split(' ', 1)[1]} ({form}); "
                    f"found {describe_kind(kind)}",
                    line,
                )
            for start, end in children(tokens, "list_item_open"):
                inner = tokens[start + 1 : end]
                inlines = [t for t in inner if t.type == "inline"]
                item_line = span(tokens[start], line - 1)[0] + 1
                if len(inlines) != 1 or any(t.level > inner[0].level for t in inner if t.type != "inline"):
                    raise self.error(
                        f"an item of '# {section.heading}' must be one paragraph ({form})", item_line
                    )
                items.append((inlines[0].children or [], item_line))
        raise_undefined(self, section, self.policy.check_inline_text(section))
        return items

    def brief_list(self, section: Section | None) -> list[BriefItem]:
        if section is None:
            return []
        items = []
        for tokens, line in self.single_list(section, "bullet_list", "'- **label** text'"):
            label, body = split_label(tokens)
            items.append(BriefItem(label, RichText(body, line)))
        return items

    def prompts(self, section: Section | None) -> list[RichText]:
        if section is None:
            return []
        return [
            RichText(tokens, line)
            for tokens, line in self.single_list(section, "ordered_list", "'1. question'")
        ]

    def discussion(self, section: Section | None) -> list[Comment] | None:
        if section is None:
            return None
        form = "'- **author** (YYYY-MM-DD): text'"
        comments = []
        for tokens, line in self.single_list(section, "bullet_list", form):
            author, body = split_label(tokens, strip=False)
            match = _COMMENT_HEAD.match(body[0].content) if body and body[0].type == "text" else None
            if author is None or match is None:
                raise self.error(f"a discussion comment reads {form}", line)
            try:
                date = dt.date.fromisoformat(match[1])
            except ValueError:
                raise self.error(f"comment date {match[1]!r} is not a real date", line) from None
            first = body[0].copy()
            first.content = body[0].content[match.end() :]
            comments.append(Comment(author, date, RichText([first, *body[1:]], line)))
        return comments

    # -- original and translation -----------------------------------------------------

    def content(self, section: Section) -> tuple[list[Block], Notes, list[tuple[str, int]]]:
        """The section's blocks, its footnotes, and the footnotes it refers to but lacks."""
        blocks: list[Block] = []
        for kind, tokens, line in self.top_level(section):
            if kind == "heading1":  # cannot happen: level-1 headings start sections
                raise self.error("a level-1 heading inside a section", line)
            if len(blocks) == MAX_BLOCKS:
                raise self.error(
                    f"'# {section.heading}' has more than {MAX_BLOCKS:,} blocks; split the article", line
                )
            block = Block(kind, tokens, line)
            if len(block.text) > MAX_BLOCK_CHARS:
                raise self.error(
                    f"this {describe_kind(kind).split(' ', 1)[1]} is {len(block.text):,} characters long; "
                    f"the limit is {MAX_BLOCK_CHARS:,}: split it",
                    line,
                )
            blocks.append(block)
        if not blocks:
            raise self.error(f"section '# {section.heading}' is empty", section.line)
        undefined = self.policy.check_inline_text(section)
        return blocks, footnote_definitions(self, section), undefined
