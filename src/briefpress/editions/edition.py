"""What an edition declares of itself (WeasyPrint's ``VARIANTS``, Sphinx's ``Builder``
attributes): one :class:`Edition`, the module-level ``EDITION`` of a light module
(one that imports nothing heavy when imported) registered in :data:`briefpress.editions.REGISTERED`.

The build, the index (:mod:`.site`), ``briefpress check``, the digest and the render
flavour read these declarations, and nothing else says what an edition is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..options import Options

#: the font options (:class:`briefpress.options.kinds.FontName`)
ALL_FONTS = ("cjk_font", "cjk_sans_font", "latin_font", "latin_sans_font", "mono_font")
#: what the e-books' covers are drawn in (and --embed-fonts subsets the serif)
COVER_FONTS = ("cjk_font", "cjk_sans_font")

#: how ``briefpress check`` verifies a file: the handout's text and fonts ("pdf"), an
#: imposed PDF's pages ("imposed"), the e-book ("epub"), the reading page ("page"); or a
#: function ``(path, articles, options) -> [check.Row]`` of the edition's own
Check = str | Callable[..., Any]


@dataclass(frozen=True)
class Edition:
    name: str
    #: the module that renders it: ``render(article, options, report) -> bytes`` when it
    #: writes one file and needs nothing, else ``render_files(article, options, report,
    #: needed) -> {file name: bytes}`` (``needed``: the files of the editions it needs).
    #: Imported only when the edition is built (None: the declaring module renders it)
    renderer: str | None
    #: file names it writes; ``{slug}`` is the article's (or the digest's) slug
    produces: tuple[str, ...]
    #: editions whose files it uses
    needs: tuple[str, ...] = ()
    #: (edition, paper): an edition whose layout it reads from the chapter cache when the
    #: build makes that edition on that paper, and lays out itself otherwise (the EPUB's
    #: page-list: the A4 handout's pages). The build renders it after that one.
    reuses: tuple[tuple[str, str], ...] = ()
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
    #: what the output folder's index links to: (file name, label), in the order shown
    links: tuple[tuple[str, str], ...] = ()
    #: how ``briefpress check`` verifies its files: (file name, :data:`Check`)
    checks: tuple[tuple[str, Check], ...] = ()
    #: the markup its fragments are written in: "html", or "xhtml" (notes carry epub:type)
    markup: str = "html"
    #: paper: notes at the foot of each page, a QR code, ruled space for notes
    printed: bool = False
    #: editions it links to only when they exist (:func:`at_hand`; the newsletter's "read on
    #: the web"): whether each does is part of what it is made from (its stamp's hash)
    links_to: tuple[str, ...] = ()

    def files(self, slug: str) -> list[str]:
        return [name.format(slug=slug) for name in self.produces]


def at_hand(edition: Edition, slug: str, options: Options) -> bool:
    """Whether the files of ``edition`` are there to link to: this build makes them, or an
    earlier one left them in the article's folder of the output folder."""
    if edition.name in options.formats:
        return True
    folder = options.output / slug
    return all((folder / name).is_file() for name in edition.files(slug))
