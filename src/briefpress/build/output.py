"""All-or-nothing output: every file of one article is written in full beside its
target, then all are renamed into place, so a failed or killed build never leaves a
truncated file or one article's editions from two builds."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import BuildError


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target``; return the temporary path."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_all(files: dict[Path, bytes]) -> None:
    """Write several files so that either all are replaced or none is.

    Each is first written in full beside its target; only then are they renamed into
    place, which cannot fail halfway through one file.
    """
    staged: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            staged[target] = stage(target, data)
        for target, temp in staged.items():
            os.replace(temp, target)
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)


def write_folder(folder: Path, files: dict[str, bytes], where: Path | None) -> list[Path]:
    """Write ``files`` (by name) into ``folder``, created if needed, all or none."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {folder}: {exc.strerror or exc}", where) from None
    targets = {folder / name: data for name, data in files.items()}
    try:
        write_all(targets)
    except OSError as exc:
        raise BuildError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another folder with -o", where
        ) from None
    return list(targets)


def remove_staged(folder: Path) -> None:
    """Staged files a killed build process left behind."""
    for staged in folder.glob(".*.tmp"):
        staged.unlink(missing_ok=True)
