"""The ``briefpress`` command: parse arguments, call the API, print, return an exit code.

Exit codes: 0 success, 1 an input or build problem, 2 a usage error. Nothing heavy is
imported before a command runs, so ``briefpress --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from typing import TextIO

from . import __version__
from .errors import BriefpressError, ConfigError, UsageError, format_location, printable
from .options import Flag, Options, coerce, declared, flag_name, load, option_names, shown_default, spec


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by raising, so main() decides what to print."""

    stream: TextIO | None = None

    def _print_message(self, message: str, file=None) -> None:
        if message:
            (self.stream or sys.stdout).write(message)

    def error(self, message: str):
        raise UsageError(
            f"{message} (see 'briefpress {self.prog.split()[-1]} --help')"
            if " " in self.prog
            else f"{message} (see 'briefpress --help')"
        )


def _value(name: str):
    """An argparse type that checks a value the way the options object does."""
    kind = spec(name).kind

    def convert(text: str):
        try:
            return coerce(name, kind.parse(text), f"--{flag_name(name)}")
        except (ValueError, ConfigError) as exc:
            raise argparse.ArgumentTypeError(getattr(exc, "message", str(exc))) from None

    return convert


def add_option(parser: argparse.ArgumentParser, name: str, *flags: str, help: str | None = None) -> None:
    """A flag for option ``name``, as it is declared in :class:`~briefpress.options.Options`."""
    declared = spec(name)
    default = shown_default(Options.__dataclass_fields__[name])
    text = help or declared.help
    if isinstance(declared.kind, Flag):
        parser.add_argument(
            *(flags or declared.flags), dest=name, action="store_true", default=None, help=text
        )
        return
    parser.add_argument(
        *(flags or declared.flags),
        dest=name,
        type=_value(name),
        metavar=declared.value_name,
        help=f"{text} (default: {default})",
    )


def make_parser(stdout: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="briefpress",
        description="Turn bilingual article sources into an HTML page, a PDF handout and an EPUB.",
    )
    parser.add_argument("--version", action="version", version=f"briefpress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.stream = stdout
    for command in (_build_command, _import_command, _check_command, _send_command):
        command(commands).stream = stdout
    return parser


def _loudness(command: argparse.ArgumentParser) -> None:
    loudness = command.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        help="print only warnings and errors",
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        help="print more detail (time per step, every file written)",
    )


def _build_command(commands) -> _Parser:
    build = commands.add_parser(
        "build",
        help="build the editions of articles",
        description="Build DIR/<slug>/<slug>.html, .pdf and .epub for each article. Options can "
        "also be set in ./briefpress.toml (same names as the flags); flags win.",
    )
    build.add_argument("paths", nargs="+", metavar="PATH", help="article .md files or folders of them")
    for f, option in declared():
        if option.flags:
            add_option(build, f.name)
    _loudness(build)
    return build


def _import_command(commands) -> _Parser:
    importer = commands.add_parser(
        "import",
        help="turn page dumps into article sources",
        description="Write DIR/<slug>.md in the article source format for each page dump "
        "(the plain text of an article page). The dump's three copies of the text are "
        "compared; any disagreement is an error unless --prefer chooses a side.",
    )
    importer.add_argument("paths", nargs="+", metavar="PAGE", help="page dump files")
    importer.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=".",
        help="folder for the .md files (default: the working folder)",
    )
    importer.add_argument(
        "--slug", help="file name for the article (one dump only; default: the dump's file name)"
    )
    add_option(importer, "prefer")
    importer.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1)
    return importer


