"""Lock files: an exclusive ``flock`` on a file in a folder, held by one process at a time
and gone with it (the kernel releases it when the process ends, however it ends).

``briefpress send`` holds one on a folder's sent logs and refuses a second send. A build
holds one on its output folder while it writes there (stamps checked, editions, digest,
index and feed), so that a second build into the folder waits for the first, as cargo
waits for its build directory, and then finds the first one's stamps: it rebuilds
nothing the first one built. ``--no-wait`` stops it instead, with a message.

A lock file is private state (a dotfile, 0600: never published or served), holds the
id of the process that holds it, and is removed when it is released; a process that was
waiting for it sees that the file it locked is no longer the one in the folder, and
locks the new one.
"""

from __future__ import annotations

import fcntl
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import BriefpressError, BuildError
from ..options import Options

#: the lock of an output folder, held by the build writing into it
BUILD_LOCK = ".briefpress-build.lock"


@contextmanager
def exclusive(
    path: Path,
    problem: Callable[[str | None], BriefpressError],
    busy: Callable[[int | None], None],
) -> Iterator[None]:
    """Hold the lock file ``path`` for the block.

    ``problem(reason)`` is the error raised when the file cannot be opened (``reason``
    says why; None: it is not a regular file, a folder or a link). When another process
    holds the lock, ``busy(pid)`` is called once with that process's id (None when it
    wrote none): it raises to give up, or returns to wait until the lock is free.
    """
    waited = False
    while True:
        handle = _open(path, problem)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not waited:
                    waited = True
                    busy(_holder(handle))
                fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        if _same(handle, path):
            break
        os.close(handle)  # its holder removed it on release: lock the one there now
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # the id is only for the message of the process that waits
    try:
        yield
    finally:
        try:
            if _same(handle, path):
                path.unlink()
        except OSError:
            pass
        os.close(handle)  # and with it the lock


def _open(path: Path, problem: Callable[[str | None], BriefpressError]) -> int:
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        raise problem(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise problem(None)
    return handle


def _holder(handle: int) -> int | None:
    """The process id the holder wrote into the lock file."""
    try:
        text = os.pread(handle, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _same(handle: int, path: Path) -> bool:
    """Whether ``handle`` is still the file at ``path`` (not removed or replaced since)."""
    held = os.fstat(handle)
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


@contextmanager
def output_lock(options: Options, notice: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock while a build writes into it. Another build holding it
    is waited for (``notice`` is told once; None: stderr), or with ``--no-wait`` refused.
    A folder made only for the lock is removed again when nothing was written into it; a
    folder that cannot be made or written is not locked (every write into it fails, and
    says so)."""
    output = options.output
    shown = f"{output}/"
    made = not output.exists()
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError:
        made = False
    if not output.is_dir() or not os.access(output, os.W_OK):  # each article will say why it is not written
        yield
        return
    lock = output / BUILD_LOCK

    def problem(reason: str | None) -> BriefpressError:
        if reason is None:
            return BuildError(
                "is not a regular file: move it away (it is the lock of this folder's builds)", lock
            )
        return BuildError(
            f"cannot open the lock of this folder's builds ({reason}); make {shown} writable "
            "or choose another folder with -o",
            lock,
        )

    def busy(pid: int | None) -> None:
        who = f"another build into {shown}" + (f" (pid {pid})" if pid else "")
        if options.no_wait:
            raise BuildError(
                f"{who} is under way; nothing was built (without --no-wait, a build waits)", lock
            )
        line = f"waiting for {who} to finish…"
        notice(line) if notice is not None else print(line, file=sys.stderr, flush=True)

    try:
        with exclusive(lock, problem, busy):
            yield
    finally:
        if made:
            with suppress(OSError):
                output.rmdir()  # only when it is empty
