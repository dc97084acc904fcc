"""Reader for the article source format: YAML front matter, then ``#`` sections.

The format is restated in the README ("The article source format"). Every problem is
a :class:`SourceError` naming the file and the line; doubtful but usable input is a
warning in the :class:`Report`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import Report, SourceError
from ..model import (
    Article,
    Block,
    BriefItem,
    Comment,
    Footnote,
    Mark,
    Meta,
    RichText,
    edition_sections,
    mark,
    section_of,
    set_image_file,
    tokens_text,
    walk,
)
from .text import read_source

SECTIONS: dict[str, tuple[str, ...]] = {
    "key_points": ("核心观点", "Key points"),
    "relevance": ("跟我们的关联", "Relevance"),
    "prompts": ("讨论引子", "Discussion prompts"),
    "original": ("原文", "Original"),
    "translation": ("译文", "完整翻译", "Translation"),
    "discussion": ("讨论归档", "Discussion"),
}
_SECTION_BY_HEADING = {name.casefold(): key for key, names in SECTIONS.items() for name in names}

FRONT_MATTER_KEYS = (
    "title",
    "date",
    "summary",
    "source_url",
    "source_title",
    "author",
    "translator",
    "editor",
    "tags",
    "slug",
    "original_lang",
    "translation_lang",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: limits that keep one hostile article from taking the machine's time and memory
MAX_BLOCKS = 2_000
MAX_BLOCK_CHARS = 200_000
#: ids an in-document link may point to: the sections every edition has
SECTION_IDS = ("title", "brief", "key-points", "relevance", "bilingual", "original", "prompts", "discussion")
LINK_SCHEMES = ("http", "https", "mailto")
_SCRIPT_LINK = re.compile(r"(?i)\]\(\s*<?\s*(?:javascript|vbscript|data|file)\s*:")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
_RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|<!--")
_COMMENT_HEAD = re.compile(r"\s*\((\d{4}-\d{2}-\d{2})\)\s*[:：]\s*")

_BLOCK_KINDS = {
    "paragraph_open": "paragraph",
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "blockquote_open": "blockquote",
    "table_open": "table",
    "fence": "code",
    "code_block": "code",
    "hr": "hr",
}
_KIND_NAMES = {
    "paragraph": "a paragraph",
    "bullet_list": "a bullet list",
    "ordered_list": "an ordered list",
    "blockquote": "a block quote",
    "table": "a table",
    "code": "a code block",
    "hr": "a thematic break",
}


def make_parser() -> MarkdownIt:
    """The one Markdown dialect of briefpress: CommonMark, tables, footnotes, no raw HTML."""
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .enable("table")
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )


@cache
def shared_parser() -> MarkdownIt:
    """One parser for every reader: a parse keeps its state in its own env, not here."""
    return make_parser()


def describe_kind(kind: str) -> str:
    if kind.startswith("heading"):
        return f"a level-{kind[-1]} heading"
    return _KIND_NAMES.get(kind, kind)


class _NoDatesLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so that we validate them with a line number."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class _Section:
    key: str
    heading: str
    line: int  # 1-based line of the heading
    tokens: list[Token]
    env: dict
    first_line: int  # 1-based line where the section's body starts


class MarkdownReader:
    """Reads ``*.md`` article sources."""

    file_extensions: tuple[str, ...] = ("md", "markdown")

    def __init__(self) -> None:
        self._md = shared_parser()

    def sniff(self, head: str) -> bool:
        return head.lstrip("\ufeff").startswith("---")

    def read(self, path: Path, report: Report) -> Article:
        return _ArticleParser(self._md, path, report).parse()

    def read_text(self, path: Path, text: str, report: Report, line_map: list[int] | None = None) -> Article:
        """Read Markdown that is already in memory; ``line_map`` maps its lines to ``path``'s."""
        return _ArticleParser(self._md, path, report, text, line_map).parse()


