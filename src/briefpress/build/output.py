"""All-or-nothing output: every file of one article is written in full beside its
target, then all are renamed into place, so a failed or killed build never leaves a
truncated file or one article's editions from two builds."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import BuildError
from ..fields import private

#: in a worker process: the build process that started it (None in the build process)
_PARENT: int | None = None


def watch_parent(pid: int) -> None:
    """From now on, write nothing into place once process ``pid`` is gone."""
    global _PARENT
    _PARENT = pid


def _orphaned() -> bool:
    return _PARENT is not None and os.getppid() != _PARENT


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target``; return the temporary path."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:80]}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600 if private(target.name) else 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_all(files: dict[Path, bytes]) -> None:
    """Write several files so that either all are replaced or none is.

    Each is first written in full beside its target. Then the targets are checked
    (a folder in the way fails the whole write before anything moves), the earlier
    files are set aside, and the new ones renamed into place; if a rename fails, the
    earlier files are put back. A worker whose build process is gone renames nothing.
    """
    staged: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}
    placed: list[Path] = []
    try:
        for target, data in files.items():
            staged[target] = stage(target, data)
        for target in files:
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(21, f"{target.name} is a folder", str(target))
        if _orphaned():
            raise BuildError("the build was stopped; nothing written")
        for target, temp in staged.items():
            if target.exists() or target.is_symlink():
                kept[target] = _aside(target)
            os.replace(temp, target)
            placed.append(target)
    except BaseException:
        for target in placed:  # take back what went into place, put the earlier files back
            if target not in kept:
                target.unlink(missing_ok=True)
        for target, previous in kept.items():
            os.replace(previous, target)
            previous.unlink(missing_ok=True)  # a second name of the file in place: rename kept it
        kept.clear()
        raise
    finally:
        for temp in [*staged.values(), *kept.values()]:
            temp.unlink(missing_ok=True)


def _aside(target: Path) -> Path:
    """Keep ``target`` under a temporary name beside it; return that name. A second name
    (a hard link) where the file system allows, so that ``target`` never goes missing
    while the new file is renamed over it (``serve`` or a web server reading the folder
    meanwhile sees the old file or the new one); else it is moved there."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:80]}.", suffix=".old")
    os.close(handle)
    os.unlink(temp)
    try:
        os.link(target, temp, follow_symlinks=False)
    except OSError:
        os.replace(target, temp)
    return Path(temp)


def write_folder(folder: Path, files: dict[str, bytes], where: Path | None) -> list[Path]:
    """Write ``files`` (by name) into ``folder``, created if needed, all or none."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {folder}: {exc.strerror or exc}", where) from None
    targets = {folder / name: data for name, data in files.items()}
    try:
        write_all(targets)
    except IsADirectoryError as exc:
        raise BuildError(
            f"cannot write to {folder}: {exc.strerror}; move it away (nothing was written)", where
        ) from None
    except OSError as exc:
        raise BuildError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another folder with -o", where
        ) from None
    return list(targets)


def remove_staged(folder: Path) -> None:
    """Staged files a killed build process left behind."""
    try:
        for staged in [*folder.glob(".*.tmp"), *folder.glob(".*.old")]:
            staged.unlink(missing_ok=True)
    except OSError:
        pass
