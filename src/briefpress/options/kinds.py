"""The checkers of option values (MkDocs' ``config_options.py`` is the model): each turns
a TOML, API or command-line value into the option's type, or raises ValueError saying
what is expected; and the values around them: how an option is declared (:class:`Spec`,
:func:`option`), the paper sizes the handout knows, and ``SOURCE_DATE_EPOCH``, checked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..editions import EDITIONS
from ..errors import ConfigError
from ..fields import one_line_problem, reorders, slug_problem


class Kind:
    """What values an option takes."""

    #: shown for the value in --help and the README
    metavar = "TEXT"

    def check(self, value: Any) -> Any:
        """One line of text, checked as every published field is (:mod:`briefpress.fields`)."""
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be text")
        value = value.strip()
        problem = one_line_problem(value)
        if problem is None and reorders(value):
            problem = "holds a bidirectional control character, which reorders the text"
        if problem is not None:
            raise ValueError(problem)
        return value

    def parse(self, text: str) -> Any:
        """A command-line string as the value the TOML file would hold."""
        return text


class Text(Kind):
    pass


class FontName(Kind):
    """A font family; ``chinese``: the face sets the Chinese text, so it must have Chinese."""

    metavar = "FAMILY"

    def __init__(self, chinese: bool = False):
        self.chinese = chinese

    def check(self, value: Any) -> Any:
        if isinstance(value, str) and re.search(r'["\\;{}<>\x00-\x1f\x7f]', value):
            raise ValueError(
                "must be a font family name (no quotes, semicolons, braces or control characters)"
            )
        return super().check(value)


class Flag(Kind):
    """On or off. ``off``: the flags that turn off an option that is on by default
    (``--keep-punctuation``); the ones declared turn it on."""

    metavar = ""

    def __init__(self, *off: str):
        self.off = off

    def check(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


@dataclass
class Whole(Kind):
    low: int
    high: int
    metavar: str = "N"

    def check(self, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool) or not self.low <= value <= self.high:
            raise ValueError(f"must be a whole number from {self.low} to {self.high}")
        return value

    def parse(self, text: str) -> Any:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"must be a whole number from {self.low} to {self.high}") from None


@dataclass
class Seconds(Kind):
    high: float
    metavar: str = "SECONDS"

    def check(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= self.high:
            raise ValueError("must be a number of seconds")
        return float(value)

    def parse(self, text: str) -> Any:
        try:
            return float(text)
        except ValueError:
            raise ValueError("must be a number of seconds") from None


class Size(Kind):
    """A number of bytes, as people write it: ``5MB``, ``500 KB``, ``1.5MB``, ``123456``
    (a KB is 1024 bytes, as mail servers' limits count)."""

    metavar = "SIZE"
    UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    PROBLEM = "must be a size such as 5MB, 800KB or a number of bytes"

    def check(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        text = value.strip().upper() if isinstance(value, str) else ""
        found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)B?", text)
        if found is None:
            raise ValueError(self.PROBLEM)
        return int(float(found[1]) * self.UNITS[found[2]])


class Choice(Kind):
    """One of a few names (matched without regard to case)."""

    def __init__(self, *choices: str):
        self.choices = choices
        self.metavar = "|".join(choices)

    def check(self, value: Any) -> Any:
        for choice in self.choices:
            if isinstance(value, str) and choice.lower() == value.strip().lower():
                return choice
        raise ValueError(f"must be one of {', '.join(self.choices)}")


class Folder(Kind):
    metavar = "DIR"

    def check(self, value: Any) -> Any:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise ValueError("must be a folder name")
        return Path(value)


class Theme(Kind):
    """A theme folder: ``styles/`` and ``templates/`` holding files that override the built-in ones."""

    metavar = "DIR"

    def check(self, value: Any) -> Any:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise ValueError("must be a folder name")
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise ValueError("must be an existing folder (make one with 'briefpress theme init DIR')")
        if not ((folder / "styles").is_dir() or (folder / "templates").is_dir()):
            raise ValueError(
                "must hold a styles/ or templates/ folder (make one with 'briefpress theme init DIR')"
            )
        return folder.resolve()


class Formats(Kind):
    metavar = "LIST"

    def check(self, value: Any) -> Any:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ValueError("must list editions, like 'html,pdf'")
        result = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
        unknown = [i for i in result if i not in EDITIONS]
        if unknown or not result:
            raise ValueError(
                f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(EDITIONS)}"
            )
        return result


class WarningCodes(Kind):
    """Warning codes (:data:`briefpress.warnings.CODES`), listed or comma-separated; with
    ``every`` (``--strict``), also true (every code) or false (none)."""

    metavar = "CODES"

    def __init__(self, every: bool = False):
        self.every = every

    def check(self, value: Any) -> Any:
        from ..warnings import CODES

        if self.every and isinstance(value, bool):
            return value
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ValueError("must list warning codes, like 'no-translation,missing-glyph'")
        result = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
        unknown = [i for i in result if i not in CODES]
        if unknown or (isinstance(value, str) and not result):
            raise ValueError(
                f"must name warning codes from {', '.join(CODES)} ('briefpress warnings' says what "
                f"each means; {', '.join(unknown) or 'nothing'} is not one)"
            )
        return result


