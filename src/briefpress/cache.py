"""A content-addressed cache for work that is costly and fully determined by its input:
an article's laid-out PDF chapter and the EPUB cover picture.

Entries are files named by the SHA-256 of everything that went into them (briefpress's
version included), so a stale entry is never found, only left behind. The folder is
``$BRIEFPRESS_CACHE``, else ``$XDG_CACHE_HOME/briefpress``, else ``~/.cache/briefpress``;
``BRIEFPRESS_CACHE=off`` turns the cache off. A cache that cannot be written is no
error: the work is simply done again next time.

A name is computable from public inputs, so the cache is trusted only as far as it is
private: it is created 0700, and a folder owned by another user or writable by group or
others is refused (:func:`check`, one line at the start of a build). Entries are opened
without following links, must be regular files of this user, and carry the SHA-256 of
their content, checked on every read: a bad entry is removed and the work done again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from . import __version__
from .errors import ConfigError

#: what starts every entry: a tag, then the SHA-256 of the rest
_HEADER = b"briefpress-cache-1\n"
_DIGEST = 32
#: the kinds of entry, one folder each
KINDS = ("chapters", "covers")
#: the largest entry read back (a laid-out digest chapter is a few MB)
MAX_ENTRY = 512 * 1024 * 1024


def folder() -> Path | None:
    configured = os.environ.get("BRIEFPRESS_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefpress"


def _unsafe(path: Path) -> str | None:
    """Why ``path`` (a folder of the cache, not followed if a link) cannot be trusted."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return "is not a folder (a link, or a file)"
    if info.st_uid != os.geteuid():
        return "belongs to another user"
    if info.st_mode & 0o022:
        return "can be written by other users"
    return None


def check() -> None:
    """Stop the build (one line) when the cache folder exists and is not private to this user."""
    root = folder()
    if root is None:
        return
    for path in (root, *(root / kind for kind in KINDS)):
        try:
            why = _unsafe(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            why = f"cannot be read ({exc.strerror or exc})"
        if why:
            raise ConfigError(
                f"this cache folder {why}, so its entries cannot be trusted: make it yours and "
                "private (chmod 700), or choose another with BRIEFPRESS_CACHE (off: no cache)",
                path,
            )


def key(*parts: bytes | str) -> str:
    """The name of what ``parts`` make (with briefpress's version)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _kind_folder(kind: str, create: bool = False) -> Path | None:
    """The folder of ``kind``'s entries when it is private to this user (made so if asked)."""
    root = folder()
    if root is None:
        return None
    try:
        if create:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            (root / kind).mkdir(mode=0o700, exist_ok=True)
        if _unsafe(root) or _unsafe(root / kind):
            return None
    except OSError:
        return None
    return root / kind


def get(kind: str, name: str) -> bytes | None:
    """The entry, when it is there, a regular file of this user and intact; else None
    (and a damaged entry is removed)."""
    where = _kind_folder(kind)
    if where is None:
        return None
    path = where / name
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), or what this user cannot read
        _discard(path)
        return None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_size > MAX_ENTRY:
        os.close(handle)
        _discard(path)
        return None
    with os.fdopen(handle, "rb") as stream:
        data = stream.read()
    body = data[len(_HEADER) + _DIGEST :]
    if not data.startswith(_HEADER) or data[len(_HEADER) : len(_HEADER) + _DIGEST] != _sha(body):
        _discard(path)
        return None
    return body


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _discard(path: Path) -> None:
    """Remove a bad entry (a link itself, never what it leads to; a folder planted there
    with what it holds), so the work is done again."""
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(path.lstat().st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()


def put(kind: str, name: str, data: bytes) -> None:
    where = _kind_folder(kind, create=True)
    if where is None:
        return
    try:
        handle, temp = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(_HEADER + _sha(data) + data)
            os.replace(temp, where / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