class _ArticleParser:
    def __init__(
        self,
        md: MarkdownIt,
        path: Path,
        report: Report,
        text: str | None = None,
        line_map: list[int] | None = None,
    ):
        self.md = md
        self.path = path
        self.report = report
        self.text = text
        self.anchors: list[tuple[Token, int]] = []
        # for sources converted to Markdown (page dumps): generated line -> original line
        self.line_map = line_map

    def source_line(self, line: int | None) -> int | None:
        if line is None or self.line_map is None:
            return line
        return self.line_map[min(line, len(self.line_map)) - 1] if line > 0 else line

    def error(self, message: str, line: int | None = None) -> SourceError:
        return SourceError(message, self.path, self.source_line(line))

    def warn(self, message: str, line: int | None = None) -> None:
        self.report.warn(message, self.path, self.source_line(line))

    # -- the whole file ---------------------------------------------------------------

    def parse(self) -> Article:
        text = self.text if self.text is not None else read_source(self.path)
        self.lines = text.split("\n")
        tokens = self.md.parse(text, {})
        meta, body_start = self.front_matter(tokens)
        sections = self.sections(tokens, body_start)
        if "original" not in sections:
            raise self.error("no '# 原文' (Original) section: every article needs the original text")

        original, original_notes, undefined = self.content(sections["original"])
        translation: list[Block] | None = None
        translation_notes: dict[str, tuple[list[Token], int]] = {}
        if "translation" in sections:
            translation, translation_notes, undefined_there = self.content(sections["translation"])
            self.raise_undefined(sections["original"], undefined, ("translation", translation_notes))
            self.raise_undefined(sections["translation"], undefined_there, ("original", original_notes))
            self.check_pairing(sections["original"], original, sections["translation"], translation)
        else:
            self.raise_undefined(sections["original"], undefined)
        footnotes = self.pair_footnotes(sections, original, original_notes, translation, translation_notes)
        images = self.check_images([*original, *(translation or [])])
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
        )
        present = edition_sections(article)
        for token, line in self.anchors:
            target = str(token.attrs["href"])[1:]
            if section_of(target) not in ("", *present):
                mark(token, Mark.DROP)
                self.warn(f"link to #{target}: this article has no such section; its text stays", line)
        return article

    # -- front matter -----------------------------------------------------------------

    def front_matter(self, tokens: list[Token]) -> tuple[Meta, int]:
        if not tokens or tokens[0].type != "front_matter" or not tokens[0].map:
            raise self.error(
                "no front matter: an article starts with a '---' line, then 'title:' and "
                "'date:', then another '---' line",
                1,
            )
        token = tokens[0]
        end_line = _span(token)[1]  # 0-based index of the line after the closing '---'
        if end_line > len(self.lines) or self.lines[end_line - 1].rstrip() not in ("---", "..."):
            raise self.error("the front matter is not closed: add a '---' line after it", 1)
        try:
            node = yaml.compose(token.content, Loader=_NoDatesLoader)
            data = yaml.load(token.content, Loader=_NoDatesLoader)  # noqa: S506 (safe loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 2 if mark else 1
            problem = exc.problem or str(exc)
            raise self.error(f"front matter is not valid YAML: {problem}", line) from None
        except yaml.YAMLError as exc:
            raise self.error(f"front matter is not valid YAML: {exc}", 1) from None
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            raise self.error("front matter must be 'key: value' lines", 2)
        key_lines = {
            key.value: key.start_mark.line + 2 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
        }

        def line_of(key: str) -> int:
            return key_lines.get(key, 2)

        for key in data:
            if key not in FRONT_MATTER_KEYS:
                self.warn(
                    f"unknown front matter key {key!r} is ignored "
                    f"(known keys: {', '.join(FRONT_MATTER_KEYS)})",
                    line_of(str(key)),
                )

        def text(key: str, required: bool = False) -> str | None:
            value = data.get(key)
            if value is None or value == "":
                if required:
                    raise self.error(f"front matter needs '{key}:'", line_of(key) if key in data else 1)
                return None
            if isinstance(value, (dict, list)):
                raise self.error(f"'{key}' must be text", line_of(key))
            return str(value).strip()

        title = text("title", required=True)
        date_text = text("date", required=True)
        assert title is not None and date_text is not None
        if not _DATE.fullmatch(date_text):
            raise self.error(f"date {date_text!r} must be written YYYY-MM-DD", line_of("date"))
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError as exc:
            raise self.error(f"date {date_text!r} is not a real date ({exc})", line_of("date")) from None

        source_url = text("source_url")
        if source_url is not None:
            parts = urlsplit(source_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise self.error(
                    f"source_url {source_url!r} must be an http:// or https:// address",
                    line_of("source_url"),
                )
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, (str, int, float)) for t in tags):
            raise self.error("tags must be a list of words, like [AI, 战略]", line_of("tags"))

        def names(key: str) -> list[str]:
            value = data.get(key) or []
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise self.error(
                    f"'{key}' must be a name or a list of names, like [李明, 王芳]", line_of(key)
                )
            return [v.strip() for v in value]

        slug = text("slug") or self.path.stem
        if not SLUG.fullmatch(slug):
            raise self.error(
                f"slug {slug!r} may hold only letters, digits, '.', '_' and '-' "
                "(set 'slug:' in the front matter)",
                line_of("slug") if "slug" in data else 1,
            )
        langs = {}
        for key, default in (("original_lang", "en"), ("translation_lang", "zh-Hans")):
            value = text(key) or default
            if not _LANG.fullmatch(value):
                raise self.error(f"{key} {value!r} is not a BCP 47 language tag", line_of(key))
            langs[key] = value

        meta = Meta(
            title=title,
            date=date,
            slug=slug,
            summary=text("summary"),
            source_url=source_url,
            source_title=text("source_title"),
            author=text("author"),
            translators=names("translator"),
            editors=names("editor"),
            tags=[str(t) for t in tags],
            **langs,
        )
        return meta, end_line

    # -- sections ---------------------------------------------------------------------

    def sections(self, tokens: list[Token], body_start: int) -> dict[str, _Section]:
        headings = [
            (i, t)
            for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == "h1" and t.level == 0 and t.map
        ]
        first_heading = _span(headings[0][1])[0] if headings else len(self.lines)
        for index in range(body_start, first_heading):
            if self.lines[index].strip():
                raise self.error(
                    "text before the first section: start the body with a heading such as "
                    "'# 核心观点' or '# 原文'",
                    index + 1,
                )
        expected = ", ".join(f"'# {names[0]}'" for names in SECTIONS.values())
        found: dict[str, _Section] = {}
        for n, (i, token) in enumerate(headings):
            title = tokens[i + 1].content.strip()
            line = _span(token)[0] + 1
            key = _SECTION_BY_HEADING.get(title.casefold())
            if key is None:
                raise self.error(f"unknown section '# {title}' (expected one of {expected})", line)
            if key in found:
                raise self.error(
                    f"section '# {title}' appears twice (first at line {found[key].line}); merge the two",
                    line,
                )
            start = _span(token)[1]
            end = _span(headings[n + 1][1])[0] if n + 1 < len(headings) else len(self.lines)
            env: dict = {}
            body = self.md.parse("\n".join(self.lines[start:end]), env)
            _shift_lines(body, start)
            self.check_nesting(body, line)
            found[key] = _Section(key, title, line, body, env, start + 1)
        return found

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

    def top_level(self, section: _Section) -> Iterator[tuple[str, list[Token], int]]:
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
                end = _closing(tokens, i)
                kind = (
                    "heading" + token.tag[1]
                    if token.type == "heading_open"
                    else (_BLOCK_KINDS.get(token.type, token.type.removesuffix("_open")))
                )
                yield kind, tokens[i : end + 1], line
                i = end + 1
            else:
                yield _BLOCK_KINDS.get(token.type, token.type), [token], line
                i += 1

    # -- the brief --------------------------------------------------------------------

    def single_list(self, section: _Section, list_type: str, form: str) -> list[tuple[list[Token], int]]:
        """The items of the one list a brief section holds: inline tokens and line."""
        items: list[tuple[list[Token], int]] = []
        for kind, tokens, line in self.top_level(section):
            if kind != list_type or items:
                raise self.error(
                    f"'# {section.heading}' holds one {describe_kind(list_type)[2:]} "
                    f"({form}); found {describe_kind(kind)}",
                    line,
                )
            for start, end in _children(tokens, "list_item_open"):
                inner = tokens[start + 1 : end]
                inlines = [t for t in inner if t.type == "inline"]
                item_line = _span(tokens[start], line - 1)[0] + 1
                if len(inlines) != 1 or any(t.level > inner[0].level for t in inner if t.type != "inline"):
                    raise self.error(
                        f"an item of '# {section.heading}' must be one paragraph ({form})",
                        item_line,
                    )
                items.append((inlines[0].children or [], item_line))
        self.raise_undefined(section, self.check_inline_text(section))
        return items

    def brief_list(self, section: _Section | None) -> list[BriefItem]:
        if section is None:
            return []
        items = []
        for children, line in self.single_list(section, "bullet_list", "'- **label** text'"):
            label, body = _split_label(children)
            items.append(BriefItem(label, RichText(body, line)))
        return items

    def prompts(self, section: _Section | None) -> list[RichText]:
        if section is None:
            return []
        return [
            RichText(children, line)
            for children, line in self.single_list(section, "ordered_list", "'1. question'")
        ]

    def discussion(self, section: _Section | None) -> list[Comment] | None:
        if section is None:
            return None
        form = "'- **author** (YYYY-MM-DD): text'"
        comments = []
        for children, line in self.single_list(section, "bullet_list", form):
            author, body = _split_label(children, strip=False)
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

    def content(
        self, section: _Section
    ) -> tuple[list[Block], dict[str, tuple[list[Token], int]], list[tuple[str, int]]]:
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
                    f"this {describe_kind(kind)[2:]} is {len(block.text):,} characters long; the limit is "
                    f"{MAX_BLOCK_CHARS:,}: split it",
                    line,
                )
            blocks.append(block)
        if not blocks:
            raise self.error(f"section '# {section.heading}' is empty", section.line)
        undefined = self.check_inline_text(section)
        return blocks, self.footnote_definitions(section), undefined

    def footnote_definitions(self, section: _Section) -> dict[str, tuple[list[Token], int]]:
        notes: dict[str, tuple[list[Token], int]] = {}
        tokens = section.tokens
        for start, end in _children(tokens, "footnote_open"):
            label = tokens[start].meta["label"]
            body = [t for t in tokens[start + 1 : end] if t.type != "footnote_anchor"]
            notes[label] = (body, _line_of(body, section.line))
        refs = section.env.get("footnotes", {}).get("refs", {})
        for key, index in refs.items():
            if index == -1:
                label = key[1:]
                self.warn(
                    f"footnote [^{label}] is defined but never referenced in "
                    f"'# {section.heading}'; it is left out",
                    self.definition_line(section, label),
                )
        return notes

    def definition_line(self, section: _Section, label: str) -> int:
        pattern = f"[^{label}]:"
        for index in range(section.first_line - 1, len(self.lines)):
            if self.lines[index].lstrip().startswith(pattern):
                return index + 1
        return section.line

    def check_inline_text(self, section: _Section) -> list[tuple[str, int]]:
        """Warn about raw HTML; return undefined footnote references (label, line).

        Both are left as plain text by the parser.
        """
        undefined = []
        for token in section.tokens:
            if token.type != "inline":
                continue
            line = token.map[0] + 1 if token.map else section.line
            texts = [c.content for c in token.children or [] if c.type == "text"]
            undefined += [(m[1], line) for text in texts for m in _UNDEFINED_NOTE.finditer(text)]
            # raw in the source (not backslash-escaped) and shown as text (not in code)
            if _RAW_HTML.search(token.content) and any(_RAW_HTML.search(t) for t in texts):
                self.warn("raw HTML is not trusted: it is shown as text", line)
            if any(_SCRIPT_LINK.search(t) for t in texts) and _SCRIPT_LINK.search(token.content):
                self.warn(
                    "a javascript:, vbscript:, data: or file: link is not followed: it is shown as text", line
                )
            for child in token.children or []:
                if child.type == "link_open":
                    self.check_link(child, line)
        return undefined

    def check_link(self, token: Token, line: int) -> None:
        """Links keep only http(s), mailto and the editions' own section anchors."""
        href = str(token.attrs.get("href", ""))
        scheme = urlsplit(href).scheme.lower()
        if scheme in LINK_SCHEMES:
            return
        if href.startswith("#") and href[1:] in SECTION_IDS:
            self.anchors.append((token, line))  # checked once the article's sections are known
            return
        mark(token, Mark.DROP)
        self.warn(
            f"link to {href[:80]!r} is not kept (only http, https, mailto and the section anchors "
            f"#{', #'.join(SECTION_IDS)} are): its text stays",
            line,
        )

    def raise_undefined(
        self,
        section: _Section,
        undefined: list[tuple[str, int]],
        elsewhere: tuple[str, dict[str, tuple[list[Token], int]]] | None = None,
    ) -> None:
        for label, line in undefined:
            if elsewhere and label in elsewhere[1]:
                raise self.error(
                    f"footnote [^{label}] is defined in the {elsewhere[0]} "
                    f"(line {elsewhere[1][label][1]}) but not in '# {section.heading}': "
                    "footnotes pair by label, so define it in both",
                    line,
                )
            raise self.error(
                f"footnote [^{label}] is referenced but never defined in "
                f"'# {section.heading}': add a line '[^{label}]: text'",
                line,
            )

    def check_pairing(
        self,
        original_section: _Section,
        original: list[Block],
        translation_section: _Section,
        translation: list[Block],
    ) -> None:
        for index, (a, b) in enumerate(zip(original, translation, strict=False)):
            if a.kind != b.kind:
                mismatch = index
                break
        else:
            mismatch = None
        if len(original) != len(translation):
            if mismatch is None:
                mismatch = min(len(original), len(translation))
            where = []
            for name, blocks in (("original", original), ("translation", translation)):
                if mismatch < len(blocks):
                    block = blocks[mismatch]
                    where.append(f"{describe_kind(block.kind)} (line {block.line}) in the {name}")
                else:
                    where.append(f"nothing in the {name}")
            line = (original[mismatch] if mismatch < len(original) else translation[mismatch]).line
            raise self.error(
                f"'# {original_section.heading}' has {len(original)} blocks but "
                f"'# {translation_section.heading}' has {len(translation)}: they stop lining up "
                f"at block {mismatch + 1}, where {where[0]} faces {where[1]}; "
                "give each paragraph of the original exactly one paragraph in the translation",
                line,
            )
        if mismatch is not None:
            a, b = original[mismatch], translation[mismatch]
            self.warn(
                f"block {mismatch + 1} is {describe_kind(a.kind)} in the original but "
                f"{describe_kind(b.kind)} in the translation (line {b.line})",
                a.line,
            )

    def pair_footnotes(
        self,
        sections: dict[str, _Section],
        original: list[Block],
        original_notes: dict[str, tuple[list[Token], int]],
        translation: list[Block] | None,
        translation_notes: dict[str, tuple[list[Token], int]],
    ) -> list[Footnote]:
        order: list[str] = []
        for block in [*original, *(translation or [])]:
            for label in block.note_labels:
                if label not in order:
                    order.append(label)
        if translation is not None:
            for label in order:
                for have, lack, notes in (
                    ("original", "translation", original_notes),
                    ("translation", "original", translation_notes),
                ):
                    other = translation_notes if have == "original" else original_notes
                    if label in notes and label not in other:
                        raise self.error(
                            f"footnote [^{label}] is defined in the {have} but not in the "
                            f"{lack}: footnotes pair by label, so define it in both",
                            notes[label][1],
                        )
        footnotes = []
        for number, label in enumerate(order, start=1):
            orig = original_notes.get(label)
            trans = translation_notes.get(label)
            line = (orig or trans or ([], sections["original"].line))[1]
            footnotes.append(
                Footnote(label, number, orig[0] if orig else None, trans[0] if trans else None, line)
            )
        return footnotes

    def check_images(self, blocks: list[Block]) -> list[Path]:
        folder = self.path.parent.resolve()
        images: list[Path] = []
        for block in blocks:
            for token in walk(block.tokens):
                if token.type != "image":
                    continue
                src = str(token.attrs.get("src", ""))
                scheme = urlsplit(src).scheme.lower()
                if scheme in ("http", "https"):
                    self.warn(f"remote image {src} is not downloaded; it is shown as a link", block.line)
                    mark(token, Mark.REMOTE)
                    continue
                if scheme or src.startswith("/"):
                    raise self.error(
                        f"image {src!r} must be a relative path inside the article's folder",
                        block.line,
                    )
                target = (self.path.parent / unquote(src)).resolve()
                if not target.is_relative_to(folder):
                    raise self.error(
                        f"image {src!r} lies outside the article's folder; copy it next to the article",
                        block.line,
                    )
                if not target.is_file():
                    raise self.error(f"image {unquote(src)!r} not found", block.line)
                if target.suffix.lower() == ".svg" and _svg_reaches_out(target):
                    self.warn(
                        f"SVG image {unquote(src)!r} refers to files or addresses outside itself; "
                        "it is not embedded (its alt text is shown)",
                        block.line,
                    )
                    mark(token, Mark.REFUSED)
                    continue
                set_image_file(token, target)
                images.append(target)
        return images


