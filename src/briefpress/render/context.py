"""The template context: everything the templates need, typed, with fragments already
rendered to HTML for one edition (see :class:`~.fragments.Flavour`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup

from ..cjk import is_han, shorten
from ..l10n import labels
from ..model import Article, Block, Footnote, Meta, Pair, edition_sections
from ..options import Options
from .fragments import Flavour, FragmentRenderer, heading_id

Side = Literal["original", "translation"]


@dataclass
class BriefEntry:
    """A key point or relevance item: its bold label and its text."""

    label: str | None
    html: Markup


@dataclass
class PairView:
    index: int
    kind: str
    #: empty when the bilingual pages leave the original out (translation-only, a shared block)
    original: Markup
    translation: Markup
    #: a table, code block or image: too wide for half a page, so set full width (stacked)
    stacked: bool = False
    #: the same code block or image in both languages, shown once
    shared: bool = False
    #: on paper, long enough that keeping it whole could leave a third of a page blank: it may break
    long: bool = False


@dataclass
class NotePart:
    """A note in one language, with a back-link where that language's text refers to it."""

    side: Side
    lang: str
    html: Markup
    ref_id: str | None
    #: the id of this language's note alone (the EPUB's pop-up of one language)
    id: str = ""


@dataclass
class NoteView:
    id: str
    number: int
    parts: list[NotePart]


@dataclass
class CommentView:
    author: str
    date: str
    html: Markup


@dataclass
class RenderContext:
    """What ``templates/`` read as ``c``: one article, rendered for one edition."""

    meta: Meta
    ui: dict[str, str]
    ui_lang: str
    orig_lang: str
    trans_lang: str
    #: the article's sections in the edition order
    sections: list[str]
    key_points: list[BriefEntry]
    relevance: list[BriefEntry]
    prompts: list[Markup]
    pairs: list[PairView]
    #: the original's blocks, for the original-text section
    original: list[Markup]
    bilingual_notes: list[NoteView]
    original_notes: list[NoteView]
    discussion: list[CommentView]
    translation_only: bool
    #: "html" or "xhtml"
    markup: str
    #: paper: page footnotes, QR code, ruled notes space
    paged: bool
    prefix: str
    running_title: str
    #: "interleaved" or "side-by-side"
    layout: str
    notes_lines: int = 0
    #: the QR code of the source address, as an SVG data URI (paper only)
    qr: str | None = None
    #: the sections and the text's subheadings, for the page's contents list
    contents: list[ContentsEntry] = field(default_factory=list)
    #: the EPUB's page-list: the A4 handout's page that begins at each of these ids
    #: ("title", a section's name, "pair-N"; editions/pagelist.py)
    page_breaks: dict[str, int] = field(default_factory=dict)


@dataclass
class ContentsEntry:
    """One line of a table of contents: its text, its language, where it leads, what nests under it."""

    title: str
    href: str
    lang: str
    children: list[ContentsEntry] = field(default_factory=list)


def contents_entry(
    article: Article, name: str, title: str, ui_lang: str, prefix: str = "", href: str = ""
) -> ContentsEntry:
    """A section's contents entry, the text's subheadings nested under it (``##`` under the
    section, ``###`` under those). ``href``: the file the section is (EPUB); else an anchor."""
    if name == "bilingual":
        blocks, lang = article.translation or [], article.meta.translation_lang
    elif name == "original":
        blocks, lang = article.original, article.meta.original_lang
    else:
        blocks, lang = [], ""
    entry = ContentsEntry(title, href or f"#{prefix}{name}", ui_lang)
    for index, block in enumerate(blocks, start=1):
        link = ContentsEntry(block.text, f"{href}#{heading_id(name, lang, index, prefix)}", lang)
        if block.heading_level == 2:
            entry.children.append(link)
        elif block.heading_level == 3 and entry.children:
            entry.children[-1].children.append(link)
    return entry


