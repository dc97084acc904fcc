"""An EPUB as ``check`` opens it: a ZIP read defensively, before anything trusts it.

A book in an output folder is a file anyone could have replaced. Before its text is
read, it is unpacked for the browser or handed to EPUBCheck, Ace or the Kindle rules, it
must be a ZIP of at most :data:`MAX_MEMBERS` files and :data:`MAX_BYTES` unpacked, every
member named inside the book, with a ``META-INF/container.xml`` naming a package
document and every file that package's manifest and spine name. Otherwise
:class:`BookError` says, in one line naming the book, what is wrong.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from ..errors import BriefpressError

#: the most files a book may hold (one briefpress writes holds a few dozen)
MAX_MEMBERS = 10_000
#: the most bytes a book may hold, packed or unpacked (one briefpress writes: a few MB)
MAX_BYTES = 256 * 2**20
#: the largest ZIP directory read: 4 MB names thousands of files
_MAX_DIRECTORY = 4 * 2**20
_END = b"PK\x05\x06"  # the ZIP's end-of-directory record
_REBUILD = "rebuild it with briefpress build"


class BookError(BriefpressError):
    """A book that ``check`` will not read further; the message names what is wrong."""


@dataclass(frozen=True)
class Book:
    """A book whose archive, package and spine were found sound, and its bytes as read."""

    path: Path
    data: bytes
    #: the package document (the OPF), as a member name
    package: str
    #: the content documents in reading order, as member names
    spine: list[str]

    def documents(self) -> Iterator[tuple[str, bytes]]:
        """Each spine document's name and bytes, in reading order."""
        with self._archive() as archive:
            for name in self.spine:
                yield name, self._read(archive, name)

    def unpack(self, folder: Path) -> None:
        """Every file of the book under ``folder`` (names were checked to stay inside)."""
        with self._archive() as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                target = folder.joinpath(*info.filename.split("/"))
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(self._read(archive, info.filename))
                except OSError as exc:
                    raise BookError(
                        f"cannot unpack {info.filename}: {exc.strerror or exc}", self.path
                    ) from None

    def _archive(self) -> zipfile.ZipFile:
        return archive_of(self.data, self.path)

    def _read(self, archive: zipfile.ZipFile, name: str) -> bytes:
        try:
            return archive.read(name)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, KeyError, OSError) as exc:
            raise BookError(f"{name} is damaged ({exc}); {_REBUILD}", self.path) from None


def open_book(path: Path) -> Book:
    """``path`` read once, its archive, container, package and spine checked; or BookError."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BookError(f"cannot be read: {exc.strerror or exc}", path) from None
    if len(data) > MAX_BYTES:
        raise BookError(f"is larger than {MAX_BYTES // 2**20} MB, more than any book check reads", path)
    with archive_of(data, path) as archive:
        names = set(archive.namelist())
        package = _package_name(_xml(archive, "META-INF/container.xml", path), path)
        if package not in names:
            raise BookError(f"the package document {package} is missing; {_REBUILD}", path)
        spine = _spine(_xml(archive, package, path), package, names, path)
    return Book(path, data, package, spine)


def archive_of(data: bytes, path: Path) -> zipfile.ZipFile:
    """The ZIP in ``data``, once its directory and every member's name and size are sound.

    The member count and the directory's size come from the end record before the
    directory is parsed, so a ZIP of a million empty files is refused at once; sizes are
    those the directory declares, which reading holds each member to."""
    end = data.rfind(_END, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise BookError(f"is not a ZIP archive (truncated, or not an EPUB); {_REBUILD}", path)
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    directory = int.from_bytes(data[end + 12 : end + 16], "little")
    if count > MAX_MEMBERS:
        raise BookError(f"holds more than {MAX_MEMBERS:,} files, more than any book check reads", path)
    if directory > _MAX_DIRECTORY:
        raise BookError(
            f"its list of files is larger than {_MAX_DIRECTORY // 2**20} MB, larger than any book's", path
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise BookError(f"is not a ZIP archive ({exc}); {_REBUILD}", path) from None
    try:
        _check_members(archive.infolist(), path)
    except BookError:
        archive.close()
        raise
    return archive


def _check_members(infos: list[zipfile.ZipInfo], path: Path) -> None:
    if len(infos) > MAX_MEMBERS:
        raise BookError(f"holds more than {MAX_MEMBERS:,} files, more than any book check reads", path)
    total, seen = 0, set()
    for info in infos:
        name = info.filename
        parts = name.rstrip("/").split("/")
        if not name or name.startswith("/") or "\\" in name or "\x00" in name or ".." in parts:
            raise BookError(f"holds a file named {name[:80]!r}, outside the book; {_REBUILD}", path)
        if name in seen:
            raise BookError(f"holds {name[:80]!r} twice; {_REBUILD}", path)
        if info.flag_bits & 0x1:
            raise BookError(f"{name[:80]} is encrypted; {_REBUILD}", path)
        seen.add(name)
        total += info.file_size
        if total > MAX_BYTES:
            raise BookError(
                f"unpacks to more than {MAX_BYTES // 2**20} MB ({name[:80]} alone: "
                f"{info.file_size:,} bytes), more than any book check reads",
                path,
            )


def _xml(archive: zipfile.ZipFile, name: str, path: Path) -> ElementTree.Element:
    try:
        data = archive.read(name)
    except KeyError:
        raise BookError(f"has no {name}; {_REBUILD}", path) from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
        raise BookError(f"{name} is damaged ({exc}); {_REBUILD}", path) from None
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise BookError(f"{name} is not well-formed XML ({exc}); {_REBUILD}", path) from None


def _package_name(container: ElementTree.Element, path: Path) -> str:
    rootfile = container.find(".//{*}rootfile")
    name = rootfile.get("full-path", "") if rootfile is not None else ""
    if not name:
        raise BookError(f"META-INF/container.xml names no package document; {_REBUILD}", path)
    return name


def _spine(package: ElementTree.Element, name: str, names: set[str], path: Path) -> list[str]:
    """The spine's documents, after every manifest item is found in the book."""
    base = posixpath.dirname(name)
    manifest = {}
    for item in package.iterfind(".//{*}manifest/{*}item"):
        href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
        if href not in names:
            raise BookError(f"{name} lists {href[:80]}, which the book does not hold; {_REBUILD}", path)
        manifest[item.get("id")] = href
    spine = []
    for ref in package.iterfind(".//{*}spine/{*}itemref"):
        idref = ref.get("idref")
        if idref not in manifest:
            raise BookError(
                f"{name}'s spine names {str(idref)[:80]!r}, which its manifest lacks; {_REBUILD}", path
            )
        spine.append(manifest[idref])
    if not spine:
        raise BookError(f"{name}'s spine names no document; {_REBUILD}", path)
    return spine