# -- token helpers ----------------------------------------------------------------------


_SVG_OUTSIDE = re.compile(
    r"""(?:href|src)\s*=\s*["'](?!\s*(?:#|data:))|@import|url\(\s*["']?(?!\s*(?:#|data:))""", re.I
)


def _svg_reaches_out(path: Path) -> bool:
    """Whether an SVG refers to anything but itself (other files, the network)."""
    try:
        return bool(_SVG_OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return True


def _span(token: Token, default: int = 0) -> tuple[int, int]:
    """The token's 0-based [start, end) source lines (the parser gives them to block tokens)."""
    return (token.map[0], token.map[1]) if token.map else (default, default)


def _shift_lines(tokens: list[Token], offset: int) -> None:
    for token in walk(tokens):
        if token.map:
            token.map = [token.map[0] + offset, token.map[1] + offset]


def _closing(tokens: list[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def _children(tokens: list[Token], open_type: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each outermost ``open_type`` element in ``tokens``."""
    i = 0
    while i < len(tokens):
        if tokens[i].type == open_type:
            end = _closing(tokens, i)
            yield i, end
            i = end + 1
        else:
            i += 1


def _line_of(tokens: list[Token], default: int) -> int:
    for token in tokens:
        if token.map:
            return token.map[0] + 1
    return default


def _split_label(children: list[Token], strip: bool = True) -> tuple[str | None, list[Token]]:
    """Split ``**label** rest`` into the label's text and the rest's tokens."""
    children = [t for t in children if not (t.type == "text" and not t.content)]
    if len(children) < 3 or children[0].type != "strong_open":
        return None, children
    end = next((i for i, t in enumerate(children) if t.type == "strong_close"), None)
    if end is None:
        return None, children
    label = tokens_text(children[1:end]).strip()
    rest = [t.copy() for t in children[end + 1 :]]
    if rest and rest[0].type == "text":
        rest[0].content = rest[0].content.lstrip() if strip else rest[0].content
    while rest and rest[0].type == "text" and not rest[0].content:
        rest.pop(0)
    return (label or None), rest