def context(article: Article, options: Options, flavour: Flavour) -> RenderContext:
    """Everything the templates need for ``article`` in the edition ``flavour`` describes."""
    meta = article.meta
    fr = FragmentRenderer(article, flavour)
    orig, trans = meta.original_lang, meta.translation_lang

    def brief(items) -> list[BriefEntry]:
        return [BriefEntry(item.label, fr.inline(item.body, "brief", trans)) for item in items]

    return RenderContext(
        meta=meta,
        ui=labels(options.lang_ui),
        ui_lang=options.lang_ui,
        orig_lang=orig,
        trans_lang=trans,
        sections=edition_sections(article),
        key_points=brief(article.key_points),
        relevance=brief(article.relevance),
        prompts=[fr.inline(p, "prompts", trans) for p in article.prompts],
        pairs=[pair_view(fr, pair, options) for pair in article.pairs],
        original=[fr.block(block, "original", orig, n) for n, block in enumerate(article.original, start=1)],
        bilingual_notes=notes(
            fr,
            article,
            "bilingual",
            ("translation",) if options.translation_only else ("original", "translation"),
        ),
        original_notes=notes(fr, article, "original", ("original",)),
        discussion=[
            CommentView(c.author, c.date.isoformat(), fr.inline(c.body, "discussion", trans))
            for c in article.discussion or []
        ],
        translation_only=options.translation_only,
        markup=flavour.markup,
        paged=flavour.printed,
        prefix=flavour.prefix,
        running_title=shorten(meta.title, options.running_title_columns),
        layout=options.bilingual,
        notes_lines=options.notes_lines if flavour.printed else 0,
        qr=qr_code(meta.source_url) if flavour.printed and meta.source_url else None,
        contents=[
            contents_entry(article, name, section_title(name, options), options.lang_ui, flavour.prefix)
            for name in edition_sections(article)
        ]
        if flavour.edition == "html"
        else [],
    )


def section_title(name: str, options: Options) -> str:
    """A section's heading: its label, "译文" for translation-only bilingual pages."""
    ui = labels(options.lang_ui)
    return ui["translation"] if name == "bilingual" and options.translation_only else ui[name]


#: blocks that need the text's whole width: side by side, their pair stacks
STACKED_KINDS = frozenset({"table", "code"})
#: a pair longer than this (characters, a Chinese one counting two) may break across pages
#: (about ten lines of A4 or a third of an A5 page): kept whole, it would be pushed over
#: and leave its page's foot empty
LONG_PAIR = 900


def pair_length(pair: Pair) -> int:
    """The pair's length in Latin characters (a Chinese one is about two wide)."""
    translation = pair.translation.text if pair.translation else ""
    return len(pair.original.text) + sum(2 if is_han(ch) else 1 for ch in translation)


def pair_view(fr: FragmentRenderer, pair: Pair, options: Options) -> PairView:
    meta = fr.article.meta
    shared = shared_block(pair)
    return PairView(
        index=pair.index,
        kind=pair.original.kind,
        original=Markup("")
        if options.translation_only or shared
        else fr.block(pair.original, "bilingual", meta.original_lang, pair.index),
        translation=fr.block(pair.translation, "bilingual", meta.translation_lang, pair.index),
        stacked=pair.original.kind in STACKED_KINDS or pair.original.image_only is not None,
        shared=shared,
        long=fr.flavour.printed and pair_length(pair) > LONG_PAIR,
    )


def notes(fr: FragmentRenderer, article: Article, section: str, sides: tuple[Side, ...]) -> list[NoteView]:
    """The notes listed after ``section``, each in the languages of ``sides``.

    On paper the notes go to the foot of each page instead (see the fragment renderer).
    """
    if fr.flavour.printed:
        return []
    referenced = {
        "original": {label for b in article.original for label in b.note_labels},
        "translation": {label for b in article.translation or [] for label in b.note_labels},
    }
    found = []
    for note in article.footnotes:
        parts = [note_part(fr, article, note, section, side, referenced[side]) for side in sides]
        kept = [part for part in parts if part is not None]
        if kept:
            found.append(NoteView(fr.note_id(section, note.number), note.number, kept))
    return found


def note_part(
    fr: FragmentRenderer, article: Article, note: Footnote, section: str, side: Side, referenced: set[str]
) -> NotePart | None:
    tokens = note.original if side == "original" else note.translation
    if tokens is None:
        return None
    lang = article.meta.original_lang if side == "original" else article.meta.translation_lang
    back = fr.ref_id(section, lang, note.number) if note.label in referenced else None
    own = fr.note_id(section, note.number, lang)
    return NotePart(side, lang, fr.render(tokens, section, lang), back, own)


def shared_block(pair: Pair) -> bool:
    """Both halves of the pair are the same image alone, or the same code: the bilingual
    pages show it once (twice would only repeat it, side by side in two sizes)."""
    other = pair.translation
    if other is None:
        return False
    path = pair.original.image_only
    if path is not None:
        return other.image_only == path
    return pair.original.kind == other.kind == "code" and code_of(pair.original) == code_of(other)


def code_of(block: Block) -> list[tuple[str, str]]:
    """A code block's language and text, token by token."""
    return [(token.info, token.content) for token in block.tokens]


def qr_code(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI, for the printed handout."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b1b1b")
