"""The link and image policy: what an article may link to and show.

Links keep only http, https, mailto and the editions' own section anchors; raw HTML
and script links stay text; images are files inside the article's folder (symlinks
resolved), and an SVG that refers to anything outside itself is not embedded. The
decisions are recorded on the tokens (:func:`briefpress.model.mark`) for the renderers.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..model import Mark, mark, section_of, set_image_file, walk
from .images import ImageProblem, inspect
from .tokens import Section, SourceFile

#: ids an in-document link may point to: the sections every edition has
SECTION_IDS = ("title", "brief", "key-points", "relevance", "bilingual", "original", "prompts", "discussion")
LINK_SCHEMES = ("http", "https", "mailto")
# Every pattern that runs over an article's text is linear: possessive quantifiers never
# give back, and no two quantifiers in a row can match the same characters.
_SCRIPT_LINK = re.compile(r"(?i)\]\(\s*+<?\s*+(?:javascript|vbscript|data|file)\s*+:")
#: a footnote reference as written in the source: not after a backslash, no '[' in the label
_NOTE_REFERENCE = re.compile(r"(?<!\\)\[\^([^\]\s\[]++)\]")
_RAW_HTML = re.compile(r"<\s*+/?\s*+[A-Za-z][A-Za-z0-9-]*+(?:\s[^<>]*+)?/?>|<!--")


class LinkPolicy:
    """Checks the links and images of one source; anchors wait until its sections are known."""

    def __init__(self, src: SourceFile):
        self.src = src
        self.anchors: list[tuple[Token, int]] = []

    def check_inline_text(self, section: Section) -> list[tuple[str, int]]:
        """Warn about raw HTML and script links; return undefined footnote references (label, line).

        All three are left as plain text by the parser.
        """
        undefined = []
        for token in section.tokens:
            if token.type != "inline":
                continue
            line = token.map[0] + 1 if token.map else section.line
            texts = [c.content for c in token.children or [] if c.type == "text"]
            # a reference the parser left as text, and written as one (not escaped: a page
            # dump's literal "[^1]" is text)
            written = {m[1] for m in _NOTE_REFERENCE.finditer(token.content)}
            undefined += [
                (m[1], line) for text in texts for m in _NOTE_REFERENCE.finditer(text) if m[1] in written
            ]
            # raw in the source (not backslash-escaped) and shown as text (not in code)
            if _RAW_HTML.search(token.content) and any(_RAW_HTML.search(t) for t in texts):
                self.src.warn("raw HTML is not trusted: it is shown as text", line, code="raw-html")
            if any(_SCRIPT_LINK.search(t) for t in texts) and _SCRIPT_LINK.search(token.content):
                self.src.warn(
                    "a javascript:, vbscript:, data: or file: link is not followed: it is shown as text",
                    line,
                    code="script-link",
                )
            for child in walk(token.children or []):
                if child.type == "link_open":
                    self.check_link(child, line)
        return undefined

    def check_link(self, token: Token, line: int) -> None:
        """Links keep only http(s), mailto and the editions' own section anchors."""
        href = str(token.attrs.get("href", ""))
        scheme = urlsplit(href).scheme.lower()
        if scheme in LINK_SCHEMES:
            mark(token, Mark.CHECKED)
            return
        if href.startswith("#") and href[1:] in SECTION_IDS:
            self.anchors.append((token, line))  # checked once the article's sections are known
            return
        mark(token, Mark.DROP)
        self.src.warn(
            f"link to {href[:80]!r} is not kept (only http, https, mailto and the section anchors "
            f"#{', #'.join(SECTION_IDS)} are): its text stays",
            line,
            code="link-dropped",
        )

    def check_anchors(self, present: list[str]) -> None:
        """Drop links to sections the article turned out not to have."""
        for token, line in self.anchors:
            target = str(token.attrs["href"])[1:]
            if section_of(target) not in ("", *present):
                mark(token, Mark.DROP)
                self.src.warn(
                    f"link to #{target}: this article has no such section; its text stays",
                    line,
                    code="no-such-section",
                )
            else:
                mark(token, Mark.CHECKED)

    def check_images(self, sections: list[Section]) -> list[Path]:
        """The local image files every section shows (its footnotes too); remote and refused
        images are marked, and anything else is an error."""
        images: list[Path] = []
        for section in sections:
            line = section.line
            for token in walk(section.tokens):
                line = token.map[0] + 1 if token.map else line
                if token.type == "image":
                    target = self.check_image(token, line)
                    if target is not None and target not in images:
                        images.append(target)
        return images

    def check_image(self, token: Token, line: int) -> Path | None:
        src = str(token.attrs.get("src", ""))
        scheme = urlsplit(src).scheme.lower()
        if scheme in ("http", "https"):
            self.src.warn(
                f"remote image {src[:200]} is not downloaded; it is shown as a link",
                line,
                code="remote-image",
            )
            mark(token, Mark.REMOTE)
            mark(token, Mark.CHECKED)
            return None
        if scheme or src.startswith("/"):
            raise self.src.error(
                f"image {src[:200]!r} must be a relative path inside the article's folder", line
            )
        name = unquote(src)
        try:
            folder = self.src.path.parent.resolve()
            target = (self.src.path.parent / name).resolve()
            inside, exists = target.is_relative_to(folder), target.is_file()
        except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte, a name too long
            raise self.src.error(
                f"image {name[:200]!r} cannot be opened ({exc}); check its name", line
            ) from None
        if not inside:
            raise self.src.error(
                f"image {src[:200]!r} lies outside the article's folder; copy it next to the article", line
            )
        if not exists:
            raise self.src.error(f"image {name[:200]!r} not found", line)
        try:
            info = inspect(target)
        except ImageProblem as exc:
            raise self.src.error(f"image {name[:200]!r} {exc}", line) from None
        if info.reaches_out:
            self.src.warn(
                f"SVG image {name!r} refers to files or addresses outside itself; "
                "it is not embedded (its alt text is shown)",
                line,
                code="svg-reaches-out",
            )
            mark(token, Mark.REFUSED)
            return None
        set_image_file(token, target)
        mark(token, Mark.CHECKED)
        return target
