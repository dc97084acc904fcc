"""Lines that look like a section heading and are not one: ``## 译文`` (the wrong level),
``#原文`` (no space), ``＃ 原文`` (a full-width sign), ``#<NBSP>原文``, ``# 译文<ZWSP>``.

Markdown reads such a line as a subheading or a paragraph of the section before it, so
the translation would silently become part of the original. When the section it looks
like is missing, the reader stops at that line and says what to type instead. (When the
section is there, the line is the article's own text: an English ``## Discussion``.)
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import character

#: characters that show nothing, or show as a space without being one
INVISIBLE = frozenset("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                      "\u200b\u200c\u200d\u2060\u202f\u205f\u3000\ufeff")  # fmt: skip
_SIGNS = "#\uff03"  # '#' and the full-width '＃' an IME types


def looks_like(line: str, names: dict[str, str]) -> tuple[str, str, str, int] | None:
    """When ``line`` looks like the heading of a section in ``names`` (heading text,
    casefolded: section key) without being a level-1 heading of it: the key, the heading
    as it should be, what is wrong and the column (1-based) where."""
    indent = len(line) - len(line.lstrip("".join(INVISIBLE) + " \t"))
    rest = line[indent:]
    signs = len(rest) - len(rest.lstrip(_SIGNS))
    if not signs:
        return None
    after = rest[signs:]
    gap = len(after) - len(after.lstrip("".join(INVISIBLE) + " \t"))
    title = after[gap:].rstrip(" \t" + _SIGNS)
    visible = "".join(ch for ch in title if ch not in INVISIBLE).strip()
    key = names.get(visible.casefold())
    if key is None:
        return None
    column, heading = indent + 1, f"# {visible}"
    before = next((i for i, ch in enumerate(line[:indent]) if ch not in " \t"), None)
    if before is not None:
        return key, heading, f"starts with {character(line[before])} before '#'; delete it", before + 1
    if indent > 3:
        return (
            key,
            heading,
            f"is indented {indent} spaces, so Markdown reads it as code; start it at column 1",
            1,
        )
    if "\uff03" in rest[:signs]:
        return key, heading, f"starts with {character(chr(0xFF03))}; type '#'", column + rest.index("\uff03")
    if signs > 1:
        # an English subheading named like a brief section ('## Discussion') is the article's
        # own; a Chinese section name, or the two texts' names, at the wrong level is a slip
        if visible.isascii() and key not in ("original", "translation"):
            return None
        return key, heading, f"is a level-{signs} heading; sections are level-1 headings", column
    odd = [ch for ch in after[:gap] if ch not in " \t"]
    if odd:
        where = column + signs + after.index(odd[0])
        fix = "delete it" if " " in after[: after.index(odd[0])] else "type a plain space"
        return key, heading, f"has {character(odd[0])} after '#'; {fix}", where
    if gap == 0:
        return key, heading, "has no space after '#'", column + 1
    hidden = next((ch for ch in title if ch in INVISIBLE), None)
    if hidden is not None:
        where = column + signs + gap + title.index(hidden)
        return key, heading, f"holds {character(hidden)}; delete it", where
    return None


def outside_code(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    """``(index, line)`` of the lines not inside a fenced code block."""
    fence = ""
    for index, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        yield index, line
