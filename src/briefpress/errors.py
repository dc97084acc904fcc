"""One exception root for everything a user can fix, with file and line in the message."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .warnings import DEFAULT_CODE, TRUNCATED, covers

#: what must not reach a terminal raw: control characters (ANSI escapes start with one),
#: line and paragraph separators, and bidi controls that reorder what is printed
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


#: what prints as nothing, or as a plain space, and so hides in a quoted value: spaces
#: other than U+0020 (the ideographic space, which Chinese text uses and a terminal shows
#: wide, is left alone), zero-width and format characters, fillers; not the joiner, the
#: variation selectors or the tags that emoji sequences are made of
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180e\u2000-\u200c"
    "\u200e\u200f\u202f\u205f-\u2064\u206a-\u206f\u3164\ufeff\uffa0]"
)


def printable(text: str) -> str:
    """``text`` on one line, with every control character shown as an escape and every
    invisible one by its code point and name (``<U+00A0 NO-BREAK SPACE>``)."""
    text = _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
    return _INVISIBLE.sub(lambda m: f"<{character(m[0])}>", text)


def character(ch: str) -> str:
    """``U+00A0 NO-BREAK SPACE``: how a message names one character."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')}"


class BriefpressError(Exception):
    """An input, configuration or build problem that a person can act on.

    ``str(error)`` is one line: ``path:line: message`` (the line when it is known).
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        return printable(format_location(self.path, self.line) + self.message)

    def printed(self) -> str:
        """The line the CLI prints for it: ``path:line: error: message``, escaped."""
        return printable(f"{format_location(self.path, self.line)}error: {self.message}")


class SourceError(BriefpressError):
    """The article source breaks the format (see docs/article-format in the README)."""


class SourceErrors(SourceError):
    """Several problems in one source, each with its own line; reported one per line."""

    def __init__(self, errors: list[SourceError]):
        first = errors[0]
        super().__init__(first.message, first.path, first.line)
        self.errors = errors

    def __reduce__(self):  # from a worker process to the build, through a pipe
        return (SourceErrors, (self.errors,))


class ConfigError(BriefpressError):
    """An option or briefpress.toml value is wrong."""


class BuildError(BriefpressError):
    """An edition could not be rendered or written."""


class TemplateError(BuildError):
    """A theme's template or stylesheet is wrong; names its file and line."""


