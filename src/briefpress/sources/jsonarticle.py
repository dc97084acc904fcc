"""Reader for JSON articles: one article as one JSON object, as a CMS would export it.

The object holds the front-matter keys of the source format (``title``, ``date``,
``summary``…) and the sections by name (``key_points``, ``relevance``, ``prompts``,
``original``, ``translation``, ``discussion``), each a Markdown string or a list (items,
blocks or comments). ``briefpress/schemas/article.schema.json`` is the published
contract; a file is checked against it with jsonschema before anything else, and a
problem names the JSON pointer of the value and the line of the file where that value
starts. The object is then written as Markdown in the source format
(:mod:`.writer`, which quotes what YAML and Markdown would misread) and read as that,
so a JSON article and the Markdown it writes are the same article.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import Report, SourceError
from .base import BaseReader, LintText
from .markdown import SECTIONS
from .pagedump import escape
from .writer import block, front_matter

#: a JSON article's first key: its head is an object that names a title or an original
_SNIFF = re.compile(r'^\s*\{\s*"(?:title|date|original)"\s*:')
#: the section keys, in the order of the source format
SECTION_KEYS = tuple(SECTIONS)
#: a schema message is cut to this many characters (it may quote the whole value)
_MESSAGE = 160


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of an article (shipped in the package)."""
    text = files("briefpress").joinpath("schemas", "article.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


class JsonReader(BaseReader):
    """Reads ``*.json`` files that hold one article (see the module's docstring)."""

    name = "JSON article"
    file_extensions = ("json",)
    describes = "a JSON article"

    def sniff(self, head: str) -> bool:
        return _SNIFF.match(head.lstrip("\ufeff")) is not None

    def markdown(self, path: Path, text: str, report: Report) -> LintText:
        try:
            data = json.loads(text, object_pairs_hook=_unique)
        except _Repeated as exc:
            raise SourceError(
                f"key {exc.key!r} appears twice in one object; keep one (JSON keeps only the last)",
                path,
                _second_line(text, exc.key),
            ) from None
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"is not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno
            ) from None
        from json_source_map import calculate  # here: only a JSON article needs it

        lines = {pointer: entry.value_start.line + 1 for pointer, entry in calculate(text).items()}
        return article_markdown(data, path, lines)


class _Repeated(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: a repeated one would silently drop the first."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _Repeated(key)
        data[key] = value
    return data


def _second_line(text: str, key: str) -> int | None:
    """The line where ``key`` is written a second time (None when it cannot be told)."""
    found = [m.start() for m in re.finditer(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", text)]
    return text.count("\n", 0, found[1]) + 1 if len(found) > 1 else None


def pointer(parts: Any) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def validate(data: Any, path: Path, lines: dict[str, int] | None = None) -> None:
    """Refuse ``data`` unless it is an article by the schema: one error, naming the JSON
    pointer of the value and, when the text is known, the line where the value starts."""
    # imported here: 0.18 s that a build of Markdown sources never needs
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema()).iter_errors(data))
    if error is None:
        return
    where = pointer(error.absolute_path)
    message = error.message if len(error.message) <= _MESSAGE else error.message[: _MESSAGE - 1] + "…"
    line = (lines or {}).get(where)
    raise SourceError(f"{where or '/'}: {message} (see briefpress/schemas/article.schema.json)", path, line)


def article_markdown(data: Any, path: Path, lines: dict[str, int] | None = None) -> LintText:
    """The JSON article ``data`` as Markdown in the source format, and each Markdown
    line's line in the JSON text (``lines``: a pointer's line; None for a dict in memory)."""
    validate(data, path, lines)
    lines = lines or {}
    out: list[str] = []
    origin: list[int] = []

    def add(text_lines: list[str], at: str) -> None:
        out.extend(text_lines)
        origin.extend([lines.get(at, 0)] * len(text_lines))  # 0: no line (a dict)

    for key, line in front_matter({key: value for key, value in data.items() if key not in SECTIONS}):
        add([line], f"/{key}" if key else "")
    for key in SECTION_KEYS:
        if key not in data:
            continue
        value, at = data[key], f"/{key}"
        add(["", f"# {SECTIONS[key][0]}", ""], at)
        if isinstance(value, str):
            add(value.strip("\n").split("\n"), at)
            continue
        labels: dict[str, str] = {}
        for index, item in enumerate(value):
            here = f"{at}/{index}"
            if isinstance(item, dict) and "footnote" in item:
                if item["footnote"] in labels:  # the editions would print one and drop the other
                    raise SourceError(
                        f"{here}: footnote {item['footnote']!r} is defined twice in {at} (first at "
                        f"{labels[item['footnote']]}); give each note its own label",
                        path,
                        lines.get(here),
                    )
                labels[item["footnote"]] = here
            if key in ("key_points", "relevance", "prompts"):
                marker = f"{index + 1}. " if key == "prompts" else "- "
                first, *rest = item.strip("\n").split("\n")
                add([marker + first, *("   " + line for line in rest)], here)
            elif key == "discussion":
                add([f"- **{escape(item['author'])}** ({item['date']}): {item['text'].strip()}"], here)
            else:
                add([*([""] if index else []), *block(item)], here)
    return "\n".join(out) + "\n", origin
