"""The one options object shared by the Python API, ``briefpress.toml`` and the CLI.

Every option is declared once, as a field of :class:`Options`: its type (the annotation), its
default, and, through :func:`option`, the checker of its values, its command-line flags, its help
and whether it changes the editions. The CLI's flags, the validation of ``briefpress.toml`` and of
API values, the build hash and the README's table all come from these declarations (MkDocs'
``config/defaults.py`` with ``config_options.py`` is the model).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..editions import DEFAULT_FORMATS, FORMATS
from .kinds import (
    PAPERS,
    Addresses,
    Choice,
    Flag,
    Folder,
    FontName,
    Formats,
    Paper,
    PdfVariant,
    Seconds,
    Size,
    Slug,
    Spec,
    Text,
    Theme,
    Verbosity,
    WarningCodes,
    WebAddress,
    Whole,
    option,
    source_date_epoch,
)

CONFIG_FILE = "briefpress.toml"


@dataclass(frozen=True)
class Options:
    """Everything a build can be told. Field names are the flag names with '_' for '-'."""

    output: Path = option(Path("output"), Folder(), "-o", "--output", help="output folder", output=False)
    formats: tuple[str, ...] = option(
        DEFAULT_FORMATS,
        Formats(),
        "--formats",
        help=f"comma-separated editions from {','.join(FORMATS)}",
        changes=("html",),  # the reading page links to the other editions built with it
    )
    # in the build hash although they change no byte: a strict build must see the warnings again
    strict: bool | tuple[str, ...] = option(
        False,
        WarningCodes(every=True),
        "--strict",
        help="warnings (unknown keys, characters no font can show, ...) fail the article; nothing is "
        "written; --strict=CODES: only the warnings of those codes ('briefpress warnings' lists them)",
        metavar="[=CODES]",
    )
    suppress: tuple[str, ...] = option(
        (),
        WarningCodes(),
        "--suppress",
        help="warnings of these codes are neither shown nor counted",
        shown="none",
    )
    theme: Path | None = option(
        None,
        Theme(),
        "--theme",
        help="a folder whose styles/ and templates/ override the built-in files of the same names "
        "(start one with 'briefpress theme init DIR')",
        output=False,  # its files are in the build hash, its place is not
    )
    verbosity: int = option(0, Verbosity(), help="-1 quiet, 0 normal, 1 verbose (-q, -v)", output=False)
    lang_ui: str = option(
        "zh-Hans",
        Choice("zh-Hans", "zh-Hant", "en"),
        "--lang-ui",
        help="language of the labels briefpress adds",
        shown="zh-Hans (zh-Hant with --script hant)",
    )
    cjk_font: str = option(
        "Noto Serif CJK SC",
        FontName(chinese=True),
        "--cjk-font",
        help="CJK serif face for reading text",
        shown="Noto Serif CJK SC (TC with --script hant)",
    )
    cjk_sans_font: str = option(
        "Noto Sans CJK SC",
        FontName(chinese=True),
        "--cjk-sans-font",
        help="CJK sans face for headings and labels",
        shown="Noto Sans CJK SC (TC with --script hant)",
    )
    latin_font: str = option(
        "Noto Serif", FontName(), "--latin-font", help="Latin face set before the CJK one for English"
    )
    latin_sans_font: str = option("Noto Sans", FontName(), "--latin-sans-font", help="Latin sans face")
    mono_font: str = option(
        "Noto Sans Mono CJK SC",
        FontName(),
        "--mono-font",
        help="face for code",
        shown="Noto Sans Mono CJK SC (TC with --script hant)",
    )
    paper: str = option("A4", Choice(*PAPERS), "--paper", help="PDF paper size", changes=("pdf",))
    bilingual: str = option(
        "interleaved",
        Choice("interleaved", "side-by-side"),
        "--bilingual",
        help="PDF bilingual pages: paragraph above paragraph, or two columns",
        # every edition: the section's class names the layout
    )
    notes_lines: int = option(
        4,
        Whole(0, 30),
        "--notes-lines",
        help="PDF: ruled lines for notes under each prompt (0: none)",
        changes=("pdf", "epub", "kepub"),  # the e-books' page-list: the A4 handout's pages
    )
    pdf_variant: str | None = option(
        None,
        PdfVariant(),
        "--pdf-variant",
        help="passed to WeasyPrint, e.g. pdf/ua-1 (tagged) or pdf/a-3b",
        changes=("pdf",),
    )
    translation_only: bool = option(
        False,
        Flag(),
        "--translation-only",
        help="the bilingual pages show only the translation (the original text still follows)",
    )
    embed_fonts: bool = option(
        False,
        Flag(),
        "--embed-fonts",
        help="EPUB: embed a subset of the CJK font with exactly the book's characters",
        changes=("epub", "kepub"),
    )
    script: str = option(
        "hans",
        Choice("hans", "hant"),
        "--script",
        help="Chinese script of the editions: hans as written, hant converted to Traditional "
        "(with Traditional fonts and labels)",
    )
    hant_profile: str = option(
        "s2twp",
        Choice("s2twp", "s2hk"),
        "--hant-profile",
        help="OpenCC profile for --script hant: s2twp (Taiwan, with its words) or s2hk (Hong Kong)",
    )
    fix_punctuation: bool = option(
        True,
        Flag("--keep-punctuation", "--no-fix-punctuation"),
        "--fix-punctuation",
        help="in the editions, make half-width punctuation between Chinese characters "
        "full-width, pair straight quotes and drop spaces beside full-width punctuation, in every "
        "Chinese text (the source is not changed); on unless --keep-punctuation (the text as written)",
    )
    lint: bool = option(
        False,
        Flag(),
        "--lint",
        help="warn about the sources' Chinese typography (as 'check --typography' reports it)",
        changes=(),
    )
    cjk_spacing: str = option(
        "keep",
        Choice("keep", "space", "none"),
        "--cjk-spacing",
        help="the lint's convention between Chinese and Latin or digits: a space, none, or keep (no warning)",
        changes=(),
    )
    site_name: str = option(
        "阿头学",
        Text(),
        "--site-name",
        help="the newsletter's name, on the EPUB cover and atop the reading page",
        metavar="NAME",
        changes=("html", "epub", "kepub", "newsletter", "digest"),
    )
    mail_from: str | None = option(
        None,
        Addresses(),
        "--from",
        help="newsletter: the .eml's From (left out when not given)",
        metavar="ADDRESS",
        changes=("newsletter", "kindle"),
    )
    mail_to: str | None = option(
        None,
        Addresses(),
        "--to",
        help="newsletter: the .eml's To, comma-separated (left out when not given)",
        changes=("newsletter",),
    )
    kindle_to: str | None = option(
        None,
        Addresses(),
        "--kindle-to",
        help="the reader's Send-to-Kindle address, for --formats kindle",
        metavar="ADDRESS",
        changes=("kindle",),
    )
    unsubscribe: str | None = option(
        None,
        WebAddress(mail=True),
        "--unsubscribe",
        help="newsletter: where readers unsubscribe (List-Unsubscribe; one-click for https)",
        changes=("newsletter",),
    )
    web_url: str | None = option(
        None,
        WebAddress(),
        "--web-url",
        help="where the published folder (briefpress publish) is hosted: a 'read on the web' link",
        changes=("newsletter",),
    )
    imposition: str | None = option(
        None,
        Choice("booklet", "2up"),
        "--imposition",
        help="PDF for the copy shop: an A5 booklet in saddle-stitch order, or two pages a sheet "
        "(each article's handout; not the digest)",
        changes=("pdf",),
    )
    duplex: bool = option(
        False,
        Flag(),
        "--duplex",
        help="PDF printed on both sides: margins and running lines mirror",
        changes=("pdf", "epub", "kepub"),  # the e-books' page-list: the A4 handout's pages
    )
    jobs: int | None = option(
        None,
        Whole(1, 256),
        "-j",
        "--jobs",
        help="worker processes when building several articles",
        output=False,
        shown="one per CPU",
    )
    timeout: float | None = option(
        600.0,
        Seconds(86400),
        "--timeout",
        help="stop an article whose editions take longer; nothing is written for it",
        output=False,
        shown="600",
    )
    max_memory: int | None = option(
        4096,
        Whole(256, 1 << 20),
        "--max-memory",
        help="address space of one article's build process",
        output=False,
        metavar="MB",
    )
    force: bool = option(
        False,
        Flag(),
        "--force",
        help="rebuild even unchanged articles, and write into a folder another source (or the digest) built",
        output=False,
    )
    prune: bool = option(
        False,
        Flag(),
        "--prune",
        help="remove the files briefpress wrote for the articles whose sources are gone from the "
        "folders built (without it, they only leave the index and the feed)",
        output=False,
    )
    no_wait: bool = option(
        False,
        Flag(),
        "--no-wait",
        help="stop at once when another build is writing into the output folder (default: wait for it)",
        output=False,
    )
    digest: str | None = option(
        None,
        Text(),
        "--digest",
        help="also build DIR/<digest-slug>/<digest-slug>.html, .pdf, .epub and newsletter (those --formats "
        "asks for; PDF and EPUB when it asks for none of them) with every article, under this name",
        output=False,
        metavar="NAME",
    )
    digest_slug: str = option("digest", Slug(), "--digest-slug", help="the digest's file name", output=False)
    digest_partial: bool = option(
        False,
        Flag(),
        "--digest-partial",
        help="build the digest without the articles that failed, its contents saying how many it "
        "leaves out (without it, a failed article means no digest)",
        output=False,
    )
    order: str = option(
        "date-desc",
        Choice("date-desc", "date-asc", "title", "input"),
        "--order",
        help="digest order (date-desc: newest first)",
        output=False,
    )
    attach_limit: int = option(
        7 * 1024 * 1024,  # 9.3 MB in base64: under the 10 MB many mail servers refuse
        Size(),
        "--attach-limit",
        help="the digest's mail attaches its PDF up to this size, else links to it (on --web-url)",
        shown="7MB",
        changes=("digest",),
    )
    prefer: str | None = option(
        None,
        Choice("pairs", "sections"),
        "--prefer",
        help="page dumps: which copy of the text wins where they disagree",
        shown="error",
    )

    def __post_init__(self) -> None:
        # Traditional Chinese editions take the Traditional faces and labels, unless others
        # were chosen: the Simplified defaults follow the script. What follows it is noted,
        # so that a copy with another script computes it again instead of keeping it.
        derived = []
        if self.script == "hant":
            if self.lang_ui == "zh-Hans":
                object.__setattr__(self, "lang_ui", "zh-Hant")
                derived.append("lang_ui")
            for name in ("cjk_font", "cjk_sans_font", "mono_font"):
                face = getattr(self, name)
                if face == Options.__dataclass_fields__[name].default:
                    object.__setattr__(self, name, face.removesuffix(" SC") + " TC")
                    derived.append(name)
        object.__setattr__(self, "_derived", frozenset(derived))

    def replace(self, **changes: Any) -> Options:
        """A copy with ``changes``, each checked as a flag or a briefpress.toml value would be;
        what follows the script is computed again, not copied."""
        checked: dict[str, Any] = {k: v if v is None else coerce(k, v, "options") for k, v in changes.items()}
        chosen = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.derived}
        copy = Options(**{**chosen, **checked})
        # given (here or before), so chosen, even when it is the default the script replaces
        pinned = self.__dict__.get("_pinned", frozenset()) | checked.keys()
        for name in copy.derived & pinned:
            object.__setattr__(copy, name, checked.get(name, getattr(self, name)))
        object.__setattr__(copy, "_derived", copy.derived - pinned)
        object.__setattr__(copy, "_pinned", frozenset(pinned))
        return copy

    @property
    def derived(self) -> frozenset[str]:
        """The options whose values follow from others (the script), not chosen."""
        return self.__dict__.get("_derived", frozenset())

    @property
    def running_title_columns(self) -> int:
        """How wide the PDF's running title may be (a Chinese character counts two)."""
        return PAPERS[self.paper].title_columns

    @property
    def font_families(self) -> tuple[str, ...]:
        return (self.latin_font, self.latin_sans_font, self.cjk_font, self.cjk_sans_font, self.mono_font)

    def output_settings(self, editions: Iterable[str] | None = None) -> dict[str, Any]:
        """The options that change the editions: part of the build hash, kept in the stamp;
        with ``editions``, those that change one of them (:attr:`Spec.changes`)."""
        chosen = [f.name for f in fields(self) if spec(f.name).changes_one_of(editions)]
        return {name: getattr(self, name) for name in chosen}


def spec(name: str) -> Spec:
    return Options.__dataclass_fields__[name].metadata["spec"]


# reading briefpress.toml and the README table, from the declarations above
from .config import (  # noqa: E402, F401
    coerce,
    declared,
    flag_name,
    load,
    markdown_table,
    notice,
    option_names,
    read_config,
)

__all__ = ["PAPERS", "Options", "Paper", "load", "markdown_table", "notice"]
__all__ += ["read_config", "source_date_epoch"]
