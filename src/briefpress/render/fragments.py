"""Markdown tokens to HTML fragments, with ids, note links and the link policy's
decisions, for one place in one edition (markdown-it-py's renderer, with our rules)."""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from ..cjk import CLOSING, OPENING, STOPS, is_han
from ..model import CITATION, Article, Block, Mark, RichText, image_file, marked
from ..sources.tokens import make_parser


@dataclass
class Flavour:
    """What differs between editions when a fragment is rendered."""

    #: the edition: "html", "pdf", "epub" or "newsletter"
    edition: str = "html"
    #: turns an image's local path into the src the edition uses (default: a data: URI)
    image_src: Callable[[Path], str] | None = None
    #: put before every id, so that several articles can share one document (digests)
    prefix: str = ""
    #: where a link to a section id points, when sections are separate files (EPUB)
    anchor: Callable[[str], str] | None = None
    #: whether a "¶12" in the brief or the prompts links to pair 12 (the newsletter has no
    #: pairs: it links to them on the web page, when there is one)
    cites_pairs: bool = True

    def href(self, target: str) -> str:
        """Where a link to the id ``target`` of this article points in this edition."""
        return self.anchor(target) if self.anchor else f"#{self.prefix}{target}"

    @property
    def markup(self) -> str:
        """The edition's declared markup: "xhtml" for the EPUB (notes carry epub:type)."""
        from ..editions import EDITIONS

        return EDITIONS[self.edition].markup

    @property
    def printed(self) -> bool:
        """Whether the edition is declared paper: notes at the foot of each page, a QR
        code, ruled space for notes."""
        from ..editions import EDITIONS

        return EDITIONS[self.edition].printed


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
        # a word joiner: the call never starts a line, away from the text it marks ("。" | "1")
        return f'\u2060<span class="footnote" data-number="{number}">{text}</span>'

    def note_id(self, section: str, number: int, lang: str | None = None) -> str:
        """The id of a note; with ``lang``, of that language's note alone."""
        own = f"{lang_key(lang)}-" if lang else ""
        return f"{self.flavour.prefix}{section}-fn-{own}{number}"

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
    for code in ("fence", "code_block", "code_inline"):
        md.add_render_rule(code, _render_code)
    return md


def _render_table(self, tokens, idx, options, env) -> str:
    # A wide table scrolls inside its own box (focusable, so keyboards can scroll it)
    # instead of widening the page on a phone.
    if tokens[idx].nesting == 1:
        columns = 0
        for token in tokens[idx:]:
            if token.type == "tr_close":
                break
            columns += token.type in ("th_open", "td_open")
        # many columns get smaller type and padding on paper, where a table cannot scroll
        size = " wide" if columns > 8 else ""
        size += " very-wide" if columns > 16 else ""
        return f'<div class="table-wrap{size}" tabindex="0">\n' + self.renderToken(tokens, idx, options, env)
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _render_cell(self, tokens, idx, options, env) -> str:
    env["in_cell"] = tokens[idx].nesting == 1
    return self.renderToken(tokens, idx, options, env)


#: dates, times and grouped numbers ("2025-01-15", "12:30", "1,204") and short codes
#: ("r-001"); possessive, so linear
_NUMBER_RUN = re.compile(r"(?<!\d)\d++(?:[-/.:,]\d++)+|(?<![\w-])[A-Za-z]{1,3}-\d++(?![\w-])")


#: a run with no break opportunity (no space, no Chinese); WeasyPrint lays such a run out in
#: time that grows with the square of its length, so on paper it gets zero-width break
#: points every 24 characters
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U000323af]{48,}")
ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str) -> str:
    return _UNBREAKABLE.sub(
        lambda m: ZERO_WIDTH_SPACE.join(m[0][i : i + 24] for i in range(0, len(m[0]), 24)), text
    )


