"""Article -> HTML: Markdown tokens to HTML fragments (:mod:`.fragments`), a typed
context of everything the templates need (:mod:`.context`), then Jinja2 templates.

Every edition starts here. ``templates/`` and ``styles/`` sit at the top of the
repository and inside the installed package; :func:`resource_dir` finds either.
"""

from __future__ import annotations

import traceback
import unicodedata
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from .. import __version__
from ..errors import TemplateError
from ..options import Options
from .theming import Sandbox, ThemeLoader, theme_files, theme_stylesheet


def resource_dir(name: str) -> Path:
    """``styles`` or ``templates``: inside the installed wheel, else at the repository top."""
    packaged = Path(__file__).parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


#: the prefix under which a theme's templates reach the built-in ones:
#: ``{% extends "builtin/article.html.j2" %}``
BUILTIN = "builtin"


@cache
def environment(theme: Path | None = None) -> jinja2.Environment:
    """The templates, in the sandbox: a theme's ``templates/`` first, then the built-in ones."""
    builtin = jinja2.FileSystemLoader(str(resource_dir("templates")))
    loaders: list[jinja2.BaseLoader] = [ThemeLoader(theme)] if theme is not None else []
    loaders += [builtin, jinja2.PrefixLoader({BUILTIN: builtin})]
    env = Sandbox(
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
    except TemplateError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        if theme is None or not exc.filename or not Path(exc.filename).is_relative_to(theme):
            raise
        raise TemplateError(f"template error: {exc.message}", exc.filename, exc.lineno) from None
    except Exception as exc:
        where = _theme_frame(exc.__traceback__, theme) if theme is not None else None
        if where is None:
            raise
        hint = (
            "; a theme's template sees only what briefpress passes it"
            if isinstance(exc, SecurityError)
            else ""
        )
        raise TemplateError(f"template error: {type(exc).__name__}: {exc}{hint}", *where) from None


def read_style(name: str, theme: Path | None = None) -> str:
    """A stylesheet from ``styles/``: the theme's file of that name when it has one."""
    own = theme_stylesheet(theme, name) if theme is not None else None
    if own is not None:
        return own
    return (resource_dir("styles") / name).read_text(encoding="utf-8")


def stylesheet(options: Options, *names: str, fonts_template: str = "fonts.css.j2", **values: Any) -> str:
    """The font rules for ``options`` followed by the named files from ``styles/``."""
    fonts = render_template(fonts_template, options.theme, options=options, **values)
    return "\n".join([fonts, *(read_style(name, options.theme) for name in names)])


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
