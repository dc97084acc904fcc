"""Article -> HTML: Markdown tokens to HTML fragments, then Jinja2 templates.

Every edition starts here. ``templates/`` and ``styles/`` sit at the top of the
repository and inside the installed package; :func:`resource_dir` finds either.
"""

from __future__ import annotations

import base64
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from . import __version__
from .l10n import labels
from .model import Article, Block, Pair, RichText, edition_sections
from .options import Options
from .sources.markdown import make_parser

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def resource_dir(name: str) -> Path:
    """``styles`` or ``templates``: inside the installed wheel, else at the repository top."""
    packaged = Path(__file__).parent / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["version"] = __version__
    return env


def read_style(name: str) -> str:
    return (resource_dir("styles") / name).read_text(encoding="utf-8")


def stylesheet(options: Options, *names: str, fonts_template: str = "fonts.css.j2", **values: Any) -> str:
    """The font rules for ``options`` followed by the named files from ``styles/``."""
    fonts = environment().get_template(fonts_template).render(options=options, **values)
    return "\n".join([fonts, *(read_style(name) for name in names)])


# -- Markdown tokens to HTML -------------------------------------------------------------


@dataclass
class Flavour:
    """What differs between editions when a fragment is rendered."""

    #: "html" or "xhtml"; xhtml uses epub:type for notes
    markup: str = "html"
    #: turns an image's local path into the src the edition uses
    image_src: Callable[[Path], str] | None = None
    #: paged media (the PDF): notes at the foot of the page, QR code, ruled notes space
    paged: bool = False
    #: put before every id, so that several articles can share one document (digests)
    prefix: str = ""
    #: where a link to a section id points, when sections are separate files (EPUB)
    anchor: Callable[[str], str] | None = None


def data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


class FragmentRenderer:
    """Renders model tokens to HTML with ids and note links for one place in an edition."""

    def __init__(self, article: Article, flavour: Flavour):
        self.article = article
        self.flavour = flavour
        self.numbers = {note.label: note.number for note in article.footnotes}
        self.md = _fragment_parser()

    def render(self, tokens: list[Token], section: str, lang: str, index: int = 0) -> Markup:
        env = {"renderer": self, "section": section, "lang": lang, "index": index}
        return Markup(self.md.renderer.render(tokens, self.md.options, env))

    def inline(self, text: RichText, section: str, lang: str) -> Markup:
        env = {"renderer": self, "section": section, "lang": lang}
        renderer: RendererHTML = self.md.renderer  # type: ignore[assignment]
        return Markup(renderer.renderInline(text.tokens, self.md.options, env).strip())

    def block(self, block: Block | None, section: str, lang: str, index: int = 0) -> Markup:
        return self.render(block.tokens, section, lang, index) if block else Markup("")

    def page_note(self, label: str, number: int, env: dict[str, Any]) -> str:
        """A note set at the foot of the page (CSS ``float: footnote``), in the text's language."""
        note = next(n for n in self.article.footnotes if n.label == label)
        own = note.original if env["lang"] == self.article.meta.original_lang else note.translation
        tokens = own or note.original or note.translation or []
        renderer: RendererHTML = self.md.renderer  # type: ignore[assignment]
        text = " ".join(
            renderer.renderInline(t.children or [], self.md.options, env).strip()
            for t in tokens
            if t.type == "inline"
        )
        return f'<span class="footnote" data-number="{number}">{text}</span>'

    def note_id(self, section: str, number: int) -> str:
        return f"{self.flavour.prefix}{section}-fn-{number}"

    def ref_id(self, section: str, lang: str, number: int, sub: int = 0) -> str:
        suffix = f"-{sub + 1}" if sub else ""
        return f"{self.flavour.prefix}{section}-ref-{lang_key(lang)}-{number}{suffix}"


def lang_key(lang: str) -> str:
    return lang.split("-")[0].lower()


@cache
def _fragment_parser() -> MarkdownIt:
    md = make_parser()
    md.add_render_rule("footnote_ref", _render_note_ref)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("softbreak", _render_softbreak)
    md.add_render_rule("link_open", _render_link)
    md.add_render_rule("link_close", _render_link)
    md.add_render_rule("heading_open", _render_heading)
    md.add_render_rule("heading_close", _render_heading)
    md.add_render_rule("table_open", _render_table)
    md.add_render_rule("table_close", _render_table)
    for cell in ("th_open", "th_close", "td_open", "td_close"):
        md.add_render_rule(cell, _render_cell)
    md.add_render_rule("text", _render_text)
    return md


