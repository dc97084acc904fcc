"""The ``briefpress`` command: parse arguments, call the API, print, return an exit code.

Exit codes: 0 success, 1 an input or build problem, 2 a usage error. Nothing heavy is
imported before a command runs, so ``briefpress --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .. import __version__
from ..errors import BriefpressError, ConfigError, Interrupted, UsageError
from ..options import Flag, Options, coerce, declared, flag_name, spec
from ..options.kinds import WarningCodes, shown_default
from . import commands
from .commands import print_error, say
from .send import send_command


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by raising, so main() decides what to print."""

    stream: TextIO | None = None
    #: the flags whose value, when given, follows '=' (``--strict=CODES``), so that the
    #: word after the bare flag stays an argument of its own (``--strict a.md``)
    valued_after_equals: set[str] = set()

    def parse_known_args(self, args=None, namespace=None):
        given = sys.argv[1:] if args is None else list(args)
        split = [arg.partition("=") for arg in given]
        given = [
            part
            for arg, (flag, equals, value) in zip(given, split, strict=True)
            for part in ((flag + "=", value) if equals and flag in self.valued_after_equals else (arg,))
        ]
        return super().parse_known_args(given, namespace)

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


class _MoreCodes(argparse.Action):
    """A repeated ``--suppress`` or ``--strict=CODES`` adds to the codes before it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        before = getattr(namespace, self.dest, None)  # --strict alone (True) stays every code
        setattr(namespace, self.dest, True if True in (before, values) else (*(before or ()), *values))


def add_option(parser: argparse.ArgumentParser, name: str, *flags: str, help: str | None = None) -> None:
    """A flag for option ``name``, as it is declared in :class:`~briefpress.options.Options`."""
    declared = spec(name)
    text, flags = help or declared.help, flags or declared.flags
    if isinstance(declared.kind, Flag):  # and the flags that turn it off, when it is on by default
        either = parser.add_mutually_exclusive_group()
        either.add_argument(*flags, dest=name, action="store_true", default=None, help=text)
        for flag in declared.kind.off:
            either.add_argument(flag, dest=name, action="store_false", help=f"turn {flags[-1]} off")
        return
    if getattr(declared.kind, "every", False):  # --strict, or --strict=CODES (see _Parser)
        parser.add_argument(*flags, dest=name, action="store_const", const=True, default=None, help=text)
        parser.add_argument(
            *(f + "=" for f in flags), dest=name, type=_value(name), action=_MoreCodes, help=argparse.SUPPRESS
        )
        assert isinstance(parser, _Parser)
        parser.valued_after_equals = parser.valued_after_equals | set(flags)
        return
    parser.add_argument(
        *flags,
        dest=name,
        type=_value(name),
        metavar=declared.value_name,
        help=f"{text} (default: {shown_default(Options.__dataclass_fields__[name])})",
        action=_MoreCodes if isinstance(declared.kind, WarningCodes) else "store",
    )


def make_parser(stdout: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="briefpress",
        description="Turn bilingual article sources into an HTML page, a PDF handout and an EPUB.",
    )
    parser.add_argument("--version", action="version", version=f"briefpress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.stream = stdout
    for command in (
        _build_command,
        _serve_command,
        _new_command,
        _theme_command,
        _import_command,
        _check_command,
        send_command,
        _publish_command,
        _warnings_command,
    ):
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


#: the build options serve does not take: it builds HTML (and --pdf) pages, one at a time
_NOT_SERVED = (
    "formats",
    "jobs",
    "prune",
    "no_wait",
    "digest",
    "digest_slug",
    "digest_partial",
    "order",
    "force",
)


def _serve_command(commands) -> _Parser:
    serve = commands.add_parser(
        "serve",
        help="preview: build, serve on 127.0.0.1, rebuild and reload on every change",
        description="Build the HTML pages (and with --pdf the handouts) of the sources into the "
        "output folder and serve it on 127.0.0.1 only. The sources, their images, the theme and "
        "briefpress.toml are watched: what changed is rebuilt and the open page reloads. A build "
        "error shows in the page until the source is fixed. Ctrl-C stops.",
    )
    serve.add_argument("paths", nargs="+", metavar="PATH", help="article .md files or folders of them")
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        metavar="N",
        help="port on 127.0.0.1; 0 picks a free one (default: 8000)",
    )
    serve.add_argument("--pdf", action="store_true", help="build the PDF handouts too")
    for f, option in declared():
        if option.flags and f.name not in _NOT_SERVED:
            add_option(serve, f.name)
    _loudness(serve)
    return serve


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, not {text!r}")
    return int(text)


def _new_command(commands) -> _Parser:
    new = commands.add_parser(
        "new",
        help="write a new article source to fill in",
        description="Write DIR/<slug>.md: an article source with every section and a one-line "
        "comment in each saying what goes there. It builds as written.",
    )
    new.add_argument("title", metavar="TITLE", help="the article's title")
    new.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="its date (default: today)")
    new.add_argument("--slug", help="its file name (default: from the title's Latin letters, else the date)")
    new.add_argument("-o", "--output", metavar="DIR", default=".", help="folder for the file (default: .)")
    return new


def _date(text: str):
    import datetime as dt

    parts = text.split("-")
    if len(parts) != 3 or [len(p) for p in parts] != [4, 2, 2] or not all(p.isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"must be a date written YYYY-MM-DD, not {text!r}")
    try:
        return dt.date(*map(int, parts))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date ({exc})") from None


def _theme_command(commands) -> _Parser:
    theme = commands.add_parser(
        "theme",
        help="start a theme: your own styles and templates",
        description="A theme is a folder with styles/ and templates/; its files override the "
        "built-in ones of the same names (build with --theme DIR).",
    )
    actions = theme.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True)
    init = actions.add_parser(
        "init",
        help="copy the built-in styles and templates into a new folder",
        description="Copy the built-in styles and templates into DIR (new or empty), with a "
        "README saying which file shapes which edition.",
    )
    init.add_argument("directory", metavar="DIR", help="the theme's folder")
    return theme


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
    add_option(importer, "force", "--force", help="replace a source that differs (its edits are lost)")
    importer.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1)
    return importer


def _publish_command(commands) -> _Parser:
    publisher = commands.add_parser(
        "publish",
        help="copy the files readers may see into the folder you host",
        description="Copy index.html, feed.xml and every article's and digest's public editions "
        "(pages, PDFs, EPUBs, the newsletter's HTML and text) from DIR into DEST, the folder to "
        "host. Stamps (source paths, options), sent logs and mails (recipients) stay in DIR. "
        "Other files in DEST are left alone; what an earlier publish wrote and is no longer "
        "built is removed.",
    )
    publisher.add_argument("directory", metavar="DIR", help="an output folder of 'briefpress build'")
    publisher.add_argument("dest", metavar="DEST", help="the folder to host (made if needed)")
    publisher.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1, default=0)
    return publisher


def _warnings_command(commands) -> _Parser:
    return commands.add_parser(
        "warnings",
        help="list the warnings' codes",
        description="List every warning's code (the end of its line, [unknown-key]) and what it "
        "means: the names --strict=CODES, --suppress CODES and 'suppress' in briefpress.toml take.",
    )


def _check_command(commands) -> _Parser:
    checker = commands.add_parser(
        "check",
        help="check built editions against their sources",
        description="For each article built into DIR, and each digest (every article it holds, in "
        "its order): every paragraph of its source is in the PDF and EPUB text, in order; the "
        "PDF's fonts are embedded and every glyph its pages draw is in its embedded font (the "
        "booklet and 2-up too); EPUBCheck is clean (when Java is installed); and, when Chromium "
        "and the reading tools are installed, the HTML page and every EPUB page fit a phone, "
        "text contrast passes in light and dark mode, an embedded font draws every Chinese glyph, "
        "and DAISY Ace finds nothing serious. Exit 1 on any loss. "
        "With --typography: the sources' Chinese typography instead, one line per finding "
        "(file:line: rule: excerpt), at most 200 per source and then how many more; each "
        "source is linted in its own process within --timeout and --max-memory, as a build "
        "reads it; exit 1 when there is any finding.",
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
    add_option(
        checker, "prefer", help="with --typography: page dumps are read with it, as a build reads them"
    )
    add_option(checker, "timeout", help="with --typography: stop linting a source that takes longer")
    add_option(checker, "max_memory", help="with --typography: address space of one source's lint process")
    checker.add_argument("--no-epubcheck", action="store_true", help="skip EPUBCheck")
    checker.add_argument(
        "--no-reading", action="store_true", help="skip the reading checks in Chromium and DAISY Ace"
    )
    return checker


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
        return commands.RUN[args.command](args, stdout, stderr)
    except UsageError as exc:
        say(f"briefpress: error: {exc.message}", file=stderr)
        return 2
    except BriefpressError as exc:  # a wrong briefpress.toml, a folder that cannot be written, ...
        print_error(exc, stderr)
        return 1
    except Interrupted as stopped:  # a build: what it built, what it did not
        say(f"briefpress: {stopped}", file=stderr)
        return 130
    except KeyboardInterrupt:
        say("briefpress: interrupted; earlier outputs are untouched", file=stderr)
        return 130
    except Exception as exc:  # a bug in briefpress: one line, the traceback only with -v
        if "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv):
            raise
        say(
            f"briefpress: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
            file=stderr,
        )
        return 1


def console() -> None:
    sys.exit(main())
