"""Reading a source file as text: UTF-8 (BOM allowed), any line ends, clear errors."""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError


def read_source(path: Path) -> str:
    """The file's text with ``\\n`` line ends, or a SourceError that says what is wrong."""
    try:
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_head(path: Path, size: int = 8192) -> str:
    """The start of a file for recognising its kind; empty when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return stream.read(size).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    except OSError:
        return ""
