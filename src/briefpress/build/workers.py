"""Worker processes: each article is rendered and written in its own forked process,
``jobs`` at a time, within ``--timeout`` and ``--max-memory``, so that one hostile or
broken article fails alone and a killed process leaves nothing behind. Reading a source
runs there too, so that a hostile source meets the same limits as its rendering; and a
worker dies with the build that started it."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..errors import BriefpressError, BuildError, Finding, Report
from ..model import Article
from ..options import Options
from .interrupt import Stop, deferred, in_worker, stop_all
from .output import remove_staged, watch_parent

#: warnings one article may print; the rest are counted in one line
MAX_WARNINGS = 100


@dataclass
class Job:
    """One article's work in a worker: reading its source, or rendering and writing it."""

    #: the source file
    path: Path
    options: Options
    #: the article, once read (None: the job is to read it)
    article: Article | None = None
    #: the content hash the stamp will record
    stamp: str = ""
    #: warnings the article had when it was read (they count for --strict)
    earlier_warnings: int = 0
    #: cores no other worker is using: the article's editions may use them
    spare_cores: int = 0
    #: the source was found in a folder (not named): a draft is skipped, not read
    found: bool = False
    #: each edition's hash (:func:`.stamps.edition_hashes`)
    editions: dict[str, str] = field(default_factory=dict)
    #: the editions left as the last build wrote them: {edition: its files}
    kept: dict[str, list[str]] = field(default_factory=dict)

    @property
    def folder(self) -> Path | None:
        return self.options.output / self.article.meta.slug if self.article else None


@dataclass
class Outcome:
    """One article's work, as a worker process reports it back."""

    path: Path
    #: the article read (a reading job)
    article: Article | None = None
    #: the files written (a building job)
    outputs: list[Path] = field(default_factory=list)
    #: bytes made for the build process (a digest's chapter)
    data: bytes | None = None
    #: what work other than a build returns (the typography lint's findings)
    result: Any = None
    #: the warnings, as records (they cross the pipe whole: file, line, code, ...)
    warnings: list[Finding] = field(default_factory=list)
    #: how many warnings there were by code, shown or not (a worker shows at most MAX_WARNINGS)
    warning_counts: dict[str, int] = field(default_factory=dict)
    error: BriefpressError | None = None
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False
    #: why the source was not read (it is a draft)
    skipped: str | None = None


#: the work of a job: it fills in the outcome, reporting warnings to the report
Work = Callable[[Job, Report, Outcome], None]


def run_job(job: Job, work: Work) -> Outcome:
    """Run ``work`` for ``job``; any failure becomes the outcome's one error line."""
    report = Report(limit=MAX_WARNINGS, suppress=job.options.suppress)
    outcome = Outcome(job.path)
    try:
        work(job, report, outcome)
    except BriefpressError as exc:
        outcome.error = exc
    except RecursionError:
        outcome.error = BuildError("is nested too deeply to be read; simplify it", job.path)
    except MemoryError:
        outcome.error = BuildError(
            f"ran out of memory within --max-memory {job.options.max_memory} MB; "
            "raise it or make the source smaller",
            job.path,
        )
    except Exception as exc:  # a renderer bug must not hide the other articles
        if job.options.verbosity > 0:
            traceback.print_exc()
        outcome.error = BuildError(
            f"could not render: {type(exc).__name__}: {exc} (run with -v for details)", job.path
        )
    report.close()
    outcome.warnings = report.findings
    outcome.warning_counts = dict(report.counts_for(job.path))
    return outcome


def _child(connection: Connection, job: Job, work: Work, parent: int) -> None:
    in_worker()
    die_with(parent)
    if job.options.max_memory:
        import resource

        limit = job.options.max_memory * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # MemoryError, not the OOM killer
    connection.send(run_job(job, work))
    connection.close()


