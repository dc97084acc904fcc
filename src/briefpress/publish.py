"""``briefpress publish OUT DEST``: the folder people host, made from an output folder.

An output folder holds private state beside the editions: each article's stamp (its
source's absolute path and the build's options), the sent logs (recipients), the mails
(``.eml``, with their recipients), the site stamp. ``publish`` copies only what readers
may see — ``index.html``, ``feed.xml`` and, for each article and digest a stamp lists,
the edition files the editions declare public (:func:`briefpress.editions.public_files`)
— into ``DEST``. It never copies a dotfile, a link or anything a stamp does not list.

``DEST`` may already hold other files (a ``CNAME``, a ``.git``): they are left alone.
A file an earlier publish wrote that is no longer public is removed; that list is kept in
``DEST/.briefpress-published`` (file names only, all public). Each folder is written all
or none; an unchanged file is not rewritten.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .build.output import write_all
from .build.stamps import stamped
from .editions import public_files
from .errors import BuildError
from .fields import SITE_FILES, slug_problem

#: what an earlier publish wrote into DEST, relative to it
PUBLISHED = ".briefpress-published"


@dataclass
class PublishResult:
    copied: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)


def public(output: Path) -> list[str]:
    """The files of ``output`` that may be published, relative to it, in order."""
    names = [name for name in SITE_FILES if _regular(output / name)]
    for stamp in stamped(output):
        slug, data = stamp.slug, stamp.data
        if data.get("listed") is False:  # its source is gone: it left the index (build/prune.py)
            continue
        listed = data.get("files")
        allowed = public_files(slug)
        if isinstance(listed, list):
            files = {name for name in listed if isinstance(name, str)} & allowed
            names += sorted(f"{slug}/{name}" for name in files if _regular(stamp.folder / name))
    return names


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def publish(output: Path, dest: Path) -> PublishResult:
    """Copy the public files of ``output`` into ``dest`` (see the module's notes)."""
    output, dest = Path(output), Path(dest)
    if not output.is_dir():
        raise BuildError("is not an output folder of 'briefpress build'", output)
    if dest.resolve() == output.resolve() or dest.resolve().is_relative_to(output.resolve()):
        raise BuildError("must lie outside the output folder it is published from", dest)
    names = public(output)
    if not names:
        raise BuildError("holds no built editions; run 'briefpress build' first", output)
    result = PublishResult()
    for folder in sorted({(dest / name).parent for name in names} - {dest}):
        if folder.is_symlink() or folder.exists() and not folder.is_dir():
            raise BuildError(
                f"is a link or a file; publish writes only into folders of its own inside {dest}: "
                "remove it (nothing was published)",
                folder,
            )
    earlier = _earlier(dest)
    by_folder: dict[Path, dict[Path, bytes]] = {}
    for name in names:
        data, target = (output / name).read_bytes(), dest / name
        if _regular(target) and target.read_bytes() == data:
            result.unchanged += 1
            continue
        by_folder.setdefault(target.parent, {})[target] = data
    try:
        for folder, files in by_folder.items():
            folder.mkdir(parents=True, exist_ok=True)
            write_all(files)
            result.copied += files
        for name in sorted(set(earlier) - set(names)):
            gone = dest / name
            if _regular(gone) and not gone.parent.is_symlink():
                gone.unlink()
                result.removed.append(gone)
                if gone.parent != dest and not any(gone.parent.iterdir()):
                    shutil.rmtree(gone.parent, ignore_errors=True)
        write_all({dest / PUBLISHED: json.dumps(names, indent=0).encode()})
    except OSError as exc:
        raise BuildError(f"cannot write it: {exc.strerror or exc}; choose another folder", dest) from None
    return result


def _earlier(dest: Path) -> list[str]:
    """What an earlier publish wrote into ``dest``. The list travels with the folder (a
    cloned site), so only names a publish could have written are believed: a site file,
    or an edition's public file in a folder named by its slug — never a CNAME or .git."""
    try:
        names = json.loads((dest / PUBLISHED).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    return [name for name in names if _publishable(name)] if isinstance(names, list) else []


def _publishable(name: object) -> bool:
    if not isinstance(name, str):
        return False
    if name in SITE_FILES:
        return True
    slug, _, file = name.partition("/")
    return not slug_problem(slug) and file in public_files(slug)
