"""One exception root for everything a user can fix, with file and line in the message."""

from __future__ import annotations

from pathlib import Path


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
        return format_location(self.path, self.line) + self.message


class SourceError(BriefpressError):
    """The article source breaks the format (see docs/article-format in the README)."""


class SourceErrors(SourceError):
    """Several problems in one source, each with its own line; reported one per line."""

    def __init__(self, errors: list[SourceError]):
        first = errors[0]
        super().__init__(first.message, first.path, first.line)
        self.errors = errors


class ConfigError(BriefpressError):
    """An option or briefpress.toml value is wrong."""


class BuildError(BriefpressError):
    """An edition could not be rendered or written."""


class UsageError(BriefpressError):
    """The command line is wrong (exit code 2)."""


def format_location(path: str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line else f"{path}: "


class Report:
    """Collects the warnings of a build, each one line with its location.

    Warnings are kept rather than printed at once so that ``--strict`` can turn them
    into a failed build, and so that tests can assert that there were none.
    """

    def __init__(self, echo=None):
        self.warnings: list[str] = []
        self._paths: list[str | None] = []
        self._echo = echo

    def warn(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        text = format_location(str(path) if path is not None else None, line) + "warning: " + message
        self.warnings.append(text)
        self._paths.append(str(path) if path is not None else None)
        if self._echo is not None:
            self._echo(text)

    def add(self, text: str, path: str | Path | None) -> None:
        """A warning already formatted (from a worker process)."""
        self.warnings.append(text)
        self._paths.append(str(path) if path is not None else None)
        if self._echo is not None:
            self._echo(text)

    def count_for(self, path: str | Path) -> int:
        """How many warnings name ``path``."""
        return self._paths.count(str(path))
