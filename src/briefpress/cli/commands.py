"""What each ``briefpress`` command does, once its arguments are parsed: call the API,
print, return the exit code."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import TextIO

from ..errors import BriefpressError, Interrupted, UsageError, printable
from ..options import Options, load, notice, option_names


def say(text: str = "", file: TextIO | None = None, flush: bool = False) -> None:
    """Print one line; whatever came from a source or a file name is shown escaped."""
    print(printable(text), file=file, flush=flush)


def print_error(error: BriefpressError, stream: TextIO) -> None:
    print(error.printed(), file=stream)


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    """The options the command line set; the flags carry the option names."""
    return {name: getattr(args, name) for name in option_names() if hasattr(args, name)}


def _options(args: argparse.Namespace, stderr: TextIO, **more: object) -> Options:
    """The options of the command line and ./briefpress.toml; the file's theme and output
    folder, when it sets them, announced first."""
    overrides = {**_overrides(args), **more}
    announced = notice(overrides)
    if announced:
        say(announced, file=stderr, flush=True)
    return load(overrides)


def _build(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..build.steps import build  # imports the editions' libraries only when needed
    from ..errors import Report

    options = _options(args, stderr)
    report = Report(echo=lambda line: say(line, file=stderr))
    try:
        with _progress(options.verbosity, stdout) as progress:
            result = build(
                args.paths, options, report, progress, lambda line: say(line, file=stderr, flush=True)
            )
    except Interrupted as stopped:  # the errors met before it, then main() says what was built
        for error in stopped.result.errors if stopped.result else []:
            print_error(error, stderr)
        raise
    for error in result.errors:
        print_error(error, stderr)
    if options.verbosity > 0:
        for source, steps in result.timings.items():
            if not steps:
                continue
            detail = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps.items())
            say(f"{source}: {detail}", file=stdout)
        for path in result.outputs:
            say(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", file=stdout)
    if options.verbosity >= 0 and result.skipped:
        _skipped(result.skipped, options.verbosity, stdout)
    if options.verbosity >= 0:
        _retired(result.retired, options.verbosity, stdout)
    if options.verbosity >= 0 and result.left_out:
        say(
            f"the digest leaves out {result.left_out} article(s) that failed to build (--digest-partial)",
            file=stdout,
        )
    if options.verbosity >= 0 and any(result.punctuation_fixed):
        say(_fixed(*result.punctuation_fixed), file=stdout)
    if options.verbosity >= 0:
        say(
            f"{result.built} of {result.articles} article(s) built, {len(result.outputs)} file(s), "
            f"{len(result.warnings)} warning(s), {len(result.errors)} error(s), "
            f"{result.unchanged} unchanged, in {result.seconds:.1f} s",
            file=stdout,
        )
    return 0 if result.ok else 1


def _fixed(marks: int, spaces: int) -> str:
    """The build's line on what the punctuation fix (on by default) changed."""
    done = [f"fixed {marks} punctuation mark(s)"] if marks else []
    done += [f"dropped {spaces} space(s) beside full-width punctuation"] if spaces else []
    return f"{' and '.join(done)} in the editions' Chinese text (--keep-punctuation keeps it as written)"


#: what a skipped file is, in the build's summary and (with -v) on its own line
_SKIPPED = {
    "no front matter": ("{n} file(s) without front matter (not articles)", "no front matter, not an article"),
    "draft": ("{n} draft(s)", "a draft (draft: true in its front matter)"),
}


def _skipped(skipped: list, verbosity: int, stdout: TextIO) -> None:
    """One line for the files of the folders that were not built; with -v, one per file."""
    counts = {why: sum(1 for _, reason in skipped if reason == why) for why in _SKIPPED}
    parts = [_SKIPPED[why][0].format(n=n) for why, n in counts.items() if n]
    say(f"skipped {' and '.join(parts)}" + (":" if verbosity > 0 else "; -v names them"), file=stdout)
    if verbosity > 0:
        for path, why in skipped:
            say(f"skipped {path}: {_SKIPPED[why][1]}", file=stdout)


def _retired(retired, verbosity: int, stdout: TextIO) -> None:
    """What became of the articles whose sources are gone from the folders built."""
    if retired.unlisted:
        count = len(retired.unlisted)
        say(
            f"{count} article(s) whose sources are gone left the index and feed; --prune removes their files",
            file=stdout,
        )
        for gone in retired.unlisted if verbosity > 0 else []:
            say(f"left the index and feed: {gone.folder} (its source {gone.source} is gone)", file=stdout)
    if retired.pruned:
        count, files = len(retired.pruned), len(retired.removed)
        say(f"removed {count} article(s) whose sources are gone (--prune): {files} file(s)", file=stdout)
        for path in retired.removed if verbosity > 0 else []:
            say(f"removed {path}", file=stdout)
        for folder in retired.kept:
            say(f"kept {folder}: it holds files briefpress did not write", file=stdout)


