"""Every warning's code, in one table: what ``--strict=CODES``, ``--suppress CODES`` and
``suppress = [...]`` in briefpress.toml accept, what ``briefpress warnings`` lists, and what
each warning's line ends with (``a.md:3: warning: ... [unknown-key]``, as ruff and pylint
name their rules). A code is stable: a script or a briefpress.toml may name it.

A new warning takes its code here, one line saying what it means, and passes it to
:meth:`briefpress.errors.Report.warn` as ``code=``; tests/test_warning_codes.py fails for a
call in src/ without one.
"""

from __future__ import annotations

from collections.abc import Collection

#: what a warning whose caller gave no code is filed under (a caller outside briefpress)
DEFAULT_CODE = "other"
#: the line that counts a file's warnings past the limit: not a warning itself
TRUNCATED = "truncated"

CODES: dict[str, str] = {
    # the source
    "unknown-key": "a front matter key briefpress does not know is ignored",
    "yaml-comment": "a front matter value holds ' #', which YAML reads as a comment: the value is cut",
    "bidi-control": "a front matter value holds a bidirectional control character",
    "no-translation": "an article without '# 译文': no bilingual pages",
    "no-brief": "an article without '# 核心观点', '# 跟我们的关联' or '# 讨论引子': no brief",
    "unlike-blocks": "a block of the original and its translation differ in kind (a list, a paragraph)",
    "unused-footnote": "a footnote is defined but never referenced: it is left out",
    "no-such-pair": "the brief or a prompt cites a paragraph '¶N' the article does not have: no link",
    "raw-html": "raw HTML in a source is not trusted: it is shown as text",
    "script-link": "a javascript:, vbscript:, data: or file: link is shown as text",
    "link-dropped": "a link to anything but http(s), mailto or a section anchor: its text stays",
    "no-such-section": "a link to a section the article does not have: its text stays",
    "remote-image": "a remote image is not downloaded: it is shown as a link",
    "svg-reaches-out": "an SVG image refers to files or addresses outside itself: not embedded",
    "dump-disagrees": "a page dump's copies of the text disagree; --prefer chose one",
    "typography": "a finding of the Chinese typography lint (--lint)",
    # fonts and layout
    "missing-glyph": "characters no configured or installed font has: they print in another font or as boxes",
    "font-not-installed": "a font the HTML or EPUB only names for readers' machines is not installed here",
    "fetch-refused": "the PDF asked for a file or address outside the article's folder: refused",
    "weasyprint": "a warning of WeasyPrint's (unsupported CSS, an image that cannot be read)",
    "ragged-chinese": "the installed WeasyPrint cannot justify Chinese: its lines stay ragged",
    "loose-footnotes": "the installed WeasyPrint may set a page footnote a page after its call",
    # delivery
    "newsletter-clipped": "the newsletter's HTML part is over what Gmail shows without clipping",
    "mail-too-large": "the .eml is larger than many mail servers accept",
    # the report itself
    TRUNCATED: "a file had more warnings than are shown; one line counts the rest",
    DEFAULT_CODE: "a warning from a caller that gave no code",
}


def covers(selection: bool | Collection[str] | None, code: str) -> bool:
    """Whether ``--strict`` (or ``suppress``) as given names ``code``: true names every
    code, false or none no code, a collection the codes it holds."""
    if isinstance(selection, bool) or selection is None:
        return bool(selection)
    if isinstance(selection, str):  # Options(strict="a,b") made without replace() or load()
        selection = [part.strip() for part in selection.split(",")]
    return code in selection


def listing() -> list[str]:
    """The codes, a line each, as ``briefpress warnings`` prints them."""
    width = max(map(len, CODES))
    return [f"{code:<{width}}  {meaning}" for code, meaning in CODES.items()]