def _render_table(self, tokens, idx, options, env) -> str:
    # A wide table scrolls inside its own box (focusable, so keyboards can scroll it)
    # instead of widening the page on a phone.
    if tokens[idx].nesting == 1:
        return '<div class="table-wrap" tabindex="0">\n' + self.renderToken(tokens, idx, options, env)
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _render_cell(self, tokens, idx, options, env) -> str:
    env["in_cell"] = tokens[idx].nesting == 1
    return self.renderToken(tokens, idx, options, env)


#: dates, times and grouped numbers ("2025-01-15", "12:30", "1,204"); possessive, so linear
_NUMBER_RUN = re.compile(r"\d++(?:[-/.:,]\d++)+")


def _render_text(self, tokens, idx, options, env) -> str:
    text = escapeHtml(tokens[idx].content)
    if env.get("in_cell"):  # a narrow column must not break a date in two
        text = _NUMBER_RUN.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', text)
    return text


def _render_note_ref(self, tokens, idx, options, env) -> str:
    renderer: FragmentRenderer = env["renderer"]
    token = tokens[idx]
    number = renderer.numbers[token.meta["label"]]
    section, lang = env["section"], env["lang"]
    if renderer.flavour.paged:
        return renderer.page_note(token.meta["label"], number, env)
    ref_id = renderer.ref_id(section, lang, number, token.meta.get("subId", 0))
    href = "#" + renderer.note_id(section, number)
    role = (
        'epub:type="noteref" role="doc-noteref"'
        if renderer.flavour.markup == "xhtml"
        else 'role="doc-noteref"'
    )
    return f'<a class="noteref" id="{ref_id}" href="{escape(href)}" {role}>{number}</a>'


def _render_image(self, tokens, idx, options, env) -> str:
    renderer: FragmentRenderer = env["renderer"]
    token = tokens[idx]
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    src = str(token.attrs.get("src", ""))
    if token.meta.get("refused"):
        return f'<span class="refused-image">[{alt}]</span>'
    if token.meta.get("remote") or "path" not in token.meta:
        return f'<a class="remote-image" href="{escape(src)}">{alt or escape(src)}</a>'
    to_src = renderer.flavour.image_src or data_uri
    title = f' title="{escape(token.attrs["title"])}"' if token.attrs.get("title") else ""
    return f'<img src="{escape(to_src(token.meta["path"]))}" alt="{alt}"{title} />'


def _render_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.nesting == -1:  # find the opening token to know whether the link was kept
        depth = 0
        for opening in reversed(tokens[:idx]):
            if opening.type == "link_close":
                depth += 1
            elif opening.type == "link_open":
                if depth == 0:
                    return "" if opening.meta.get("drop") else "</a>"
                depth -= 1
        return "</a>"
    if token.meta.get("drop"):
        return ""
    href = str(token.attrs.get("href", ""))
    renderer: FragmentRenderer = env["renderer"]
    if href.startswith("#"):
        href = (
            renderer.flavour.anchor(href[1:])
            if renderer.flavour.anchor
            else f"#{renderer.flavour.prefix}{href[1:]}"
        )
    title = f' title="{escape(token.attrs["title"])}"' if token.attrs.get("title") else ""
    # a bare address (<https://…>) fills its lines and breaks anywhere, like a word would not
    shown = tokens[idx + 1].content if idx + 1 < len(tokens) and tokens[idx + 1].type == "text" else ""
    kind = ' class="url"' if token.markup in ("autolink", "linkify") or shown == href else ""
    return f'<a{kind} href="{escape(href)}"{title}>'


def _render_softbreak(self, tokens, idx, options, env) -> str:
    # A line break in the source between two Chinese characters is not a space.
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    if _CJK.match(before) or _CJK.match(after):
        return ""
    return "\n"


def _render_heading(self, tokens, idx, options, env) -> str:
    # Source '##' sits under the edition's section headings (h2), so it becomes h3.
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + 1)
    if token.nesting == 1:
        ident = heading_id(env["section"], env["lang"], env["index"], env["renderer"].flavour.prefix)
        return f'<h{level} class="sub" id="{ident}">' if env["index"] else f'<h{level} class="sub">'
    return f"</h{level}>\n"


