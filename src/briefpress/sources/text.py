"""Reading a source file as text: UTF-8 (BOM allowed), any line ends, clear errors.

Only regular files are read (a FIFO, a device or ``/dev/zero`` behind a symlink is
refused before a byte is read), and the size limit is enforced while reading, not
trusted from the file's size.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import SourceError

#: inputs larger than this are refused before parsing: an article is not a book
MAX_BYTES = 10 * 1024 * 1024
MAX_LINE = 100_000
#: control characters a text has no business holding (tab and line ends are fine)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_bytes(path: Path, limit: int, what: str = "an article") -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except IsADirectoryError:
        raise SourceError("is a folder, not an article file", path) from None
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}", path) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise SourceError("is a folder, not an article file", path)
        raise SourceError("is not a regular file (a pipe, a device or a socket); only files are read", path)
    with os.fdopen(descriptor, "rb") as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise SourceError(f"cannot read the file: {exc.strerror or exc}", path) from None
    if len(data) > limit:
        raise SourceError(
            f"is over {limit // 1024 // 1024} MB; {what} may be at most {limit // 1024 // 1024} MB", path
        )
    return data


def read_source(path: Path) -> str:
    """The file's text with ``\\n`` line ends, or a SourceError that says what is wrong."""
    return decode(read_bytes(path, MAX_BYTES), path)


def decode(data: bytes, path: Path) -> str:
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise SourceError("holds NUL bytes: this is not a text file", path, line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"is not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", path, line
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, row in enumerate(text.split("\n"), start=1):
        if len(row) > MAX_LINE:
            raise SourceError(
                f"line is {len(row):,} characters long; the limit is {MAX_LINE:,}: break it into paragraphs",
                path,
                number,
            )
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise SourceError(f"holds the control character U+{ord(control[0]):04X}: remove it", path, line)
    return text


def read_head(path: Path, size: int = 8192) -> str:
    """The start of a regular file, for recognising its kind; empty when it cannot be read."""
    try:
        return _head(path, size)
    except (OSError, ValueError):
        return ""


def _head(path: Path, size: int) -> str:
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return ""
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read(size).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def blank_comments(text: str) -> str:
    """``text`` with its comments blanked, line count kept: an HTML comment ``<!-- … -->``
    that starts a line and ends one (it may span lines), outside fenced code. Markdown
    renderers show such a comment to no one; the reader reads it as nothing. A comment
    inside a paragraph's line stays text (and the reader warns about it)."""
    lines = text.split("\n")
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened[1][0] == fence[0] and len(opened[1]) >= len(fence):
                fence = None
        elif opened:
            fence = opened[1]
        elif line.lstrip().startswith("<!--"):
            end = index
            while end < len(lines) and "-->" not in lines[end]:
                end += 1
            if end < len(lines) and not lines[end].split("-->")[-1].strip():
                lines[index : end + 1] = [""] * (end + 1 - index)
                index = end
        index += 1
    return "\n".join(lines)