class UsageError(BriefpressError):
    """The command line is wrong (exit code 2)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a build, once its workers are stopped: what was built and what was not.
    Not a problem to fix, so a KeyboardInterrupt (a caller's ``except KeyboardInterrupt``
    still sees it) rather than a BriefpressError; ``result`` is the build's result so far."""

    def __init__(self, built: int, not_started: int, failed: int = 0, result: Any = None):
        super().__init__(built, not_started, failed)
        self.built, self.not_started, self.failed, self.result = built, not_started, failed, result

    def __str__(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"interrupted: {self.built} built, {self.not_started} not started{failed}"


def format_location(path: str | None, line: int | None, column: int | None = None) -> str:
    if path is None:
        return ""
    if line and column:
        return f"{path}:{line}:{column}: "
    return f"{path}:{line}: " if line else f"{path}: "


@dataclass(frozen=True)
class Finding:
    """One warning, kept as a record and formatted once, by ``str()``:
    ``path:line:column: warning: message [code]`` (what is known of the place).

    ``code`` is one of :data:`briefpress.warnings.CODES`; ``more`` counts the warnings
    folded into this one (:func:`fold`): the same engine message for many elements.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    code: str = DEFAULT_CODE
    more: int = 0

    def __str__(self) -> str:
        folded = f" (and {self.more} more like this)" if self.more else ""
        where = format_location(self.path, self.line, self.column)
        return printable(f"{where}warning: {self.message}{folded} [{self.code}]")


#: what tells two messages of one kind apart: the numbers (a line:column in a stylesheet,
#: a size); what is left, with the file and the code, is the kind
_DETAIL = re.compile(r"\d+")


def fold(findings: Iterable[Finding]) -> list[Finding]:
    """Each kind of finding once (the first one), counting the others of its kind in
    ``more``: WeasyPrint says an unsupported property or a missing image once for every
    rule or element that has it."""
    kinds: dict[tuple[str | None, str, str], Finding] = {}
    for finding in findings:
        kind = (finding.path, finding.code, _DETAIL.sub("#", finding.message))
        first = kinds.setdefault(kind, finding)
        if first is not finding:
            kinds[kind] = replace(first, more=first.more + 1 + finding.more)
    return list(kinds.values())


class Report:
    """Collects the warnings of a build as :class:`Finding` records.

    Warnings are kept rather than printed at once so that ``--strict`` can turn them
    into a failed build, and so that tests can assert that there were none: ``findings``
    holds the records, ``warnings`` their lines (``str(finding)``). A code in ``suppress``
    is dropped, neither shown nor counted. With a ``limit``, each file keeps only that
    many lines (a hostile source cannot flood the terminal); :meth:`close` adds one line
    saying how many more there were. Every warning is counted, shown or not, under its
    file and code; the same line for the same file is kept (and counted) once, so a
    warning replayed with a cached chapter is not said twice.
    """

    def __init__(self, echo=None, limit: int | None = None, suppress: Iterable[str] = ()):
        self.findings: list[Finding] = []
        self.warnings: list[str] = []
        self.suppress = set(suppress)
        self._counts: Counter[tuple[str | None, str]] = Counter()
        self._echo = echo
        self.limit = limit
        self._closed: set[str | None] = set()
        self._said: set[tuple[str | None, str]] = set()

    def warn(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        *,
        column: int | None = None,
        code: str = DEFAULT_CODE,
    ) -> None:
        self.add(Finding(message, str(path) if path is not None else None, line, column, code))

    def add(self, finding: Finding, path: str | Path | None = None) -> None:
        """A finding already made (a worker's, a cached chapter's), counted under ``path``
        (the finding's own file when not given)."""
        key = str(path) if path is not None else finding.path
        text = str(finding)
        if finding.code in self.suppress or (key, text) in self._said:
            return
        self._said.add((key, text))
        self._counts[key, finding.code] += finding.code != TRUNCATED  # a count, not a warning
        if self.limit is not None and self.count_for(key) > self.limit:
            return
        self.findings.append(finding)
        self.warnings.append(text)
        if self._echo is not None:
            self._echo(text)

    def merge(self, findings: list[Finding], path: str | Path | None, counts: dict[str, int]) -> None:
        """Warnings from another report (a worker's): its findings, and ``counts`` by code
        (:meth:`counts_for`), which add those it did not show (past its limit)."""
        for finding in findings:
            self.add(finding, path)
        shown = Counter(finding.code for finding in findings)
        key = str(path) if path is not None else None
        for code, count in counts.items():
            if code not in self.suppress and count > shown[code]:
                self._counts[key, code] += count - shown[code]

    def close(self) -> None:
        """One line for each file whose warnings passed the limit."""
        for key in dict.fromkeys(key for key, _ in self._counts):
            count = self.count_for(key)
            if self.limit is not None and count > self.limit and key not in self._closed:
                self._closed.add(key)
                hidden = Finding(f"{count - self.limit} more warning(s) not shown", key, code=TRUNCATED)
                self.findings.append(hidden)
                self.warnings.append(str(hidden))

    def counts_for(self, path: str | Path | None) -> Counter[str]:
        """How many warnings name ``path``, by code."""
        key = str(path) if path is not None else None
        return Counter({code: n for (where, code), n in self._counts.items() if where == key and n})

    def count_for(self, path: str | Path | None, codes: bool | Collection[str] = True) -> int:
        """How many warnings name ``path``; with ``codes`` (``--strict`` as given: true for
        all, false for none, or the codes it names), only those."""
        return sum(n for code, n in self.counts_for(path).items() if covers(codes, code))

    def count(self, codes: bool | Collection[str] = True) -> int:
        """How many warnings there were, for any file (only those of ``codes``)."""
        return sum(n for (_, code), n in self._counts.items() if covers(codes, code))
