"""A theme is data: its templates run in Jinja2's sandbox, its files are read only as
regular files inside its folder, and its stylesheets reach nothing outside the edition.

- Templates render in an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` that sees
  only what briefpress passes: no attribute that starts with ``_``, no method that changes
  a value, no module or class, no path's methods (a path shows its name, nothing more),
  and none of Jinja2's default globals but ``range``.
- A theme file is opened only when, with every link resolved, it is a regular file inside
  the theme folder (and at most :data:`MAX_THEME_FILE`); otherwise the build stops and
  names the file.
- A theme stylesheet may name only files inside the theme (carried inside every edition
  as ``data:`` URLs) and ``data:`` URLs: no ``@import``, no remote or absolute ``url()``,
  so that the page and the newsletter stay self-contained and fetch nothing.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import stat
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

import jinja2
import tinycss2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import TemplateError

#: the largest theme file (a template, a stylesheet, an image or font it names)
MAX_THEME_FILE = 4 * 1024 * 1024

#: what a template may read of a path
_PATH_ATTRIBUTES = frozenset({"name", "stem", "suffix"})


#: in a format string: a width or precision of a million characters or more, or one
#: taken from the arguments (``%*d``, ``{0:{1}}``)
_WIDE = re.compile(r"\d{7,}|%[-#0 +]*+\*|\{[^{}:]*+:[^{}]*+\{")
#: the text methods that pad to a width they are given
_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
#: the most a template's number may hold, in bits
_MAX_BITS = 1 << 16


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, without the file system: no path methods, no modules or
    classes; and no ``**``, ``*``, ``%``, ``format`` or ``center`` that makes a number or a
    text too large to print (what a template still can do, nested loops, the worker's
    ``--timeout`` and ``--max-memory`` bound)."""

    intercepted_binops = frozenset({"**", "*", "%"})

    def __init__(self, **settings: Any):
        super().__init__(**settings)
        self.globals = {"range": self.globals["range"]}
        builtin_format, builtin_center = self.filters["format"], self.filters["center"]

        def format_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
            _narrow(str(value))
            return builtin_format(value, *args, **kwargs)

        def center_filter(value: Any, width: int = 80) -> Any:
            _narrow(str(width))
            return builtin_center(value, width)

        self.filters.update(format=format_filter, center=center_filter)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """A call from a template; a text method that pads (``ljust``, ``zfill``, …) may
        not pad to a million characters or more."""
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str) and name in _PADDING:
            for value in [*args, *kwargs.values()]:
                _narrow(str(value))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``str.format`` and ``format_map``, sandboxed, refusing a width too large."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _narrow(value.__self__)
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            _narrow(left)
        if (
            operator == "**"
            and isinstance(right, (int, float))
            and (abs(right) > 64 or isinstance(left, int) and left.bit_length() * abs(right) > _MAX_BITS)
        ):
            raise SecurityError(f"a power of {right!r} is larger than a template may compute")
        if operator == "*" and isinstance(left, int) and isinstance(right, (str, list, tuple)):
            left, right = right, left
        repeats = operator == "*" and isinstance(left, (str, list, tuple)) and isinstance(right, int)
        if repeats and len(left) * right > MAX_THEME_FILE:
            raise SecurityError("a repeated text or list larger than a template may make")
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath) and attr not in _PATH_ATTRIBUTES:
            return False
        if isinstance(value, (ModuleType, type)):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


def _narrow(text: str) -> None:
    """Refuse a format string (or a width) that pads to a million characters or more."""
    if _WIDE.search(text):
        raise SecurityError(
            "a width of a million characters or more, or one from the arguments, is more than a "
            "template may make"
        )


def theme_file(theme: Path, name: str | Path) -> Path | None:
    """``theme/name`` resolved, when it exists; an error when it leads out of the theme or
    is not a regular file (a link to a key, a folder linked to ``/``, a FIFO)."""
    path = theme / name
    if not path.exists() and not path.is_symlink():
        return None
    resolved = path.resolve()
    if not resolved.is_relative_to(theme.resolve()):
        raise TemplateError(
            f"leads out of the theme folder (to {resolved}); a theme may use only files inside it", path
        )
    info = resolved.stat()
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            return None
        raise TemplateError("is not a regular file; a theme may use only regular files", path)
    if info.st_size > MAX_THEME_FILE:
        raise TemplateError(
            f"is larger than {MAX_THEME_FILE // 1024 // 1024} MB, the limit for a theme file", path
        )
    return resolved


