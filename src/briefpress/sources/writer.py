"""Writing the article source format: front matter quoted as YAML, and blocks as Markdown.

Hand-made Markdown goes wrong where the format is strict: a title with ``: `` or `` #``
is cut by YAML, a paragraph that starts with ``# `` or ``1.`` becomes a heading or a
list, a code block holding a fence ends early. Every value here goes through PyYAML's
dumper (which quotes what needs quoting) or through :func:`fence`, and the reader
checks the rest. :func:`article_markdown` writes an :class:`~briefpress.model.Article`
back (``Article.to_markdown``); the JSON reader writes its articles with :func:`block`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import SourceError
from ..model import Article, Meta
from .frontmatter import FRONT_MATTER_KEYS

_FENCE_RUN = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)


def yaml_line(key: str, value: Any) -> str:
    """``key: value`` as one line of YAML that reads back as ``value`` (quoted if need be)."""
    if isinstance(value, list):  # on the key's line, as the format's examples write it: [a, 'b: c']
        flow = yaml.safe_dump(value, allow_unicode=True, width=1 << 20, default_flow_style=True)
        return f"{key}: {flow.strip()}"
    return yaml.safe_dump({key: value}, allow_unicode=True, width=1 << 20, default_flow_style=False).strip()


def front_matter(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The front matter's lines, ``---`` to ``---``, each with its key ("" for the
    ``---`` lines); None and empty values are left out."""
    # in the order the format lists them, then any others
    keys = [key for key in FRONT_MATTER_KEYS if key in values]
    keys += [key for key in values if key not in FRONT_MATTER_KEYS]
    lines = [("", "---")]
    for key in keys:
        value = values[key]
        if value is None or value == [] or value == "":
            continue
        date = key == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))
        lines.append((key, f"date: {value}" if date else yaml_line(key, value)))
    return [*lines, ("", "---")]


def meta_values(meta: Meta) -> dict[str, Any]:
    """An article's :class:`~briefpress.model.Meta` as front-matter keys and values."""
    return {
        "title": meta.title,
        "date": meta.date.isoformat(),
        "summary": meta.summary,
        "source_url": meta.source_url,
        "source_title": meta.source_title,
        "author": meta.author,
        "translator": meta.translators,
        "editor": meta.editors,
        "tags": meta.tags,
        "slug": meta.slug,
        "original_lang": meta.original_lang,
        "translation_lang": meta.translation_lang,
    }


def split_front_matter(markdown: str) -> tuple[str, str]:
    """A source's front matter (without its fences; "" when it has none) and the Markdown after it."""
    lines = markdown.lstrip("\ufeff").split("\n")
    if lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :])
    return "", "\n".join(lines)


def is_draft_text(front: str) -> bool:
    """Whether front matter the reader accepted says ``draft: true`` (which no Meta field keeps)."""
    try:
        data = yaml.safe_load(front) if front.strip() else None
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and data.get("draft") is True


def article_markdown(article: Article) -> str:
    """``article`` as a Markdown source: the front matter from its meta, the sections as
    its reader read them (an article is stamped and checked from that text)."""
    if article.source is None:
        raise SourceError("has no source text to write (it was not made by a reader)", article.path)
    front, body = split_front_matter(article.source.markdown)
    values = meta_values(article.meta) | ({"draft": True} if is_draft_text(front) else {})
    lines = [line for _, line in front_matter(values)]
    body = body.lstrip("\n")
    return "\n".join(lines) + "\n\n" + body


def fence(code: str, language: str = "") -> list[str]:
    """A fenced code block holding ``code`` exactly: its fence longer than any inside it."""
    longest = max((len(m[1]) for m in _FENCE_RUN.finditer(code) if m[1][0] == "`"), default=0)
    mark = "`" * max(3, longest + 1)
    return [mark + language, *code.rstrip("\n").split("\n"), mark]


def escape_cell(text: str) -> str:
    """A table cell's Markdown with its pipes escaped (a pipe would end the cell)."""
    return text.replace("\\|", "|").replace("|", "\\|").replace("\n", " ")


def block(value: str | dict[str, Any]) -> list[str]:
    """One block of a JSON article as Markdown lines: a string is a paragraph (Markdown);
    an object is a heading, a list, code, a quote, a table or a footnote (see the schema)."""
    if isinstance(value, str):
        return value.strip("\n").split("\n")
    if "heading" in value:
        return ["#" * int(value.get("level", 2)) + " " + value["heading"].strip()]
    if "list" in value:
        ordered = value.get("ordered", False)
        lines = []
        for number, item in enumerate(value["list"], start=1):
            marker = f"{number}. " if ordered else "- "
            first, *rest = item.strip("\n").split("\n")
            lines += [marker + first, *(" " * len(marker) + line if line else "" for line in rest)]
        return lines
    if "code" in value:
        return fence(value["code"], value.get("language", ""))
    if "quote" in value:
        return ["> " + line if line else ">" for line in value["quote"].strip("\n").split("\n")]
    if "table" in value:
        head, *rows = value["table"]
        lines = ["| " + " | ".join(escape_cell(cell) for cell in head) + " |"]
        lines.append("|" + "---|" * len(head))
        return lines + ["| " + " | ".join(escape_cell(cell) for cell in row) + " |" for row in rows]
    if "footnote" in value:
        # the note's later paragraphs indented, so that they stay in the note
        first, *rest = value["text"].strip("\n").split("\n")
        return [f"[^{value['footnote']}]: {first.strip()}", *("    " + line if line else "" for line in rest)]
    raise ValueError(f"not a block: {sorted(value)}")  # the schema lets none through
