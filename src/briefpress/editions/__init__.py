"""Editions: each module turns an Article (the digest: several) into the bytes of files.

:data:`EDITIONS` declares every edition once, as WeasyPrint's ``VARIANTS`` table does:
the module that renders it, the files it produces, the editions whose files it needs,
and whether it is built by default. A builder renders what an edition needs first (in
memory, when it was not asked for) and writes only the files of the editions asked for.

An edition module has ``render(article, options, report) -> bytes`` when it produces one
file and needs nothing; otherwise ``render_files(article, options, report, needed) ->
{file name: bytes}``, ``needed`` holding the files of the editions it needs. The digest
(``several=True``) has ``render_files(articles, options, report)``. Modules are imported
only when their edition is built, so that ``briefpress --help`` and HTML-only builds
never import WeasyPrint or ebooklib.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from ..fields import private

if TYPE_CHECKING:
    from ..errors import Report
    from ..model import Article
    from ..options import Options


@dataclass(frozen=True)
class Edition:
    name: str
    module: str
    #: file names it writes; ``{slug}`` is the article's (or the digest's) slug
    produces: tuple[str, ...]
    #: editions whose files it uses
    needs: tuple[str, ...] = ()
    #: built when no formats are chosen
    default: bool = False
    #: an edition over several articles (the digest), not one per article
    several: bool = False
    help: str = ""
    #: the font options whose families it draws with on this machine: a build of it stops
    #: before rendering when one is not installed (:mod:`briefpress.fontcheck`)
    fonts: tuple[str, ...] = ()
    #: those its stylesheet only names, for the readers' machines: a warning
    names_fonts: tuple[str, ...] = ()

    def files(self, slug: str) -> list[str]:
        return [name.format(slug=slug) for name in self.produces]


#: the font options (:class:`briefpress.options.kinds.FontName`)
ALL_FONTS = ("cjk_font", "cjk_sans_font", "latin_font", "latin_sans_font", "mono_font")
#: what the e-books' covers are drawn in (and --embed-fonts subsets the serif)
COVER_FONTS = ("cjk_font", "cjk_sans_font")

EDITIONS: dict[str, Edition] = {
    edition.name: edition
    for edition in (
        Edition(
            "html",
            "briefpress.editions.html",
            ("{slug}.html",),
            default=True,
            help="one self-contained page",
            names_fonts=ALL_FONTS,
        ),
        Edition(
            "pdf",
            "briefpress.editions.pdf",
            ("{slug}.pdf", "{slug}.booklet.pdf", "{slug}.2up.pdf"),  # the last two with --imposition
            default=True,
            help="the printed handout",
            fonts=ALL_FONTS,  # its stylesheet's, and the page numbers' (the Latin serif)
        ),
        Edition(
            "epub",
            "briefpress.editions.epub",
            ("{slug}.epub",),
            default=True,
            help="the e-book",
            fonts=COVER_FONTS,
            names_fonts=("mono_font",),  # its stacks put the reader's own fonts first
        ),
        Edition(
            "kindle",
            "briefpress.editions.kindle",
            ("{slug}.kindle.eml",),
            needs=("epub",),
            help="the EPUB mailed to a Send-to-Kindle address",
        ),
        Edition(
            "kepub",
            "briefpress.editions.kepub",
            ("{slug}.kepub.epub",),
            help="the EPUB for Kobo readers (kepub)",
            fonts=COVER_FONTS,  # and its embedded subset
            names_fonts=("mono_font",),
        ),
        Edition(
            "newsletter",
            "briefpress.editions.newsletter",
            ("{slug}.newsletter.html", "{slug}.newsletter.txt", "{slug}.eml"),
            needs=("pdf",),
            help="the brief as an email, the handout attached",
        ),
    )
}
#: several articles in one PDF and one EPUB, built with --digest
DIGEST = Edition(
    "digest",
    "briefpress.editions.digest",
    ("{slug}.html", "{slug}.pdf", "{slug}.epub"),
    needs=("pdf", "epub"),
    several=True,
)
FORMATS = tuple(EDITIONS)


#: the editions a digest is made in, when they are asked for (PDF and EPUB when none is)
DIGEST_FORMATS = ("html", "pdf", "epub")


def digest_formats(formats: tuple[str, ...]) -> list[str]:
    """The digest's files for ``--formats`` (without importing its renderer)."""
    return [name for name in DIGEST_FORMATS if name in formats] or ["pdf", "epub"]


def public_files(slug: str) -> set[str]:
    """Every file an article's or a digest's folder may hold that can be published: what
    the editions produce, but the private ones (:func:`briefpress.fields.private`)."""
    names = {name for edition in (*EDITIONS.values(), DIGEST) for name in edition.files(slug)}
    return {name for name in names if not private(name)}


DEFAULT_FORMATS = tuple(name for name, edition in EDITIONS.items() if edition.default)


def module(name: str) -> ModuleType:
    return importlib.import_module(DIGEST.module if name == DIGEST.name else EDITIONS[name].module)


def prepare(names: list[str], options: Options) -> None:
    """Import the editions' modules and let each warm what it caches (``warm(options)``),
    in the build process: every worker forked from it then starts with them."""
    from ..fonts import warm

    warm(options)
    for name in names:
        renderer = module(name)
        if hasattr(renderer, "warm"):
            renderer.warm(options)


def plan(formats: tuple[str, ...]) -> list[str]:
    """The editions to render for ``formats``, each after the editions it needs."""
    order: list[str] = []

    def visit(name: str) -> None:
        for needed in EDITIONS[name].needs:
            visit(needed)
        if name not in order:
            order.append(name)

    for name in formats:
        visit(name)
    return order


def render_edition(
    name: str, article: Article, options: Options, report: Report, needed: dict[str, bytes]
) -> dict[str, bytes]:
    """The files of one edition, by name; ``needed`` holds the files rendered before it."""
    edition, renderer = EDITIONS[name], module(name)
    if edition.needs or len(edition.produces) > 1:
        return renderer.render_files(article, options, report, needed)
    [file_name] = edition.files(article.meta.slug)
    return {file_name: renderer.render(article, options, report)}
