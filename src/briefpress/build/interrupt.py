"""Ctrl-C in a build: the build process decides, its workers stop quietly.

A terminal sends SIGINT to every process of the foreground job: the build and each of
its workers. A worker ignores it (and so prints no ``Process ForkProcess-N:`` traceback);
while workers run, the build process only notes it (:func:`deferred`), then stops the
workers it started with SIGTERM, which ends each one as a ``SystemExit``: a worker that
is putting an article's editions into place puts the earlier ones back (see
:func:`briefpress.build.output.write_all`), and what it had staged is removed. The build
then raises ``KeyboardInterrupt``; :func:`briefpress.build.steps.build` turns it into an
:class:`~briefpress.errors.Interrupted` that says what was built and what was not.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import Interrupted

#: how long a stopped worker has to end by itself before it is killed
GRACE = 3.0


@dataclass
class Stop:
    """Whether Ctrl-C came while the block of :func:`deferred` ran."""

    requested: bool = False


@contextmanager
def deferred() -> Iterator[Stop]:
    """While the block runs, SIGINT sets ``requested`` instead of raising KeyboardInterrupt,
    so that the build stops its workers at a point of its choosing. Processes forked in
    the block inherit this handler until they set their own (:func:`in_worker`), so that
    one interrupted just after its fork prints nothing. Only the main thread can set a
    handler; elsewhere, and when SIGINT is ignored or handled by someone else, nothing
    changes."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield stop
        return

    def note(signum: int, frame: Any) -> None:
        stop.requested = True

    signal.signal(signal.SIGINT, note)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
    if stop.requested:
        raise KeyboardInterrupt


def in_worker() -> None:
    """In a worker process: Ctrl-C is the build's to handle; SIGTERM (the build stopping
    it) ends it as a SystemExit, which leaves through every ``finally`` and prints nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)


def _leave(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def stop_all(processes: list[Any]) -> None:
    """Stop worker processes (multiprocessing's): SIGTERM, then SIGKILL for any that has
    not ended within :data:`GRACE` seconds (one stuck in a C library)."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + GRACE
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.exitcode is None:
            process.kill()
            process.join()


def interrupted(result: Any) -> Interrupted:
    """What a build (its :class:`~briefpress.build.steps.BuildResult` so far) had done when
    Ctrl-C came: the articles built or found unchanged, those that failed, and the rest,
    not started (or stopped before they wrote anything)."""
    done = result.built + result.unchanged
    failed = len(set(result.failed))
    return Interrupted(done, max(0, result.articles - done - failed), failed, result)
