"""Worker processes: each article is rendered and written in its own forked process,
``jobs`` at a time, within ``--timeout`` and ``--max-memory``, so that one hostile or
broken article fails alone and a killed process leaves nothing behind."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..errors import BriefpressError, BuildError, Report
from ..model import Article
from ..options import Options
from .output import remove_staged


@dataclass
class Job:
    """One article to build: what it is made from and what the parent already knows."""

    article: Article
    options: Options
    #: the content hash the stamp will record
    stamp: str
    #: warnings the article had when it was read (they count for --strict)
    earlier_warnings: int = 0

    @property
    def folder(self) -> Path:
        return self.options.output / self.article.meta.slug


@dataclass
class Outcome:
    """One article's build, as a worker process reports it back."""

    path: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: BriefpressError | None = None
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False


def run_job(job: Job, work: Callable[[Job, Report, dict[str, float]], list[Path]]) -> Outcome:
    """Run ``work`` for ``job``; any failure becomes the outcome's one error line."""
    report = Report()
    outcome = Outcome(job.article.path)
    try:
        outcome.outputs = work(job, report, outcome.timings)
    except BriefpressError as exc:
        outcome.error = exc
    except Exception as exc:  # a renderer bug must not hide the other articles
        if job.options.verbosity > 0:
            traceback.print_exc()
        outcome.error = BuildError(
            f"could not render: {type(exc).__name__}: {exc} (run with -v for details)", job.article.path
        )
    outcome.warnings = report.warnings
    return outcome


def _child(connection: Connection, job: Job, work: Callable) -> None:
    if job.options.max_memory:
        import resource

        limit = job.options.max_memory * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # MemoryError, not the OOM killer
    connection.send(run_job(job, work))
    connection.close()


@dataclass
class _Running:
    job: Job
    connection: Connection
    started: float


def run_isolated(jobs: list[Job], work: Callable, processes: int, timeout: float | None) -> Iterator[Outcome]:
    """Run ``work`` for each job in its own process, ``processes`` at a time, each within ``timeout``.

    A process that runs out of time is killed and its article fails; one that dies
    (out of memory, a crash in a C library) fails its article alone. Outputs are
    written by the process itself with an atomic rename, so a killed one leaves none.
    """
    context = multiprocessing.get_context("fork")
    pending = list(jobs)
    running: dict[Any, _Running] = {}
    while pending or running:
        while pending and len(running) < processes:
            job = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(sender, job, work), daemon=True)
            process.start()
            sender.close()
            running[process] = _Running(job, receiver, time.monotonic())
        ready = wait([r.connection for r in running.values()], timeout=0.1)
        for process, state in list(running.items()):
            outcome = _finished(process, state, ready, timeout)
            if outcome is not None:
                process.join()
                state.connection.close()
                del running[process]
                if outcome.error is not None:  # a killed process may have left staged files
                    remove_staged(state.job.folder)
                yield outcome


def _finished(process: Any, state: _Running, ready: list, timeout: float | None) -> Outcome | None:
    """The outcome of a process that answered, died or ran out of time; None while it runs."""
    path = state.job.article.path
    if state.connection in ready:
        try:
            return state.connection.recv()
        except EOFError:  # the process died without an answer
            process.join()
            return Outcome(
                path,
                error=BuildError(
                    f"the build process ended without a result (exit code {process.exitcode}, "
                    "often a sign of running out of --max-memory); nothing written",
                    path,
                ),
            )
    if timeout and time.monotonic() - state.started > timeout:
        process.kill()
        return Outcome(
            path, error=BuildError(f"took longer than {timeout:g} s (--timeout); nothing written", path)
        )
    return None
