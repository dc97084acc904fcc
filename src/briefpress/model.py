"""The article as briefpress understands it: plain dataclasses, no rendering.

Rich text (key points, paragraphs, footnotes) is kept as markdown-it tokens so that
each edition can render it with its own ids and link rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from markdown_it.token import Token

# -- the reader's decisions about links and images, for every renderer ------------------
# The reader checks each link and image against the link policy and records its
# decision in the token's ``meta``; renderers only read it, through these functions.


class Mark(Enum):
    #: a link or image the policy let through; renderers show nothing else as a link or image
    CHECKED = "checked"
    #: a link that is not kept (a refused scheme, a section the article lacks): its text stays
    DROP = "drop"
    #: an image that is not a file of the article's folder: shown as a link to it
    REMOTE = "remote"
    #: an image refused (an SVG reaching outside itself): its alt text stays
    REFUSED = "refused"


def mark(token: Token, which: Mark) -> None:
    token.meta[which.value] = True


def marked(token: Token, which: Mark) -> bool:
    return bool(token.meta.get(which.value))


def set_image_file(token: Token, path: Path) -> None:
    """The resolved local file an image token shows (inside the article's folder)."""
    token.meta["path"] = path


def image_file(token: Token) -> Path | None:
    return token.meta.get("path")


#: a citation of a pair by its paragraph number, "¶12", as the brief and prompts may write
#: it (the number the reading page shows beside the pair and the handout in its margin)
CITATION = re.compile(r"¶\s?+(\d++)")


@dataclass
class RichText:
    """Inline Markdown content: tokens of one ``inline`` token's children."""

    tokens: list[Token]
    line: int

    @property
    def text(self) -> str:
        return tokens_text(self.tokens)


@dataclass
class BriefItem:
    """A key point or relevance item; ``label`` is the bold opening, when there is one."""

    label: str | None
    body: RichText


@dataclass
class Block:
    """One top-level Markdown block of the original or the translation."""

    kind: str  # paragraph, heading2, bullet_list, blockquote, table, fence, hr, ...
    tokens: list[Token]
    line: int

    @property
    def text(self) -> str:
        return tokens_text(self.tokens)

    @property
    def note_labels(self) -> list[str]:
        """Footnote labels this block refers to, in order."""
        return [t.meta["label"] for t in walk(self.tokens) if t.type == "footnote_ref"]

    @property
    def image_only(self) -> Path | None:
        """The image's file when the block is a paragraph holding one local image and nothing else."""
        if self.kind != "paragraph":
            return None
        inline = [t for t in self.tokens if t.type == "inline"]
        children = [c for t in inline for c in t.children or [] if c.type != "text" or c.content.strip()]
        if len(children) == 1 and children[0].type == "image":
            return image_file(children[0])
        return None

    @property
    def heading_level(self) -> int | None:
        return int(self.kind[-1]) if self.kind.startswith("heading") else None


@dataclass
class Footnote:
    label: str
    number: int
    original: list[Token] | None
    translation: list[Token] | None
    line: int


@dataclass
class Pair:
    index: int
    original: Block
    translation: Block | None


@dataclass
class Comment:
    author: str
    date: dt.date
    body: RichText


@dataclass
class Meta:
    title: str
    date: dt.date
    slug: str
    summary: str | None = None
    source_url: str | None = None
    source_title: str | None = None
    author: str | None = None
    #: who translated and who edited the brief, credited in the editions
    translators: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    original_lang: str = "en"
    translation_lang: str = "zh-Hans"


#: how an article given in memory (not read from a file) is named in messages and stamps
GIVEN = "<given:{name}>"


def is_given(path: Path) -> bool:
    """Whether ``path`` is the stand-in name of an article given in memory (no file)."""
    return path.name.startswith("<given:") and path.name.endswith(">")


def source_stem(path: Path) -> str:
    """The name an article's slug defaults to: its file's stem, or a given article's name."""
    return path.name[len("<given:") : -1] if is_given(path) else path.stem


@dataclass
class SourceText:
    """The Markdown an article was read from (a page dump's or a JSON article's, as its
    reader wrote it), and each of its lines' line in the source file (None: the same
    lines). The typography lint reads it, and an article given in memory is stamped
    with it: no file is read twice."""

    markdown: str
    line_map: list[int] | None = None


@dataclass
class Article:
    path: Path
    meta: Meta
    key_points: list[BriefItem]
    relevance: list[BriefItem]
    prompts: list[RichText]
    original: list[Block]
    translation: list[Block] | None
    footnotes: list[Footnote]
    discussion: list[Comment] | None
    images: list[Path] = field(default_factory=list)
    #: a hash of everything the editions are made from, when a build knows it (it names
    #: the article's laid-out chapter in the cache)
    content_hash: str | None = None
    #: what the reader read (None when the article was made otherwise)
    source: SourceText | None = field(default=None, compare=False, repr=False)
    #: what the punctuation fix changed in the editions' text: (marks, spaces dropped)
    punctuation_fixed: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    @classmethod
    def from_markdown(cls, text: str, name: str = "article", folder: str | Path = ".") -> Article:
        """The article a Markdown source ``text`` holds, named ``<given:name>`` in messages
        (its slug unless it sets one); its images are looked for in ``folder``. Raises
        :class:`~briefpress.errors.SourceError` as a build would."""
        from .errors import Report
        from .sources.markdown import MarkdownReader
        from .sources.text import decode

        path = Path(folder) / GIVEN.format(name=name)
        return MarkdownReader().read_text(path, decode(text.encode("utf-8"), path), Report())

    def to_markdown(self) -> str:
        """The article as a Markdown source that reads back as the same article: its front
        matter written from :attr:`meta` (quoted as YAML), its sections as its reader read
        them (see :mod:`briefpress.sources.writer`)."""
        from .sources.writer import article_markdown

        return article_markdown(self)

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def pairs(self) -> list[Pair]:
        translation = self.translation or []
        return [
            Pair(i + 1, block, translation[i] if i < len(translation) else None)
            for i, block in enumerate(self.original)
        ]

    def all_text(self) -> str:
        """Every piece of text an edition may show, for checks such as font coverage."""
        meta = self.meta
        parts = [meta.title, meta.summary or "", meta.source_title or "", meta.author or "", *meta.tags]
        parts += [*meta.translators, *meta.editors]
        for item in [*self.key_points, *self.relevance]:
            parts += [item.label or "", item.body.text]
        parts += [prompt.text for prompt in self.prompts]
        parts += [block.text for block in [*self.original, *(self.translation or [])]]
        for note in self.footnotes:
            parts += [tokens_text(note.original or []), tokens_text(note.translation or [])]
        for comment in self.discussion or []:
            parts += [comment.author, comment.body.text]
        return "\n".join(parts)

    @property
    def has_brief(self) -> bool:
        return bool(self.key_points or self.relevance)


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, depth first, inline children included."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def tokens_text(tokens: list[Token], refs: dict[str, str] | None = None) -> str:
    """The plain text of a token list, as a reader sees it (alt text, code, breaks);
    with ``refs``, each footnote reference as the number an edition prints for it."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline", "fence", "code_block"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(token.content or tokens_text(token.children or []))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "footnote_ref":
            parts.append(refs.get(token.meta.get("label", ""), "") if refs else "")
        elif token.children:
            parts.append(tokens_text(token.children, refs))
        elif token.nesting == -1 and token.block:
            parts.append("\n")
    return "".join(parts).strip()


#: The order of every edition. Sections an article lacks are skipped.
EDITION_ORDER = ("brief", "bilingual", "original", "prompts", "discussion")


def edition_sections(article: Article) -> list[str]:
    """The sections this article's editions hold, in the edition order."""
    present = {
        "brief": article.has_brief,
        "bilingual": article.translation is not None,
        "original": True,
        "prompts": bool(article.prompts),
        # an archive with no comments yet is not worth a page, a chapter or a contents entry
        "discussion": bool(article.discussion),
    }
    return [name for name in EDITION_ORDER if present[name]]


def section_of(anchor: str) -> str:
    """The section an in-document anchor (a section id, a pair's, a block of the original
    text's) lives in; "" for the title."""
    if re.fullmatch(r"pair-\d+", anchor):
        return "bilingual"
    if re.fullmatch(r"original-\d+", anchor):
        return "original"
    return {"title": "", "key-points": "brief", "relevance": "brief"}.get(anchor, anchor)
