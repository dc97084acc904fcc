"""Who a mail goes to: the readers of a list file (``--recipients``) and of ``--to``.

A list file is CSV, one reader a line: the address, then optionally the name and the
reader's own unsubscribe address (a URL or ``mailto:``). Blank lines and lines starting
with ``#`` are left out, as is a first line naming the columns (``address,name,...``).
A reader listed twice gets one message: the first line wins.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path

from ..errors import ConfigError

#: an address briefpress can send to without SMTPUTF8: ASCII, one @, a dotted domain
_ADDRESS = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: a line that starts ``"Name, Jr." <address>``: the name may hold a comma
_NAMED = re.compile(r'\A(?:"(?:[^"\\]|\\.)*"|[^",<])*<(?P<address>[^<>]*)>\s*(?:,(?P<rest>.*))?$')
_HEADER_ROW = {"address", "email", "e-mail", "mail", "地址", "邮箱"}
#: a list file larger than this is not a list of readers
LIST_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Reader:
    address: str
    name: str = ""
    #: the reader's own List-Unsubscribe target (from the list file), else the build's
    unsubscribe: str = ""

    @property
    def key(self) -> str:
        return key(self.address)

    def header(self) -> Address:
        return Address(self.name, addr_spec=self.address)

    def __str__(self) -> str:
        return str(self.header())


def key(address: str) -> str:
    """What the sent log records of an address: the domain in lower case (the local part
    is the receiving server's to compare)."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def problem(value: str, name: str) -> str | None:
    """Why ``value`` cannot be the address (``name``: its display name), or None."""
    if _CONTROL.search(value) or _CONTROL.search(name):
        return "it holds a control character (a line break would start a header field of its own)"
    if not value.isascii():
        return "it is not ASCII: write the domain in its xn-- form (SMTPUTF8 is not used)"
    if not _ADDRESS.fullmatch(value):
        return "it is not a mail address (name@example.org)"
    return None


def from_to(value: str) -> list[Reader]:
    """The readers of ``--to``: addresses as people write them, comma-separated."""
    if _CONTROL.search(value):
        raise ConfigError(f"--to {value!r}: {problem(' ', value)}")
    readers = []
    for name, address in getaddresses([value]):
        if not address:
            continue
        if (why := problem(address, name)) is not None:
            raise ConfigError(f"--to {address!r}: {why}")
        readers.append(Reader(address, name))
    if not readers:
        raise ConfigError(f"--to {value!r} holds no mail address")
    return readers


def from_file(path: Path) -> list[Reader]:
    """The readers listed in ``path``; an error names the line to fix."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(LIST_LIMIT + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read the list of readers: {exc.strerror or exc}", path) from None
    if len(raw) > LIST_LIMIT:
        raise ConfigError(f"the list of readers is over {LIST_LIMIT // 1024 // 1024} MB", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("is not UTF-8: save the list as UTF-8 CSV", path, where) from None
    readers: list[Reader] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        named = _NAMED.match(line)
        if named:  # Name <address>[,unsubscribe], as a mail client exports it
            name = getaddresses([named[0].rstrip(",")])[0][0]
            rest = [field.strip() for field in next(csv.reader([named["rest"] or ""]), [])]
            fields = [named["address"].strip(), name, *rest]
        else:
            fields = [field.strip() for field in next(csv.reader([line]), [])]
        if not readers and fields and fields[0].lower() in _HEADER_ROW:
            continue  # the columns' names
        readers.append(_reader(fields, path, number))
    if not readers:
        raise ConfigError("lists no reader (one address a line: address,name,unsubscribe)", path)
    return readers


def _reader(fields: list[str], path: Path, number: int) -> Reader:
    if len(fields) > 3:
        raise ConfigError(
            f"has {len(fields)} columns; a reader's line is address,name,unsubscribe "
            "(quote a name holding a comma)",
            path,
            number,
        )
    bare, name, unsubscribe = [*fields, "", ""][:3]
    if (why := problem(bare, name)) is not None:
        raise ConfigError(f"{bare!r}: {why}", path, number)
    if unsubscribe and not re.fullmatch(r"(https?|mailto):[^\s<>\x00-\x1f\x7f]+", unsubscribe):
        raise ConfigError(
            f"{unsubscribe!r} is not an unsubscribe address (an https: URL or a mailto: address)",
            path,
            number,
        )
    return Reader(bare, name, unsubscribe)


def unique(readers: list[Reader]) -> list[Reader]:
    """Each reader once, in the order first listed."""
    seen: dict[str, Reader] = {}
    for reader in readers:
        seen.setdefault(reader.key, reader)
    return list(seen.values())