def _send_command(commands) -> _Parser:
    sender = commands.add_parser(
        "send",
        help="send the built mails by SMTP",
        description="Send the newsletter and Send-to-Kindle mails built into DIR, newest first. "
        "Each accepted mail is logged beside its article's stamp at once: a batch that fails "
        "resumes where it stopped, and nothing is sent twice unless --resend. The password is "
        "read from $BRIEFPRESS_SMTP_PASSWORD.",
    )
    sender.add_argument("directory", metavar="DIR", help="an output folder of 'briefpress build'")
    sender.add_argument("--smtp", metavar="HOST[:PORT]", required=True, help="the mail server")
    security = sender.add_mutually_exclusive_group()
    security.add_argument("--starttls", dest="security", action="store_const", const="starttls")
    security.add_argument("--ssl", dest="security", action="store_const", const="ssl")
    sender.add_argument("--user", metavar="NAME", help="log in as NAME")
    sender.add_argument("--resend", action="store_true", help="send again what was sent before")
    sender.add_argument("--dry-run", action="store_true", help="list what would be sent; send nothing")
    return sender


def _check_command(commands) -> _Parser:
    checker = commands.add_parser(
        "check",
        help="check built editions against their sources",
        description="For each article built into DIR: every paragraph of its source is in the PDF "
        "and EPUB text, in order; the PDF's fonts are embedded; EPUBCheck is clean (when Java is "
        "installed); and, when Chromium and the reading tools are installed, the HTML page and every "
        "EPUB page fit a phone, text contrast passes in light and dark mode, an embedded font draws "
        "every Chinese glyph, and DAISY Ace finds nothing serious. Exit 1 on any loss. "
        "With --typography: the sources' Chinese typography instead, one line per finding "
        "(file:line: rule: excerpt); exit 1 when there is any.",
    )
    checker.add_argument(
        "directory",
        nargs="+",
        metavar="DIR",
        help="an output folder of 'briefpress build' (with --typography: sources or folders of them)",
    )
    checker.add_argument(
        "--typography",
        action="store_true",
        help="lint the Chinese typography of the sources named instead of checking editions",
    )
    add_option(checker, "cjk_spacing")
    checker.add_argument("--no-epubcheck", action="store_true", help="skip EPUBCheck")
    checker.add_argument(
        "--no-reading", action="store_true", help="skip the reading checks in Chromium and DAISY Ace"
    )
    return checker


def _say(text: str = "", file: TextIO | None = None, flush: bool = False) -> None:
    """Print one line; whatever came from a source or a file name is shown escaped."""
    print(printable(text), file=file, flush=flush)


def _print_error(error: BriefpressError, stream: TextIO) -> None:
    _say(f"{format_location(error.path, error.line)}error: {error.message}", file=stream)


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = make_parser(stdout)
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # --help and --version
            return int(exit_.code or 0)
        if args.command is None:
            parser.print_help(stdout)
            return 2
        if args.command == "import":
            return _import(args, stdout, stderr)
        if args.command == "check":
            return _check(args, stdout, stderr)
        if args.command == "send":
            return _send(args, stdout, stderr)
        return _build(args, stdout, stderr)
    except UsageError as exc:
        _say(f"briefpress: error: {exc.message}", file=stderr)
        return 2
    except ConfigError as exc:
        _print_error(exc, stderr)
        return 1
    except KeyboardInterrupt:
        _say("briefpress: interrupted; earlier outputs are untouched", file=stderr)
        return 130
    except Exception as exc:  # a bug in briefpress: one line, the traceback only with -v
        if "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv):
            raise
        _say(
            f"briefpress: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
            file=stderr,
        )
        return 1


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    """The options the command line set; the flags carry the option names."""
    return {name: getattr(args, name) for name in option_names() if hasattr(args, name)}


