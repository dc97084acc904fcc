"""Stamps: what the last build of an article folder was made from, so that an unchanged
article is skipped and ``briefpress check`` can read its source again as it was built.

A stamp (``.<slug>.briefpress``, written with the editions, all or none) holds a content
hash of the briefpress version, templates, styles, the options that change the editions,
the source and its images; the files written; the source's path; and those options.
It also keeps, for each edition, a hash of what that edition is made from: the options
that change it (:attr:`briefpress.options.kinds.Spec.changes`, and those that change the
editions it needs), so that a build after ``--to`` changed writes the mail again and
keeps the handout as it is (Sphinx's ``rebuild=`` categories).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..fields import slug_problem
from ..model import Article, is_given
from ..options import Options, source_date_epoch
from ..render import resource_dir, theme_files
from .output import write_folder

STAMP = ".{slug}.briefpress"


def resources_hash(theme: Path | None = None) -> str:
    """Everything a build reads besides the sources: templates, styles, the version,
    briefpress's own code (so a changed checkout never reuses an older layout) and the
    theme's files."""
    digest = hashlib.sha256(__version__.encode())
    code = Path(__file__).resolve().parents[1]
    for folder, pattern in ((resource_dir("templates"), "*"), (resource_dir("styles"), "*"), (code, "*.py")):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    if theme is not None:
        for path in theme_files(theme):
            digest.update(b"theme/" + str(path.relative_to(theme)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def settings(options: Options, editions: Iterable[str] | None = None) -> dict[str, Any]:
    """The options that change the editions (with ``editions``: one of those), as JSON
    values, and SOURCE_DATE_EPOCH, which changes every one."""
    values = {**options.output_settings(editions), "source_date_epoch": source_date_epoch()}
    return json.loads(json.dumps(values, sort_keys=True, default=str))


def source_bytes(article: Article) -> bytes:
    """What an article was read from: its file's bytes, or a given article's text (no file)."""
    if not is_given(article.path):
        return article.path.read_bytes()
    return (article.source.markdown if article.source else repr(article)).encode()


def recorded(path: Path) -> str:
    """How a stamp names a source: its absolute path, or a given article's own name."""
    return str(path) if is_given(path) else str(path.resolve())


def made_of(article: Article, shared: str) -> str:
    """A content hash of the article's source and images, and of ``shared``: what every
    edition of it is made from, the options aside."""
    digest = hashlib.sha256(shared.encode())
    digest.update(source_bytes(article))
    for image in article.images:
        digest.update(image.read_bytes())
    return digest.hexdigest()


def options_hash(content: str, options: Options, editions: Iterable[str] | None = None) -> str:
    """``content`` (:func:`made_of`) with the options that change ``editions`` (None: all)."""
    chosen = json.dumps(settings(options, editions), sort_keys=True)
    return hashlib.sha256(f"{content}\n{chosen}".encode()).hexdigest()


def article_hash(article: Article, options: Options, shared: str) -> str:
    """A content hash of what the article's editions are made from."""
    return options_hash(made_of(article, shared), options)


def edition_hashes(content: str, options: Options, slug: str) -> dict[str, str]:
    """For each edition ``options.formats`` asks for, the hash of what it is made from:
    the article's ``content``, the options that change it or an edition it needs, and
    which of the editions it links to are at hand (:attr:`.Edition.links_to`)."""
    from ..editions import EDITIONS
    from ..editions.edition import at_hand

    hashes = {}
    for name in options.formats:
        linked = [other for other in EDITIONS[name].links_to if at_hand(EDITIONS[other], slug, options)]
        hashes[name] = options_hash(
            content + "".join(f"\nlinks {other}" for other in linked), options, needed(name)
        )
    return hashes


def record(
    stamp: str,
    files: dict[str, bytes],
    source: Path | None,
    options: Options,
    about: dict[str, Any] | None = None,
    sources: list[Path] | None = None,
    editions: dict[str, Any] | None = None,
    kept: dict[str, int] | None = None,
) -> bytes:
    """A stamp's content; ``about``: what the folder's index and feed say of it (title,
    verdict, date); ``sources``: a digest's articles, in its order (``briefpress check``
    reads them again); ``editions``: each edition's hash and files; ``kept``: the files
    of the editions not written again, with their sizes."""
    sizes = {**(kept or {}), **{name: len(data) for name, data in files.items()}}
    content = {
        "hash": stamp,
        "files": sorted(sizes),
        # and their sizes, so that a truncated edition is not taken for the one built
        "sizes": dict(sorted(sizes.items())),
        "source": recorded(source) if source else None,
        "options": settings(options),
        "about": about or {},
        # what each source held, so that check tells a source edited since from a broken build
        "source_sha256": {recorded(p): source_hash(p) for p in ([source] if source else sources or [])},
    }
    if sources is not None:
        content["sources"] = [recorded(path) for path in sources]
    if editions is not None:
        content["editions"] = editions
    return json.dumps(content, ensure_ascii=False).encode()


def source_hash(path: Path) -> str | None:
    """The SHA-256 of a source's bytes; None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def changed_since(data: dict, source: Path, stamp_file: Path) -> bool:
    """Whether ``source`` differs from what the build that left the stamp ``data`` read:
    by content when the stamp recorded it, else by time (an older briefpress's stamp)."""
    recorded = data.get("source_sha256")
    if isinstance(recorded, dict) and str(source) in recorded:
        return recorded[str(source)] != source_hash(source)
    try:
        return source.stat().st_mtime > stamp_file.stat().st_mtime
    except OSError:
        return False


def read_stamp(folder: Path, slug: str) -> dict:
    """What the last build of ``folder`` recorded: hash, files, source, options; {} if nothing."""
    try:
        data = json.loads((folder / STAMP.format(slug=slug)).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # an edited stamp is no stamp
        return {}
    return data if isinstance(data, dict) else {}


def built_with(data: dict) -> Options:
    """The options a stamp recorded (those that change the editions); defaults for the rest."""
    recorded = data.get("options") or {}
    known = {k: v for k, v in recorded.items() if k in Options.__dataclass_fields__ and v is not None}
    return Options().replace(**known)


def stamp_matches(folder: Path, slug: str, stamp: str, names: list[str] | None = None) -> bool:
    data = read_stamp(folder, slug)
    if not data:
        return False
    files = data.get("files", [])
    if names is not None and sorted(files) != sorted(names):
        return False
    if data.get("listed") is False:  # its source was gone (build/prune.py): it is back, build it
        return False
    sizes = data.get("sizes")
    sizes = sizes if isinstance(sizes, dict) else {}
    return data.get("hash") == stamp and all(_whole(folder / name, sizes.get(name)) for name in files)


def kept_editions(folder: Path, slug: str, hashes: dict[str, str]) -> dict[str, list[str]]:
    """The editions of ``hashes`` the folder's stamp recorded with the same hash, whose
    files are all there at the size written: {edition: its files}. None is kept from a
    stamp without editions (an older briefpress's), or of an article unlisted."""
    data = read_stamp(folder, slug)
    recorded = data.get("editions")
    if not isinstance(recorded, dict) or data.get("listed") is False:
        return {}
    sizes = data.get("sizes")
    sizes = sizes if isinstance(sizes, dict) else {}
    kept = {}
    for name, wanted in hashes.items():
        entry = recorded.get(name)
        if not isinstance(entry, dict) or entry.get("hash") != wanted:
            continue
        files = entry.get("files")
        if isinstance(files, list) and all(
            isinstance(file, str) and _whole(folder / file, sizes.get(file)) for file in files
        ):
            kept[name] = files
    return kept


def recorded_editions(folder: Path, slug: str) -> set[str]:
    """The editions the folder's stamp recorded (its last build's --formats)."""
    recorded = read_stamp(folder, slug).get("editions")
    return set(recorded) if isinstance(recorded, dict) else set()


def needed(name: str) -> list[str]:
    """The edition ``name`` and those it needs, and they need."""
    from ..editions import plan

    return plan((name,))


def _whole(path: Path, size: object) -> bool:
    """Whether ``path`` is there, at the size the build wrote (a truncated edition is rebuilt)."""
    try:
        return path.is_file() and (not isinstance(size, int) or path.stat().st_size == size)
    except OSError:
        return False


def owner_conflict(folder: Path, slug: str, source: Path | None) -> str | None:
    """Why this build may not write into ``folder``: it holds another article's (or the
    digest's) editions, as its stamp says. None when it is free or already this one's."""
    data = read_stamp(folder, slug)
    if not data:
        return None
    owner = data.get("source")
    mine = recorded(source) if source is not None else None
    if owner == mine:
        return None
    held = f"the editions of {owner}" if owner else "the digest"
    return f"{folder} already holds {held}; choose another slug, or --force to replace them"


def with_stamp(
    folder: Path,
    slug: str,
    files: dict[str, bytes],
    stamp: str,
    source: Path | None,
    options: Options,
    about: dict | None = None,
    sources: list[Path] | None = None,
    editions: dict[str, Any] | None = None,
    kept: dict[str, int] | None = None,
) -> list[Path]:
    """Write the files and the stamp that lets the next build skip them, all or none;
    ``kept``: the files left as they were, recorded with their sizes."""
    stamp_file = STAMP.format(slug=slug)
    recorded = record(stamp, files, source, options, about, sources, editions, kept)
    written = write_folder(folder, {**files, stamp_file: recorded}, source)
    return [path for path in written if path.name != stamp_file]


@dataclass(frozen=True)
class Stamped:
    """One article's (or the digest's) folder in an output folder, as its stamp says."""

    folder: Path
    slug: str
    #: what the stamp holds (:func:`read_stamp`): {} when it cannot be read
    data: dict

    @property
    def path(self) -> Path:
        return stamp_path(self.folder, self.slug)


def stamp_path(folder: Path, slug: str) -> Path:
    return folder / STAMP.format(slug=slug)


def stamped(output: Path) -> list[Stamped]:
    """Every folder of ``output`` a build left a stamp in, in name order: the folder
    ``<slug>/`` holding ``.<slug>.briefpress`` for a slug a build may write (a stamp
    named for another slug than its folder's, or for no valid slug, was not a build's)."""
    found = []
    for path in sorted(output.glob("*/" + STAMP.format(slug="*"))):
        folder = path.parent
        slug = folder.name
        if path.name == STAMP.format(slug=slug) and slug_problem(slug) is None:
            found.append(Stamped(folder, slug, read_stamp(folder, slug)))
    return found
