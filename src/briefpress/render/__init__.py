"""Article -> HTML: Markdown tokens to HTML fragments (:mod:`.fragments`), a typed
context of everything the templates need (:mod:`.context`), then Jinja2 templates.

Every edition starts here. ``templates/`` and ``styles/`` sit at the top of the
repository and inside the installed package; :func:`resource_dir` finds either.
"""

from __future__ import annotations

import base64
import mimetypes
import re
import traceback
import unicodedata
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from .. import __version__
from ..errors import TemplateError
from ..options import Options


def resource_dir(name: str) -> Path:
    """``styles`` or ``templates``: inside the installed wheel, else at the repository top."""
    packaged = Path(__file__).parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


#: the prefix under which a theme's templates reach the built-in ones:
#: ``{% extends "builtin/article.html.j2" %}``
BUILTIN = "builtin"

#: the largest file a theme's stylesheet may pull in through ``url()``
MAX_THEME_ASSET = 4 * 1024 * 1024

#: a url() in a stylesheet; its address holds no "(" (CSS escapes it), so url(url(… is read once
_URL = re.compile(r"""url\(\s*+(['"]?)([^'"()\s]++)\1\s*+\)""")


@cache
def environment(theme: Path | None = None) -> jinja2.Environment:
    """The templates: a theme's ``templates/`` first, then the built-in ones."""
    builtin = jinja2.FileSystemLoader(str(resource_dir("templates")))
    loaders: list[jinja2.BaseLoader] = []
    if theme is not None and (theme / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(theme / "templates")))
    loaders += [builtin, jinja2.PrefixLoader({BUILTIN: builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["version"] = __version__
    return env


def _theme_frame(tb: TracebackType | None, theme: Path) -> tuple[str, int] | None:
    """The last line of a theme's template that the traceback passed through."""
    found = None
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename).is_relative_to(theme) and frame.lineno:
            found = (frame.filename, frame.lineno)
    return found


def render_template(template: str, theme: Path | None = None, **values: Any) -> str:
    """``template`` rendered; an error in a theme's template names its file and line."""
    try:
        return environment(theme).get_template(template).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        if theme is None or not exc.filename or not Path(exc.filename).is_relative_to(theme):
            raise
        raise TemplateError(f"template error: {exc.message}", exc.filename, exc.lineno) from None
    except Exception as exc:
        where = _theme_frame(exc.__traceback__, theme) if theme is not None else None
        if where is None:
            raise
        raise TemplateError(f"template error: {type(exc).__name__}: {exc}", *where) from None


def _inline_assets(css: str, path: Path, theme: Path) -> str:
    """A theme stylesheet with its relative ``url()``s (files inside the theme) as data: URLs,
    so that the self-contained page, the EPUB and the PDF all carry them."""

    def inline(match: re.Match[str]) -> str:
        target = match[2]
        if ":" in target.split("/")[0] or target.startswith(("/", "#")):
            return match[0]
        asset = (path.parent / target).resolve()
        line = css.count("\n", 0, match.start()) + 1
        if not asset.is_relative_to(theme) or not asset.is_file():
            raise TemplateError(f"url({target}) must name a file inside the theme folder {theme}", path, line)
        if asset.stat().st_size > MAX_THEME_ASSET:
            raise TemplateError(
                f"url({target}) is larger than {MAX_THEME_ASSET // 1024 // 1024} MB", path, line
            )
        kind = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
        return f'url("data:{kind};base64,{base64.b64encode(asset.read_bytes()).decode("ascii")}")'

    return _URL.sub(inline, css)


def read_style(name: str, theme: Path | None = None) -> str:
    """A stylesheet from ``styles/``: the theme's file of that name when it has one."""
    if theme is not None:
        own = theme / "styles" / name
        if own.is_file():
            return _inline_assets(own.read_text(encoding="utf-8"), own, theme)
    return (resource_dir("styles") / name).read_text(encoding="utf-8")


def stylesheet(options: Options, *names: str, fonts_template: str = "fonts.css.j2", **values: Any) -> str:
    """The font rules for ``options`` followed by the named files from ``styles/``."""
    fonts = render_template(fonts_template, options.theme, options=options, **values)
    return "\n".join([fonts, *(read_style(name, options.theme) for name in names)])


def theme_files(theme: Path) -> list[Path]:
    """The files of a theme that shape the editions (its README does not)."""
    return sorted(
        path
        for folder in ("styles", "templates")
        for path in (theme / folder).rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def plain_text(value: str) -> str:
    """Text for metadata fields: no control characters, single spaces."""
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return " ".join(value.split())


# the names the editions use, from the modules that define them
from .context import ContentsEntry, RenderContext, contents_entry, context, section_title  # noqa: E402
from .fragments import Flavour, heading_id  # noqa: E402

__all__ = [
    "ContentsEntry",
    "contents_entry",
    "section_title",
    "Flavour",
    "RenderContext",
    "context",
    "environment",
    "heading_id",
    "plain_text",
    "read_style",
    "render_template",
    "resource_dir",
    "stylesheet",
    "theme_files",
]