class Slug(Kind):
    metavar = "SLUG"

    def check(self, value: Any) -> Any:
        problem = slug_problem(value) if isinstance(value, str) else "must be text"
        if problem is not None:
            raise ValueError(problem)
        return value


class Addresses(Kind):
    metavar = "ADDRESSES"

    def check(self, value: Any) -> Any:
        from email.utils import getaddresses

        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be mail addresses")
        found = getaddresses([value])
        if not found or not all("@" in address for _, address in found):
            raise ValueError("must be mail addresses")
        for display, address in found:
            problem = one_line_problem(display) or one_line_problem(address)
            if problem is not None:
                raise ValueError(f"must be mail addresses: {display or address!r} {problem}")
        return value.strip()


class PdfVariant(Kind):
    metavar = "VARIANT"

    def check(self, value: Any) -> Any:
        from weasyprint.pdf import VARIANTS  # only when the option is used

        if value not in VARIANTS:
            raise ValueError(f"must be a PDF variant: {', '.join(sorted(VARIANTS))}")
        return value


class Verbosity(Kind):
    metavar = ""

    def check(self, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("must be -1, 0 or 1")
        return max(-1, min(1, value))


#: what no address that goes into an attribute, a header or a feed may hold
_NOT_IN_ADDRESS = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


class WebAddress(Kind):
    """An http(s) address (``mailto:`` too, when ``mail`` is set)."""

    metavar = "URL"

    def __init__(self, mail: bool = False):
        self.mail = mail
        if mail:
            self.metavar = "URL|mailto:ADDRESS"

    def check(self, value: Any) -> Any:
        from urllib.parse import urlsplit

        text = value.strip() if isinstance(value, str) else ""
        parts = urlsplit(text)
        plain = not _NOT_IN_ADDRESS.search(text) and one_line_problem(text) is None
        if parts.scheme in ("http", "https") and parts.netloc and plain:
            return text
        if self.mail and parts.scheme == "mailto" and "@" in parts.path and plain:
            return text
        kinds = "an http(s) or mailto: address" if self.mail else "an http(s) address"
        raise ValueError(f"must be {kinds}")


@dataclass(frozen=True)
class Spec:
    """How an option is set and what it does, besides its type and default."""

    kind: Kind
    flags: tuple[str, ...]
    help: str
    #: the option changes the editions (and so is part of the build hash)
    output: bool = True
    #: the default as the README and --help show it, when not the plain value
    shown_default: str | None = None
    #: the value's name in --help and the README, when not the kind's
    metavar: str | None = None
    #: the editions whose files it changes (Sphinx's ``rebuild=``), by name; None: every
    #: one. An edition that needs another (the newsletter attaches the PDF) is changed by
    #: what changes that one too
    changes: tuple[str, ...] | None = None

    def changes_one_of(self, editions: Iterable[str] | None) -> bool:
        """Whether the option changes the editions (None), or one of ``editions``."""
        if not self.output or editions is None or self.changes is None:
            return self.output
        return not set(editions).isdisjoint(self.changes)

    @property
    def value_name(self) -> str:
        return self.kind.metavar if self.metavar is None else self.metavar


def option(
    default: Any,
    kind: Kind,
    *flags: str,
    help: str,
    output: bool = True,
    shown: str | None = None,
    metavar: str | None = None,
    changes: tuple[str, ...] | None = None,
) -> Any:
    """Declare one option: a dataclass field that carries its :class:`Spec`."""
    spec = Spec(kind, flags, help, output, shown, metavar, changes)
    return field(default=default, metadata={"spec": spec})


def shown_default(f: Any) -> str:
    """The default of option field ``f`` as people write it."""
    own = f.metadata["spec"].shown_default
    if own is not None:
        return own
    value = f.default
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return "off" if not value else "on"
    return "none" if value is None else str(value)


@dataclass(frozen=True)
class Paper:
    """A paper size the handout knows: the page box and the type set on it."""

    css_size: str
    margin: str
    font_size: str
    #: how wide the running title may be, in columns (a Chinese character counts two)
    title_columns: int


PAPERS = {
    "A4": Paper("A4", "22mm 20mm 20mm 20mm", "10.5pt", 72),
    "Letter": Paper("letter", "0.85in 0.8in 0.8in 0.8in", "10.5pt", 72),
    "A5": Paper("A5", "16mm 14mm 15mm 14mm", "9.5pt", 52),
}


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds: the time every edition records), checked."""
    import os

    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip() == "":
        return None
    if not value.strip().isdigit() or int(value) > 253402300799:
        raise ConfigError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970, like 1780000000, not {value[:40]!r}",
            "environment",
        )
    return int(value)
