"""``briefpress.toml`` and the README's table of options, both made from the
declarations in :mod:`briefpress.options`."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from . import CONFIG_FILE, Options, spec
from .kinds import Spec, shown_default


def flag_name(name: str) -> str:
    """How people write the option: its long flag, or the TOML key."""
    flags = spec(name).flags
    return flags[-1].lstrip("-") if flags else name.replace("_", "-")


def coerce(name: str, value: Any, source: str) -> Any:
    """Turn a value from TOML, a flag or the API into the field's type, or say what is wrong."""
    try:
        return spec(name).kind.check(value)
    except ValueError as exc:
        raise ConfigError(f"'{flag_name(name)}' {exc}, not {value!r}", source) from None


def declared() -> Iterator[tuple[dataclasses.Field, Spec]]:
    """Every option: its field and its :class:`~.kinds.Spec`, in declaration order."""
    for f in dataclasses.fields(Options):
        yield f, f.metadata["spec"]


def option_names() -> list[str]:
    return [f.name for f in dataclasses.fields(Options)]


def markdown_table() -> str:
    """The README's table of build options, made from the declarations."""
    rows = ["| flag | meaning | default |", "| --- | --- | --- |"]
    for f, declared_spec in declared():
        metavar = declared_spec.value_name
        metavar = metavar if metavar.startswith("[") or not metavar else f" {metavar}"  # --strict[=CODES]
        flags = ", ".join(f"`{flag}{metavar}`" for flag in declared_spec.flags)
        off = getattr(declared_spec.kind, "off", ())
        flags += f" (off: {', '.join(f'`{flag}`' for flag in off)})" if off else ""
        if flags:
            cells = [flags, declared_spec.help, shown_default(f)]
            rows.append("| " + " | ".join(cell.replace("|", r"\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def read_config(config: Path) -> dict[str, Any]:
    """The checked values of a ``briefpress.toml``."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", config) from None
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", config) from None
    # a key is the long flag without its dashes ("lang-ui", "from"), or the field's name
    keys = {alias: name for name in option_names() for alias in (name.replace("_", "-"), flag_name(name))}
    values = {}
    for key, value in data.items():
        name = keys.get(str(key).replace("_", "-"))
        if name is None:
            known = ", ".join(flag_name(n) for n in option_names())
            raise ConfigError(f"unknown option {key!r} (known: {known})", config)
        values[name] = coerce(name, value, str(config))
    theme = values.get("theme")
    if theme is not None and not theme.resolve().is_relative_to(config.parent.resolve()):
        raise ConfigError(
            f"theme {theme} lies outside this file's folder; a briefpress.toml may name only a theme "
            "inside its own folder; move the theme there, or delete the line and pass --theme",
            config,
        )
    return values


#: the settings a briefpress.toml found in the working folder must announce: what it
#: makes the build read (a theme's templates and styles), where it makes it write, and
#: whom the mails go to and come from
ANNOUNCED = ("theme", "output", "mail_from", "mail_to", "kindle_to", "unsubscribe", "web_url")


def notice(overrides: dict[str, Any] | None = None, config: Path | None = None) -> str | None:
    """``using briefpress.toml: theme …, output …`` when the file in the working folder sets
    one of :data:`ANNOUNCED` that the command line does not; None otherwise."""
    config = config if config is not None else Path(CONFIG_FILE)
    if not config.is_file():
        return None
    values = read_config(config)
    given = {key for key, value in (overrides or {}).items() if value is not None}
    named = [f"{flag_name(key)} {values[key]}" for key in ANNOUNCED if key in values and key not in given]
    return f"using {config}: {', '.join(named)}" if named else None


def load(
    overrides: dict[str, Any] | None = None,
    config: Path | None = None,
    base: Options | None = None,
) -> Options:
    """Options from ``base``, or from ``briefpress.toml`` when no ``base`` is given, then ``overrides``.

    An explicit ``base`` is complete: the file is not read. Overrides that are ``None``
    are ignored, so the CLI can pass every flag as it is.
    """
    values: dict[str, Any] = {}
    config = config if config is not None else Path(CONFIG_FILE)
    if base is None and config.is_file():
        values = read_config(config)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in option_names():
            raise ConfigError(f"unknown option {key!r}")
        values[key] = value
    return (base or Options()).replace(**values)