def read_theme_file(path: Path, shown: Path | None = None) -> bytes:
    """The bytes of a file :func:`theme_file` returned, opened without following a link."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise TemplateError(f"cannot read it: {exc.strerror or exc}", shown or path) from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise TemplateError("is not a regular file; a theme may use only regular files", shown or path)
        data = stream.read(MAX_THEME_FILE + 1)
    if len(data) > MAX_THEME_FILE:
        raise TemplateError(f"is larger than {MAX_THEME_FILE // 1024 // 1024} MB", shown or path)
    return data


class ThemeLoader(jinja2.BaseLoader):
    """A theme's ``templates/``, each template read by :func:`read_theme_file`."""

    def __init__(self, theme: Path):
        self.theme = theme

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        parts = jinja2.loaders.split_template_path(template)  # refuses '..'
        path = theme_file(self.theme, Path("templates", *parts))
        if path is None:
            raise jinja2.TemplateNotFound(template)
        shown = self.theme / "templates" / Path(*parts)
        try:
            source = read_theme_file(path, shown).decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError("is not UTF-8 text", shown) from None
        mtime = path.stat().st_mtime
        return source, str(shown), lambda: _unchanged(path, mtime)

    def list_templates(self) -> list[str]:
        return []


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False


def theme_stylesheet(theme: Path, name: str) -> str | None:
    """The theme's ``styles/name``, checked and with its files inlined; None when it has none."""
    path = theme_file(theme, Path("styles", name))
    if path is None:
        return None
    shown = theme / "styles" / name
    try:
        css = read_theme_file(path, shown).decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError("is not UTF-8 text", shown) from None
    end = css.find("</")  # in a page's <style>, "</style" ends the stylesheet, wherever it is
    if end >= 0:
        raise TemplateError(
            "holds '</', which would end the page's <style> (write it '<\\/' in a CSS string)",
            shown,
            css.count("\n", 0, end) + 1,
        )
    tokens = tinycss2.parse_component_value_list(css)
    _inline(tokens, shown, theme)
    out = tinycss2.serialize(tokens)
    if "</" in out:  # a string or a URL, once its escapes are read; _inline names the line
        raise TemplateError(
            "holds '</' once its CSS escapes are read: it would end the page's <style>", shown
        )
    return out


def _inline(tokens: list, path: Path, theme: Path) -> None:
    """Check every URL of a theme stylesheet and replace each file it names by a ``data:`` URL."""
    for index, token in enumerate(tokens):
        if token.type in ("string", "url") and "</" in token.value:
            raise TemplateError(
                "holds '</' in a string or url() (perhaps written with CSS escapes), which would "
                "end the page's <style>",
                path,
                token.source_line,
            )
        if token.type == "at-keyword" and token.lower_value == "import":
            raise TemplateError(
                "@import is not allowed in a theme stylesheet; put the rules in this file",
                path,
                token.source_line,
            )
        target = None
        if token.type == "url":
            target = token.value
        elif token.type == "function" and token.lower_name == "url":
            strings = [t for t in token.arguments if t.type == "string"]
            target = strings[0].value if strings else ""
        elif token.type == "function" and token.lower_name.endswith("image-set"):
            for argument in token.arguments:
                if argument.type == "string":
                    _data_url(argument.value, path, theme, argument.source_line)
        if target is not None:
            value = _data_url(target, path, theme, token.source_line)
            if value != target:
                line, column = token.source_line, token.source_column
                tokens[index] = tinycss2.ast.URLToken(line, column, value, f'url("{value}")')
        for nested in ("arguments", "content"):
            inner = getattr(token, nested, None)
            if isinstance(inner, list) and token.type != "url":
                _inline(inner, path, theme)


def _data_url(target: str, path: Path, theme: Path, line: int) -> str:
    """``target`` as the stylesheet may use it: a data: URL or fragment as it is, a file
    inside the theme as a data: URL; anything else an error."""
    if target.startswith("#") or target.lower().startswith("data:"):
        return target
    if ":" in target.split("/")[0] or target.startswith(("/", "\\")):
        raise TemplateError(
            f"url({target}) is outside the theme: a theme stylesheet may name only files inside "
            "its folder (the editions are self-contained and fetch nothing)",
            path,
            line,
        )
    try:
        asset = theme_file(theme, path.parent.relative_to(theme) / target)
    except TemplateError as exc:
        raise TemplateError(f"url({target}) {exc.message}", path, line) from None
    if asset is None or not asset.is_file():
        raise TemplateError(f"url({target}) must name a file inside the theme folder {theme}", path, line)
    kind = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(read_theme_file(asset)).decode('ascii')}"


def theme_files(theme: Path) -> list[Path]:
    """The files of a theme that shape the editions (its README does not), each a regular
    file inside the theme (:func:`theme_file` refuses the others when they are used)."""
    found = []
    root = theme.resolve()
    for folder in ("styles", "templates"):
        top = theme / folder
        if not top.is_dir() or not top.resolve().is_relative_to(root):
            continue
        for path in sorted(top.rglob("*")):
            if path.name.startswith(".") or path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            if path.is_file():
                found.append(path)
    return found
