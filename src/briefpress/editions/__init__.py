"""Editions: each module turns an Article (the digest: several) into the bytes of files.

Every edition declares itself once, in a light module's ``EDITION``
(:class:`.edition.Edition`: the module that renders it, the files it produces, the
editions whose files it needs, what the index links to, how ``check`` verifies it), and
is registered by one line of :data:`REGISTERED`. A builder renders what an edition needs
first (in memory, when it was not asked for) and writes only the files of the editions
asked for.

The digest (``several=True``) has ``render_files(articles, options, report)``. Renderers
are imported only when their edition is built, so that ``briefpress --help`` and
HTML-only builds never import WeasyPrint or ebooklib.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from ..fields import private
from .edition import ALL_FONTS, COVER_FONTS, Edition

if TYPE_CHECKING:
    from ..errors import Report
    from ..model import Article
    from ..options import Options

__all__ = ["ALL_FONTS", "COVER_FONTS", "DIGEST", "EDITIONS", "Edition", "register"]

#: the editions, one declaring module a line, in the order of --formats and the index
REGISTERED = [
    "briefpress.editions.declared.html",
    "briefpress.editions.declared.pdf",
    "briefpress.editions.declared.epub",
    "briefpress.editions.declared.kindle",
    "briefpress.editions.declared.kepub",
    "briefpress.editions.declared.newsletter",
    "briefpress.editions.declared.digest",
]

#: every edition of one article, by name
EDITIONS: dict[str, Edition] = {}
#: the module that renders each edition, the digest's too
_RENDERERS: dict[str, str] = {}


def register(module_name: str) -> Edition:
    """Add the edition that ``module_name`` declares (its ``EDITION``); the digest, which
    is over several articles, is :data:`DIGEST` and not one of :data:`EDITIONS`."""
    declared: Edition = importlib.import_module(module_name).EDITION
    _RENDERERS[declared.name] = declared.renderer or module_name
    if not declared.several:
        EDITIONS[declared.name] = declared
    return declared


#: several articles in one PDF and one EPUB, built with --digest
DIGEST = [edition for edition in map(register, REGISTERED) if edition.several][0]
FORMATS = tuple(EDITIONS)


def made_in(name: str) -> str:
    """The edition a digest's file (``{slug}.eml``) is made in: the article edition that
    writes a file of that name (the newsletter)."""
    return next(edition.name for edition in EDITIONS.values() if name in edition.produces)


#: the editions a digest is made in, when they are asked for (those it needs when none is)
DIGEST_FORMATS = tuple(dict.fromkeys(map(made_in, DIGEST.produces)))


def digest_formats(formats: tuple[str, ...]) -> list[str]:
    """The digest's editions for ``--formats`` (without importing its renderer)."""
    return [name for name in DIGEST_FORMATS if name in formats] or list(DIGEST.needs)


def digest_files(slug: str, formats: list[str]) -> list[str]:
    """The files of the digest ``slug`` made in ``formats`` (:func:`digest_formats`)."""
    return [name.format(slug=slug) for name in DIGEST.produces if made_in(name) in formats]


def public_files(slug: str) -> set[str]:
    """Every file an article's or a digest's folder may hold that can be published: what
    the editions produce, but the private ones (:func:`briefpress.fields.private`)."""
    names = {name for edition in every() for name in edition.files(slug)}
    return {name for name in names if not private(name)}


DEFAULT_FORMATS = tuple(name for name, edition in EDITIONS.items() if edition.default)


def module(name: str) -> ModuleType:
    """The module that renders edition ``name`` (imported now, the first time)."""
    return importlib.import_module(_RENDERERS[name])


def declaration(name: str) -> Edition:
    """The edition (or the digest) called ``name``."""
    return DIGEST if name == DIGEST.name else EDITIONS[name]


def every() -> list[Edition]:
    """Every edition, the digest last."""
    return [*EDITIONS.values(), DIGEST]


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