def die_with(parent: int) -> None:
    """Make this (forked) process die with ``parent``, and never write after it is gone."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us when the parent dies
    except (OSError, AttributeError):  # not Linux: the rename guard below still holds
        pass
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)
    watch_parent(parent)


@dataclass
class _Running:
    job: Job
    connection: Connection
    started: float


def run_isolated(
    jobs: list[Job], work: Work, processes: int, timeout: float | None, after: str = "nothing written"
) -> Iterator[Outcome]:
    """Run ``work`` for each job in its own process, ``processes`` at a time, each within ``timeout``.

    A process that runs out of time is killed and its article fails; one that dies
    (out of memory, a crash in a C library) fails its article alone. Outputs are
    written by the process itself with an atomic rename, so a killed one leaves none.
    ``after`` ends the error line of such an article: what became of its work. On Ctrl-C
    the processes still running are stopped (:mod:`.interrupt`), then KeyboardInterrupt.
    """
    context = multiprocessing.get_context("fork")
    pending = list(jobs)
    running: dict[Any, _Running] = {}
    with deferred() as stop:  # Ctrl-C: the workers are stopped here, then KeyboardInterrupt
        yield from _run(context, pending, running, work, processes, timeout, after, stop)
        if stop.requested:
            stop_all(list(running))
            for state in running.values():
                state.connection.close()
                if state.job.folder:  # a worker killed after its grace may have left staged files
                    remove_staged(state.job.folder)


def _run(
    context: Any,
    pending: list[Job],
    running: dict[Any, _Running],
    work: Work,
    processes: int,
    timeout: float | None,
    after: str,
    stop: Stop,
) -> Iterator[Outcome]:
    while (pending or running) and not stop.requested:
        while pending and len(running) < processes:
            job = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(sender, job, work, os.getpid()), daemon=True)
            process.start()
            sender.close()
            running[process] = _Running(job, receiver, time.monotonic())
        ready = wait([r.connection for r in running.values()], timeout=0.1)
        for process, state in list(running.items()):
            outcome = _finished(process, state, ready, timeout, after)
            if outcome is not None:
                process.join()
                state.connection.close()
                del running[process]
                if (
                    outcome.error is not None and state.job.folder
                ):  # a killed process may have left staged files
                    remove_staged(state.job.folder)
                yield outcome


def _finished(
    process: Any, state: _Running, ready: list, timeout: float | None, after: str
) -> Outcome | None:
    """The outcome of a process that answered, died or ran out of time; None while it runs."""
    path = state.job.path
    if state.connection in ready:
        try:
            return state.connection.recv()
        except EOFError:  # the process died without an answer
            process.join()
            return Outcome(
                path,
                error=BuildError(
                    f"its process ended without a result (exit code {process.exitcode}, "
                    f"often a sign of running out of --max-memory); {after}",
                    path,
                ),
            )
    if timeout and time.monotonic() - state.started > timeout:
        process.kill()
        return Outcome(path, error=BuildError(f"took longer than {timeout:g} s (--timeout); {after}", path))
    return None


def cores(options: Options) -> int:
    """How many processes the build may keep busy: ``--jobs``, else one per CPU."""
    return options.jobs or os.cpu_count() or 1


def run_all(
    jobs: list[Job], work: Work, options: Options, after: str = "nothing written"
) -> Iterator[Outcome]:
    """``work`` for each job: in worker processes within the limits, or here when there
    are no limits to keep and one process to use (``after``: see :func:`run_isolated`)."""
    processes = min(cores(options), len(jobs))
    if jobs and (processes > 1 or options.timeout or options.max_memory):
        yield from run_isolated(jobs, work, max(processes, 1), options.timeout, after)
    else:
        for job in jobs:
            yield run_job(job, work)


@dataclass
class Background:
    """Work started in a forked process of its own (a worker may not start multiprocessing
    children: it is a daemon), its result fetched later through a pipe."""

    pid: int
    reader: int

    @classmethod
    def start(cls, work: Callable[[Report], Any]) -> Background:
        reader, writer = os.pipe()
        parent = os.getpid()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # none between fork and in_worker
        pid = os.fork()
        if pid == 0:  # the child: do the work, send it back whole, leave
            os.close(reader)
            code = 0
            try:
                in_worker()
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                die_with(parent)
                report = Report()
                message: tuple[Any, list[Finding], Exception | None]
                try:
                    message = (work(report), report.findings, None)
                except Exception as exc:  # sent back: the caller raises it as its own
                    message = (None, report.findings, exc)
                with os.fdopen(writer, "wb") as stream:
                    pickle.dump(message, stream)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(writer)
        return cls(pid, reader)

    def result(self, report: Report, path: Path) -> Any:
        """The work's result, its warnings added to ``report``; its exception raised here."""
        with os.fdopen(self.reader, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(self.pid, 0)
        if not data:
            raise BuildError(f"a rendering process ended without a result (status {status})", path)
        value, warnings, error = pickle.loads(data)
        for warning in warnings:
            report.add(warning, path)
        if error is not None:
            raise error
        return value
