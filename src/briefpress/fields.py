"""What every text field briefpress publishes must be, wherever it comes from (front
matter, ``briefpress.toml``, a flag, the API): one line of at most :data:`MAX_FIELD`
characters, and a slug that names a folder of the output, not one of its site files."""

from __future__ import annotations

import re

#: a title, a verdict, a name longer than this is not one
MAX_FIELD = 1_000
#: what a one-line field may not hold: control characters and line or paragraph breaks
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: what no document can hold: noncharacters (U+FDD0–U+FDEF, the last two of every plane)
#: and lone surrogates; XML, and so the EPUB and the feed, refuse them
_PLANE_ENDS = "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17))
_NONCHARACTER = re.compile(rf"[\ufdd0-\ufdef\ud800-\udfff{_PLANE_ENDS}]")
#: an RFC 2047 encoded word, which mail programs (and Python's email library, when a
#: header is set) decode: in a title it could put a line break, and so a header, into
#: the mail's Subject
#: (with spaces inside too: RFC 2047 allows none, Python's decoder takes them)
_ENCODED_WORD = re.compile(r"=\?[^?]*+\?[bBqQ]\?[^?]*+\?=")
#: characters that reorder the text around them when it is shown
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

#: a file or folder name of the output: letters, digits, '.', '_', '-'
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: the files every build that makes HTML writes at the top of the output folder, which
#: no article's or digest's folder may take (compared without case, for macOS and Windows)
SITE_FILES = ("index.html", "feed.xml")


def private(name: str) -> bool:
    """Whether a file of the output is private state: a dotfile (a stamp with its source's
    path, a sent log, the site stamp, a lock) or a mail (``.eml``, with its recipients).
    It is written readable by its owner only; ``serve`` never serves it and ``publish``
    never copies it."""
    return name.startswith(".") or name.lower().endswith(".eml")


def one_line_problem(value: str) -> str | None:
    """Why ``value`` (stripped) cannot be a one-line field; None when it can."""
    if len(value) > MAX_FIELD:
        return f"is {len(value):,} characters long; the limit is {MAX_FIELD:,}"
    bad = _NOT_ONE_LINE.search(value)
    if bad is not None:
        what = "a line break" if bad[0] in "\n\r\x85\u2028\u2029" else "a control character"
        return f"holds {what} (U+{ord(bad[0]):04X}); write it on one line without it"
    bad = _NONCHARACTER.search(value)
    if bad is not None:
        return f"holds U+{ord(bad[0]):04X}, a noncharacter no edition can hold; delete it"
    word = _ENCODED_WORD.search(value)
    if word is not None:
        return (
            f"holds {word[0][:40]!r}, which mail programs decode as an encoded word (RFC 2047); "
            "write it another way"
        )
    return None


def reorders(value: str) -> bool:
    """Whether ``value`` holds a bidirectional control character, which reorders the text."""
    return _BIDI_CONTROL.search(value) is not None


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name an article's or a digest's folder; None when it can."""
    if not SLUG.fullmatch(slug):
        rule = (
            "may hold only ASCII letters (a-z, A-Z), digits, '.', '_' and '-', starting with a "
            "letter or a digit, at most 100 of them"
        )
        other = next((ch for ch in slug if ch.isalpha() and not ch.isascii()), None)
        if other is not None:
            return f"{rule}: {other!r} is not one (links and file names stay ASCII); write Chinese in pinyin"
        return rule
    if slug.lower() in SITE_FILES:
        return f"is the name of a file every build writes ({', '.join(SITE_FILES)}); choose another"
    return None
