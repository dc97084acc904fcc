"""Article -> HTML: Markdown tokens to HTML fragments (:mod:`.fragments`), a typed
context of everything the templates need (:mod:`.context`), then Jinja2 templates.

Every edition starts here. ``templates/`` and ``styles/`` sit at the top of the
repository and inside the installed package; :func:`resource_dir` finds either.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from ..options import Options


def resource_dir(name: str) -> Path:
    """``styles`` or ``templates``: inside the installed wheel, else at the repository top."""
    packaged = Path(__file__).parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


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


def render_template(template: str, **values: Any) -> str:
    return environment().get_template(template).render(**values)


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
]
