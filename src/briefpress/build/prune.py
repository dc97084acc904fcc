"""Articles whose sources are gone: a build of a folder drops them from the index and
the feed, and with ``--prune`` removes their files.

An article's stamp records the absolute path of its source. A stamp whose source lay in
a folder being built and is no longer there is stale: the article was deleted (or
renamed) since it was built. Its stamp is marked ``"listed": false`` (rewritten whole),
so that the index, the feed and ``publish`` leave it out from then on, whatever is built
into the folder later, while its files stay; it is listed again when its source comes
back and is built. Only a folder named in the build decides: an article built from
elsewhere (or on another machine, whose paths do not exist here) is never touched.

``--prune`` removes what the stamp says briefpress wrote (edition file names only,
regular files, never through a link), then the stamp, then the folder when it is left
empty; a file briefpress did not write keeps the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..editions import every
from .output import write_all
from .stamps import stamp_path, stamped


@dataclass
class Gone:
    """An article whose source is gone from the folder it was found in."""

    folder: Path
    slug: str
    source: str
    data: dict

    @property
    def listed(self) -> bool:
        return self.data.get("listed") is not False


@dataclass
class Retired:
    """What became of the articles whose sources are gone."""

    #: article folders that left the index and the feed in this build
    unlisted: list[Gone] = field(default_factory=list)
    #: files removed (--prune)
    removed: list[Path] = field(default_factory=list)
    #: articles whose files were removed (--prune)
    pruned: list[Gone] = field(default_factory=list)
    #: article folders kept for the files briefpress did not write in them (--prune)
    kept: list[Path] = field(default_factory=list)


def gone(output: Path, folders: list[Path]) -> list[Gone]:
    """The articles built into ``output`` from a source in one of ``folders`` that is gone."""
    roots = [folder.resolve() for folder in folders]
    found = []
    for stamp in stamped(output):
        folder, slug, data = stamp.folder, stamp.slug, stamp.data
        if folder.is_symlink():
            continue
        source = data.get("source")
        if not isinstance(source, str) or not Path(source).is_absolute():
            continue  # a digest's, or not one a build writes
        path = Path(source)
        if any(path.is_relative_to(root) for root in roots) and not (path.exists() or path.is_symlink()):
            found.append(Gone(folder, slug, source, data))
    return found


def retire(output: Path, folders: list[Path], prune: bool) -> Retired:
    """Unlist the articles whose sources are gone from ``folders``; with ``prune``, remove them."""
    result = Retired()
    for article in gone(output, folders):
        if prune:
            _remove(article, result)
        elif article.listed:
            stamp = stamp_path(article.folder, article.slug)
            data = {**article.data, "listed": False}
            write_all({stamp: json.dumps(data, ensure_ascii=False).encode()})
            result.unlisted.append(article)
    return result


def _remove(article: Gone, result: Retired) -> None:
    """The files the article's stamp says briefpress wrote, the stamp, and then its folder."""
    own = {name for edition in every() for name in edition.files(article.slug)}
    listed = article.data.get("files")
    names = sorted({n for n in listed if isinstance(n, str)} & own) if isinstance(listed, list) else []
    for name in [*names, stamp_path(article.folder, article.slug).name]:
        path = article.folder / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            result.removed.append(path)
    result.pruned.append(article)
    try:
        article.folder.rmdir()
    except OSError:  # it holds files briefpress did not write
        result.kept.append(article.folder)
