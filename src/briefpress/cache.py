"""A content-addressed cache for work that is costly and fully determined by its input:
an article's laid-out PDF chapter, the EPUB cover picture, a compacted CJK font.

Entries are files named by the SHA-256 of everything that went into them (briefpress's
version included), so a stale entry is never found, only left behind. The folder is
``$BRIEFPRESS_CACHE``, else ``$XDG_CACHE_HOME/briefpress``, else ``~/.cache/briefpress``;
``BRIEFPRESS_CACHE=off`` turns the cache off. A cache that cannot be written is no
error: the work is simply done again next time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from . import __version__


def folder() -> Path | None:
    configured = os.environ.get("BRIEFPRESS_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefpress"


def key(*parts: bytes | str) -> str:
    """The name of what ``parts`` make (with briefpress's version)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def get(kind: str, name: str) -> bytes | None:
    root = folder()
    if root is None:
        return None
    try:
        return (root / kind / name).read_bytes()
    except OSError:
        return None


def put(kind: str, name: str, data: bytes) -> None:
    root = folder()
    if root is None:
        return
    try:
        (root / kind).mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=root / kind, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, root / kind / name)
    except OSError:
        pass