def _render_code(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if env["renderer"].flavour.printed:
        copy = token.copy()
        copy.content = breakable(token.content)
        tokens = [*tokens[:idx], copy, *tokens[idx + 1 :]]
    return getattr(RendererHTML, token.type)(self, tokens, idx, options, env)


#: Chinese punctuation by where its ink sits in the em box: stops and closing marks on the
#: left (in the Simplified faces; Traditional ones centre the stops), opening marks on the right
_PUNCTUATION_RUN = re.compile(f"[{STOPS}{CLOSING}{OPENING}]{{2,}}")


def _tight_mark(ch: str) -> str:
    kind = "stop" if ch in STOPS else "close" if ch in CLOSING else "open"
    return f'<span class="cjk-{kind}">{ch}</span>'


def tight_punctuation(html: str) -> str:
    """Consecutive Chinese punctuation ("。”", "，“") marked so that print.css can set each
    mark half-width (clreq §3.1.6): the run takes about one em instead of two."""
    return _PUNCTUATION_RUN.sub(lambda m: "".join(map(_tight_mark, m[0])), html)


def _render_text(self, tokens, idx, options, env) -> str:
    content = tokens[idx].content
    printed = env["renderer"].flavour.printed
    text = tight_punctuation(escapeHtml(breakable(content))) if printed else escapeHtml(content)
    if env.get("in_cell"):  # a narrow column must not break a date in two
        text = _NUMBER_RUN.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', text)
    if env["section"] in CITING and not any(env.get("open_links", ())):
        text = cite_pairs(text, env["renderer"])
    return text


#: the sections whose text may cite a pair by its paragraph number, "¶12"
CITING = ("brief", "prompts")


def cite_pairs(html: str, renderer: FragmentRenderer) -> str:
    """Each "¶12" that names a pair of the article a link to it, in this edition (the
    locator the reading page shows beside the pair, and the handout in its margin)."""
    if not renderer.flavour.cites_pairs:
        return html
    pairs = {pair.index for pair in renderer.article.pairs}

    def link(m: re.Match[str]) -> str:
        if int(m[1]) not in pairs:
            return m[0]
        href = escape(renderer.flavour.href(f"pair-{int(m[1])}"))
        return f'<a class="pair-ref" href="{href}">{m[0]}</a>'

    return CITATION.sub(link, html)


def _render_note_ref(self, tokens, idx, options, env) -> str:
    renderer: FragmentRenderer = env["renderer"]
    token = tokens[idx]
    number = renderer.numbers[token.meta["label"]]
    section, lang = env["section"], env["lang"]
    if renderer.flavour.printed:
        return renderer.page_note(token.meta["label"], number, env)
    ref_id = renderer.ref_id(section, lang, number, token.meta.get("subId", 0))
    xhtml = renderer.flavour.markup == "xhtml"
    # an e-reader pops up the whole aside a noteref points to: the EPUB's is the call's
    # language's note alone
    href = "#" + renderer.note_id(section, number, lang if xhtml else None)
    role = 'epub:type="noteref" role="doc-noteref"' if xhtml else 'role="doc-noteref"'
    return f'<a class="noteref" id="{ref_id}" href="{escape(href)}" {role}>{number}</a>'


def _render_image(self, tokens, idx, options, env) -> str:
    renderer: FragmentRenderer = env["renderer"]
    token = tokens[idx]
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    src = str(token.attrs.get("src", ""))
    path = image_file(token)
    if not marked(token, Mark.CHECKED) or marked(token, Mark.REFUSED):  # fail closed
        return f'<span class="refused-image">[{alt}]</span>'
    if marked(token, Mark.REMOTE) or path is None:
        return f'<a class="remote-image" href="{escape(src)}">{alt or escape(src)}</a>'
    to_src = renderer.flavour.image_src or data_uri
    title = f' title="{escape(token.attrs["title"])}"' if token.attrs.get("title") else ""
    return f'<img src="{escape(to_src(path))}" alt="{alt}"{title} />'


def _render_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    opened: list[bool] = env.setdefault("open_links", [])  # whether each open link was kept
    if token.nesting == -1:
        return "</a>" if opened and opened.pop() else ""
    opened.append(kept(token))
    if not opened[-1]:  # fail closed: only what the reader's policy let through is a link
        return ""
    href = str(token.attrs.get("href", ""))
    renderer: FragmentRenderer = env["renderer"]
    if href.startswith("#"):
        href = renderer.flavour.href(href[1:])
    title = f' title="{escape(token.attrs["title"])}"' if token.attrs.get("title") else ""
    # a bare address (<https://…>) fills its lines and breaks anywhere, like a word would not
    shown = tokens[idx + 1].content if idx + 1 < len(tokens) and tokens[idx + 1].type == "text" else ""
    kind = ' class="url"' if token.markup in ("autolink", "linkify") or shown == href else ""
    return f'<a{kind} href="{escape(href)}"{title}>'


def kept(token: Token) -> bool:
    return marked(token, Mark.CHECKED) and not marked(token, Mark.DROP)


def _render_softbreak(self, tokens, idx, options, env) -> str:
    # A line break in the source between two Chinese characters is not a space.
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    if (before and is_han(before)) or (after and is_han(after)):
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
