"""Reading a source file as text: UTF-8 (BOM allowed), any line ends, clear errors."""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError

#: inputs larger than this are refused before parsing: an article is not a book
MAX_BYTES = 10 * 1024 * 1024
MAX_LINE = 100_000


def read_source(path: Path) -> str:
    """The file's text with ``\\n`` line ends, or a SourceError that says what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                f"is {size / 1024 / 1024:.1f} MB; an article may be at most {MAX_BYTES // 1024 // 1024} MB",
                path,
            )
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a folder, not an article file", path) from None
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror or exc}", path) from None
    return decode(data, path)


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
    return text


def read_head(path: Path, size: int = 8192) -> str:
    """The start of a file for recognising its kind; empty when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return stream.read(size).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    except OSError:
        return ""