@contextmanager
def _progress(verbosity: int, stdout: TextIO):
    """A progress bar on a terminal, a line per article elsewhere, nothing with -q."""
    if verbosity < 0:
        yield None
        return
    if stdout.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("building"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def advance(done: int, total: int, outcome) -> None:
                bar.update(task, completed=done, total=total, description=outcome.path.name)

            yield advance
        return

    def line(done: int, total: int, outcome) -> None:
        if outcome.unchanged:
            state = "unchanged"
        elif outcome.error is not None:
            state = "failed"
        else:
            state = f"{len(outcome.outputs)} file(s) in {sum(outcome.timings.values()):.1f} s"
        say(f"[{done}/{total}] {outcome.path}: {state}", file=stdout, flush=True)

    yield line


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from ..check import check

    if args.typography:
        return _check_typography(args, stdout, stderr)
    if args.timeout is not None or args.max_memory is not None:
        raise UsageError(
            "--timeout and --max-memory limit check --typography only (see 'briefpress check --help')"
        )
    if len(args.directory) > 1:
        raise UsageError("check takes one output folder (see 'briefpress check --help')")
    directory = Path(args.directory[0])
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder (see 'briefpress check --help')")
    reports = check(directory, run_epubcheck=not args.no_epubcheck, reading=not args.no_reading)
    if not reports:
        say(f"{directory}: error: no built articles here (no .<slug>.briefpress stamps)", file=stderr)
        return 1
    for report in reports:
        say(f"{report.folder}  ({report.label})", file=stdout)
        width = max(len(row.check) for row in report.rows)
        for row in report.rows:
            state = {True: "ok", False: "FAIL", None: "skipped"}[row.ok]
            say(f"  {row.check.ljust(width)}  {state:7}  {row.detail}", file=stdout)
    failed = [r for r in reports if not r.ok]
    articles, digests = [r for r in reports if not r.digest], [r for r in reports if r.digest]
    counts = f"{sum(r.ok for r in articles)} of {len(articles)} article(s)"
    if digests:
        counts += f" and {sum(r.ok for r in digests)} of {len(digests)} digest(s)"
    stale = [r for r in reports if r.stale]
    say(f"{counts} faithful to their sources" + (f"; {len(stale)} out of date" if stale else ""), file=stdout)
    for report in failed:
        if report.stale:  # not broken: built from an older source
            edited = report.stale[0] if len(report.stale) == 1 else f"{len(report.stale)} of its sources"
            say(
                f"{report.source or report.folder}: error: out of date, not broken: {edited} changed after "
                f"the build; run: {report.rebuild()}",
                file=stderr,
            )
            continue
        for row in report.rows:
            if row.ok is False:
                say(f"{report.source or report.folder}: error: {row.check}: {row.detail}", file=stderr)
    return 1 if failed else 0


def _lint(job, report, outcome) -> None:
    """One source's lint, in a worker: its first findings and how many there are."""
    from ..sources import lint_text
    from ..typography.lint import first_findings

    markdown, line_map = lint_text(job.path, job.options)  # read as a build reads it (--prefer)
    outcome.result = first_findings(job.path, markdown, job.options.cjk_spacing, line_map)


def _check_typography(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Each source linted in its own process, within --timeout and --max-memory, like a
    build's reading of it; at most MAX_FINDINGS lines per source, then how many more."""
    from ..build.steps import find_sources, run_all
    from ..build.workers import Job
    from ..typography.lint import MAX_FINDINGS

    options = load(_overrides(args))
    try:
        sources, refused = find_sources(args.directory)
    except BriefpressError as exc:
        print_error(exc, stderr)
        return 1
    for error in refused:
        print_error(error, stderr)
    jobs = [Job(source, options) for source in sources]
    outcomes = {o.path: o for o in run_all(jobs, _lint, options, "its typography is not checked")}
    count = 0
    for source in sources:
        outcome = outcomes[source]
        if outcome.error is not None:
            print_error(outcome.error, stderr)
            refused.append(outcome.error)
            continue
        findings, total = outcome.result
        for finding in findings:
            say(str(finding), file=stdout)
        if total > len(findings):
            say(
                f"… and {total - len(findings)} more findings in {source} (at most {MAX_FINDINGS} shown)",
                file=stdout,
            )
        count += total
    say(f"{count} typography finding(s) in {len(sources)} source(s)", file=stderr)
    return 1 if count or refused else 0


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..errors import Report
    from ..importer import import_pages

    if args.slug is not None and len(args.paths) != 1:
        raise UsageError("--slug names one article; give one page dump (see 'briefpress import --help')")
    options = _options(args, stderr)
    report = Report(echo=lambda line: say(line, file=stderr), suppress=options.suppress)
    result = import_pages(args.paths, args.output, options, slug=args.slug, report=report)
    for error in result.errors:
        print_error(error, stderr)
    if options.verbosity >= 0:
        for path in result.outputs:
            say(f"wrote {path}", file=stdout)
    return 0 if result.ok else 1


def _serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from ..serve import serve

    _options(args, stderr)  # announces what ./briefpress.toml sets, and checks it
    return serve([Path(p) for p in args.paths], _overrides(args), args.port, args.pdf, stdout)


def _new(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from ..scaffold import new_article

    path = new_article(args.title, Path(args.output), args.date, args.slug)
    say(f"wrote {path}", file=stdout)
    say(f"next: fill it in, then 'briefpress serve {path}' to watch it as you write", file=stdout)
    return 0


def _theme(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from ..theme import init_theme

    folder = Path(args.directory)
    written = init_theme(folder)
    say(f"wrote {len(written)} files into {folder}; see {folder / 'README.md'}", file=stdout)
    say(f"next: edit them, then build with --theme {folder}", file=stdout)
    return 0


def _publish(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from ..publish import publish

    result = publish(Path(args.directory), Path(args.dest))
    if args.verbosity >= 0:
        for path in result.copied:
            say(f"wrote {path}", file=stdout)
        for path in result.removed:
            say(f"removed {path}", file=stdout)
        say(
            f"{len(result.copied)} file(s) published, {result.unchanged} unchanged, "
            f"{len(result.removed)} removed, into {args.dest}",
            file=stdout,
        )
    return 0


def _warnings(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..warnings import listing

    for line in listing():
        say(line, file=stdout)
    return 0


RUN = {
    "build": _build,
    "serve": _serve,
    "new": _new,
    "theme": _theme,
    "import": _import,
    "check": _check,
    "publish": _publish,
    "warnings": _warnings,
}


def _send(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .send import run

    return run(args, stdout, stderr)


RUN["send"] = _send