def _build(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .build.steps import build  # imports the editions' libraries only when needed
    from .errors import Report

    options = load(_overrides(args))
    report = Report(echo=lambda line: _say(line, file=stderr))
    with _progress(options.verbosity, stdout) as progress:
        result = build(args.paths, options, report, progress)
    for error in result.errors:
        _print_error(error, stderr)
    if options.verbosity > 0:
        for source, steps in result.timings.items():
            if not steps:
                continue
            detail = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps.items())
            _say(f"{source}: {detail}", file=stdout)
        for path in result.outputs:
            _say(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", file=stdout)
    if options.verbosity >= 0:
        _say(
            f"{result.built} of {result.articles} article(s) built, {len(result.outputs)} file(s), "
            f"{len(result.warnings)} warning(s), {len(result.errors)} error(s), "
            f"{result.unchanged} unchanged, in {result.seconds:.1f} s",
            file=stdout,
        )
    return 0 if result.ok else 1


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
        _say(f"[{done}/{total}] {outcome.path}: {state}", file=stdout, flush=True)

    yield line


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from .check import check

    if args.typography:
        return _check_typography(args, stdout, stderr)
    if len(args.directory) > 1:
        raise UsageError("check takes one output folder (see 'briefpress check --help')")
    directory = Path(args.directory[0])
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder (see 'briefpress check --help')")
    reports = check(directory, run_epubcheck=not args.no_epubcheck, reading=not args.no_reading)
    if not reports:
        _say(f"{directory}: error: no built articles here (no .<slug>.briefpress stamps)", file=stderr)
        return 1
    for report in reports:
        _say(f"{report.folder}  (source: {report.source or 'unknown'})", file=stdout)
        width = max(len(row.check) for row in report.rows)
        for row in report.rows:
            state = {True: "ok", False: "FAIL", None: "skipped"}[row.ok]
            _say(f"  {row.check.ljust(width)}  {state:7}  {row.detail}", file=stdout)
    failed = [r for r in reports if not r.ok]
    _say(f"{len(reports) - len(failed)} of {len(reports)} article(s) faithful to their sources", file=stdout)
    for report in failed:
        for row in report.rows:
            if row.ok is False:
                _say(f"{report.source or report.folder}: error: {row.check}: {row.detail}", file=stderr)
    return 1 if failed else 0


def _check_typography(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .build.steps import find_sources
    from .typography import lint_source

    spacing = load({"cjk_spacing": args.cjk_spacing}).cjk_spacing
    try:
        sources, refused = find_sources(args.directory)
    except BriefpressError as exc:
        _print_error(exc, stderr)
        return 1
    for error in refused:
        _print_error(error, stderr)
    count = 0
    for source in sources:
        try:
            findings = lint_source(source, spacing)
        except BriefpressError as exc:
            _print_error(exc, stderr)
            refused.append(exc)
            continue
        for finding in findings:
            _say(str(finding), file=stdout)
        count += len(findings)
    _say(f"{count} typography finding(s) in {len(sources)} source(s)", file=stderr)
    return 1 if count or refused else 0


def _send(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    from .send import send

    directory = Path(args.directory)
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder (see 'briefpress send --help')")
    result = send(directory, args.smtp, args.security or "none", args.user, args.resend, args.dry_run)
    verb = "would send" if args.dry_run else "sent"
    for mail in result.sent:
        _say(f"{verb} {mail.path} to {', '.join(mail.recipients)}", file=stdout)
    for error in result.errors:
        _print_error(error, stderr)
    counts = f"{len(result.sent)} {verb}, {len(result.skipped)} already sent before"
    _say(f"{counts}, {len(result.errors)} error(s)", file=stdout)
    return 0 if result.ok else 1


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .errors import Report
    from .importer import import_pages

    if args.slug is not None and len(args.paths) != 1:
        raise UsageError("--slug names one article; give one page dump (see 'briefpress import --help')")
    options = load(_overrides(args))
    report = Report(echo=lambda line: _say(line, file=stderr))
    result = import_pages(args.paths, args.output, options, slug=args.slug, report=report)
    for error in result.errors:
        _print_error(error, stderr)
    if options.verbosity >= 0:
        for path in result.outputs:
            _say(f"wrote {path}", file=stdout)
    return 0 if result.ok else 1


def console() -> None:
    sys.exit(main())
