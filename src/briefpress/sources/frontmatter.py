"""The front matter of an article source: YAML between ``---`` lines, checked key by
key with the line of each problem."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdown_it.token import Token

from ..errors import character
from ..fields import one_line_problem, reorders, slug_problem
from ..model import Meta, source_stem
from .lookalike import INVISIBLE
from .tokens import SourceFile, span

FRONT_MATTER_KEYS = (
    "title",
    "date",
    "summary",
    "source_url",
    "source_title",
    "author",
    "translator",
    "editor",
    "tags",
    "slug",
    "original_lang",
    "translation_lang",
    "draft",
)
#: what ``draft:`` may say, as YAML 1.1 (PyYAML) reads booleans
_YES, _NO = ("true", "yes", "on"), ("false", "no", "off")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


#: the front matter of an article is a few lines; a larger one is refused before YAML sees it
MAX_FRONT_MATTER = 64 * 1024
#: characters that show nothing
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


class _Fields:
    """The front matter's values, read with the line of each key."""

    def __init__(self, src: SourceFile, data: dict, key_lines: dict[str, int]):
        self.src, self.data, self.key_lines = src, data, key_lines

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 2)

    def text(self, key: str, required: bool = False) -> str | None:
        """A one-line text field (every scalar is read as text: '010' stays '010', 'no' stays 'no')."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.src.error(
                    f"front matter needs '{key}:'", self.line_of(key) if key in self.data else 1
                )
            return None
        if not isinstance(value, str):
            raise self.src.error(f"'{key}' must be text", self.line_of(key))
        value = self.one_line(key, value)
        if required and not _INVISIBLE.sub("", value):
            raise self.src.error(f"'{key}' is empty (only spaces or invisible characters)", self.line_of(key))
        return value

    def one_line(self, key: str, value: str) -> str:
        value = value.strip()
        problem = one_line_problem(value)
        if problem is not None:
            raise self.src.error(f"'{key}' {problem}", self.line_of(key))
        if reorders(value):
            self.src.warn(
                f"'{key}' holds a bidirectional control character, which reorders the text",
                self.line_of(key),
                code="bidi-control",
            )
        return value

    def names(self, key: str) -> list[str]:
        value: Any = self.data.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.src.error(
                f"'{key}' must be a name or a list of names, like [李明, 王芳]", self.line_of(key)
            )
        return [self.one_line(key, v) for v in value]

    def date(self) -> dt.date:
        text = self.text("date", required=True)
        assert text is not None
        if not _DATE.fullmatch(text):
            raise self.src.error(f"date {text!r} must be written YYYY-MM-DD", self.line_of("date"))
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise self.src.error(f"date {text!r} is not a real date ({exc})", self.line_of("date")) from None

    def source_url(self) -> str | None:
        url = self.text("source_url")
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise self.src.error(
                    f"source_url {url!r} must be an http:// or https:// address", self.line_of("source_url")
                )
        return url

    def tags(self) -> list[str]:
        tags = self.data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self.src.error("tags must be a list of words, like [AI, 战略]", self.line_of("tags"))
        return [self.one_line("tags", t) for t in tags if t.strip()]

    def slug(self) -> str:
        slug = self.text("slug") or source_stem(self.src.path)
        problem = slug_problem(slug)
        if problem is not None:
            raise self.src.error(
                f"slug {slug[:120]!r} {problem} (set 'slug:' in the front matter)",
                self.line_of("slug") if "slug" in self.data else 1,
            )
        return slug

    def flag(self, key: str) -> bool:
        """A yes-or-no field: true/false (yes/no, on/off too, in any case); empty is no."""
        value = self.data.get(key)
        if value is None or value == "":
            return False
        if isinstance(value, str) and value.strip().lower() in _YES + _NO:
            return value.strip().lower() in _YES
        shown = repr(value.strip()[:40]) if isinstance(value, str) else "a list or a mapping"
        raise self.src.error(f"'{key}' must be true or false, not {shown}", self.line_of(key))

    def lang(self, key: str, default: str) -> str:
        value = self.text(key) or default
        if not _LANG.fullmatch(value):
            raise self.src.error(f"{key} {value!r} is not a BCP 47 language tag", self.line_of(key))
        return value


def check_key_lines(src: SourceFile, content: str) -> None:
    """A key written with a full-width colon (``date：``, as a Chinese IME types it) or
    followed by an invisible space is an error at its line, naming the character; YAML
    would report something else, a line later."""
    for number, line in enumerate(content.split("\n"), start=2):
        key = line[: len(line) - len(line.lstrip("abcdefghijklmnopqrstuvwxyz_-"))]
        if not key or line.startswith((" ", "\t", "-")):
            continue
        after = line[len(key) :]
        if after.startswith("\uff1a"):
            raise src.error(f"'{key}' is followed by {character(after[0])}; type ':'", number)
        if after.startswith(":") and after[1:2] in INVISIBLE:
            raise src.error(f"'{key}:' is followed by {character(after[1])}; type a plain space", number)


def quoted(key: str, value: str) -> str:
    """``key: "value"`` as YAML reads it back: a JSON string is a YAML double-quoted one."""
    return f"{key}: {json.dumps(value, ensure_ascii=False)}"


def warn_comments(src: SourceFile, content: str, data: dict) -> None:
    """A plain value with `` #`` in it loses the rest of the line: YAML reads it as a
    comment. A warning at its line, with what the value became and the quoted form."""
    for number, line in enumerate(content.split("\n"), start=2):
        key, colon, rest = line.partition(":")
        value = rest.strip()
        if not colon or key[:1].isspace() or value[:1] in ("'", '"', "|", ">", "#", "[", "{"):
            continue
        cut = min((i for i in (value.find(" #"), value.find("\t#")) if i >= 0), default=-1)
        if cut < 0 or not isinstance(data.get(key.strip()), str):
            continue
        src.warn(
            f"'{key.strip()}' holds ' #', which YAML reads as the start of a comment: the value is "
            f"{data[key.strip()]!r}; if the '#' is part of it, quote it: {quoted(key.strip(), value)}",
            number,
            code="yaml-comment",
        )


def load_yaml(src: SourceFile, token: Token) -> tuple[dict, dict[str, int]]:
    """The front matter's mapping, every scalar as text, and the line of each key."""
    if len(token.content) > MAX_FRONT_MATTER:
        raise src.error(
            f"the front matter is {len(token.content) // 1024} KB; "
            f"it may be at most {MAX_FRONT_MATTER // 1024} KB",
            1,
        )
    check_key_lines(src, token.content)
    try:
        node = yaml.compose(token.content, Loader=yaml.BaseLoader)
        data = yaml.load(token.content, Loader=yaml.BaseLoader)  # noqa: S506 (every scalar a string)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        problem = str(exc.problem or exc)
        key, colon, value = token.content.split("\n")[mark.line].partition(":") if mark else ("", "", "")
        if colon and key.strip() and not key[:1].isspace() and value.strip():
            fix = quoted(key.strip(), value.strip())
            if "mapping values are not allowed" in problem:
                problem += f"; a value holding ': ' must be quoted: {fix}"
            else:
                problem += f"; if the value is text, quote it: {fix}"
        raise src.error(f"front matter is not valid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise src.error(f"front matter is not valid YAML: {exc}", 1) from None
    except RecursionError:
        raise src.error("the front matter is nested too deeply: it is 'key: value' lines", 2) from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise src.error("front matter must be 'key: value' lines", 2)
    warn_comments(src, token.content, data)
    key_lines: dict[str, int] = {}
    for key, _ in node.value:
        line = key.start_mark.line + 2
        if isinstance(key, yaml.ScalarNode) and key.value in key_lines:
            raise src.error(
                f"'{key.value}' is set twice (first at line {key_lines[key.value]}); keep one", line
            )
        if isinstance(key, yaml.ScalarNode):
            key_lines[key.value] = line
    return data, key_lines


def read_front_matter(src: SourceFile, tokens: list[Token]) -> tuple[Meta, int]:
    """The article's metadata, and the 0-based index of the line after the front matter."""
    if not tokens or tokens[0].type != "front_matter" or not tokens[0].map:
        raise src.error(
            "no front matter: an article starts with a '---' line, then 'title:' and 'date:', "
            "then another '---' line",
            1,
        )
    end_line = span(tokens[0])[1]  # 0-based index of the line after the closing '---'
    if end_line > len(src.lines) or src.lines[end_line - 1].rstrip() not in ("---", "..."):
        raise src.error("the front matter is not closed: add a '---' line after it", 1)
    data, key_lines = load_yaml(src, tokens[0])
    fields = _Fields(src, data, key_lines)
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            src.warn(
                f"unknown front matter key {key!r} is ignored (known keys: {', '.join(FRONT_MATTER_KEYS)})",
                fields.line_of(str(key)),
                code="unknown-key",
            )
    title = fields.text("title", required=True)
    assert title is not None
    # checked in this order, so that the first problem reported stays the same
    date, source_url, tags = fields.date(), fields.source_url(), fields.tags()
    translators, editors, slug = fields.names("translator"), fields.names("editor"), fields.slug()
    fields.flag("draft")  # checked here too: a draft named on the command line is built
    meta = Meta(
        title=title,
        date=date,
        slug=slug,
        summary=fields.text("summary"),
        source_url=source_url,
        source_title=fields.text("source_title"),
        author=fields.text("author"),
        translators=translators,
        editors=editors,
        tags=tags,
        original_lang=fields.lang("original_lang", "en"),
        translation_lang=fields.lang("translation_lang", "zh-Hans"),
    )
    return meta, end_line


def is_draft(path: Path) -> bool:
    """Whether the article at ``path`` says ``draft: true`` in its front matter. A value
    that is not yes or no is an error at its line; a source whose front matter cannot be
    read is not called a draft (reading it says what is wrong)."""
    from ..errors import Report, SourceError
    from .text import blank_comments, read_source
    from .tokens import outline_parser

    src = SourceFile(path, Report())
    try:
        text = blank_comments(read_source(path))
        src.lines = text.split("\n")
        tokens = outline_parser().parse(text, {})
        if not tokens or tokens[0].type != "front_matter":
            return False
        data, key_lines = load_yaml(src, tokens[0])
    except (SourceError, RecursionError):
        return False
    return _Fields(src, data, key_lines).flag("draft")