def heading_id(section: str, lang: str, index: int, prefix: str = "") -> str:
    """The id of the subheading that is block ``index`` (1-based) of a text."""
    return f"{prefix}{section}-{lang_key(lang)}-h{index}"


# -- the template context ----------------------------------------------------------------


def context(article: Article, options: Options, flavour: Flavour) -> dict[str, Any]:
    """Everything the templates need, with fragments already rendered to HTML."""
    meta = article.meta
    fr = FragmentRenderer(article, flavour)
    ui = labels(options.lang_ui)
    orig, trans = meta.original_lang, meta.translation_lang

    if flavour.paged:  # notes go to the foot of each page instead of after each section
        article_notes: list = []
    else:
        article_notes = article.footnotes
    referenced = {
        "original": {label for b in article.original for label in b.note_labels},
        "translation": {label for b in article.translation or [] for label in b.note_labels},
    }

    def notes(section: str, which: tuple[str, ...]) -> list[dict[str, Any]]:
        out = []
        for note in article_notes:
            parts = []
            for side in which:
                tokens = note.original if side == "original" else note.translation
                lang = orig if side == "original" else trans
                if tokens is not None:
                    parts.append(
                        {
                            "side": side,
                            "lang": lang,
                            "html": fr.render(tokens, section, lang),
                            # a back-link only where this language's text refers to the note
                            "ref_id": fr.ref_id(section, lang, note.number)
                            if note.label in referenced[side]
                            else None,
                        }
                    )
            if parts:
                out.append({"id": fr.note_id(section, note.number), "number": note.number, "parts": parts})
        return out

    sections = edition_sections(article)

    return {
        "meta": meta,
        "ui": ui,
        "ui_lang": options.lang_ui,
        "orig_lang": orig,
        "trans_lang": trans,
        "sections": sections,
        "key_points": [
            {"label": item.label, "html": fr.inline(item.body, "brief", trans)} for item in article.key_points
        ],
        "relevance": [
            {"label": item.label, "html": fr.inline(item.body, "brief", trans)} for item in article.relevance
        ],
        "prompts": [fr.inline(p, "prompts", trans) for p in article.prompts],
        "pairs": [
            {
                "index": pair.index,
                "kind": pair.original.kind,
                "original": Markup("")
                if options.translation_only or shared_image(pair)
                else fr.block(pair.original, "bilingual", orig, pair.index),
                "translation": fr.block(pair.translation, "bilingual", trans, pair.index),
            }
            for pair in article.pairs
        ],
        "translation_only": options.translation_only,
        "original": [
            fr.block(block, "original", orig, n) for n, block in enumerate(article.original, start=1)
        ],
        "bilingual_notes": notes(
            "bilingual", ("translation",) if options.translation_only else ("original", "translation")
        ),
        "original_notes": notes("original", ("original",)),
        "discussion": [
            {"author": c.author, "date": c.date.isoformat(), "html": fr.inline(c.body, "discussion", trans)}
            for c in article.discussion or []
        ],
        "markup": flavour.markup,
        "paged": flavour.paged,
        "prefix": flavour.prefix,
        "running_title": running_title(meta.title, options.running_title_columns),
        "layout": options.bilingual,
        "notes_lines": options.notes_lines if flavour.paged else 0,
        "qr": qr_code(meta.source_url) if flavour.paged and meta.source_url else None,
    }


def shared_image(pair: Pair) -> bool:
    """Both halves of the pair are the same image alone: the bilingual pages show it once."""
    path = pair.original.image_only
    return path is not None and pair.translation is not None and pair.translation.image_only == path


def qr_code(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI, for the printed handout."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b1b1b")


def running_title(title: str, limit: int) -> str:
    """``title`` cut to ``limit`` columns (a Chinese character is two) with an ellipsis."""
    width = 0
    for index, ch in enumerate(title):
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width > limit:
            return title[:index].rstrip(" ,.:;，。：；、") + "…"
    return title


def render_template(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


def plain_text(value: str) -> str:
    """Text for metadata fields: no control characters, single spaces."""
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return " ".join(value.split())
