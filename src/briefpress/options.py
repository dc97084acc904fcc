"""The one options object shared by the Python API, ``briefpress.toml`` and the CLI."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

FORMATS = ("html", "pdf", "epub", "newsletter")
DEFAULT_FORMATS = ("html", "pdf", "epub")
UI_LANGUAGES = ("zh-Hans", "en")
PAPERS = ("A4", "Letter", "A5")
ORDERS = ("date-desc", "date-asc", "title", "input")
LAYOUTS = ("interleaved", "side-by-side")
PREFER = ("pairs", "sections")
CONFIG_FILE = "briefpress.toml"


@dataclass(frozen=True)
class Options:
    """Everything a build can be told. Field names are the flag names with '_' for '-'."""

    #: folder the editions are written to, one subfolder per article
    output: Path = Path("output")
    #: editions to build, in any order
    formats: tuple[str, ...] = DEFAULT_FORMATS
    #: turn warnings (missing glyphs, unknown keys, ...) into a failed build
    strict: bool = False
    #: -1 quiet, 0 normal, 1 verbose
    verbosity: int = 0
    #: language of the labels briefpress adds (section names, "page n of N", ...)
    lang_ui: str = "zh-Hans"
    #: CJK fonts for Chinese text: serif for reading text, sans for headings and the brief
    cjk_font: str = "Noto Serif CJK SC"
    cjk_sans_font: str = "Noto Sans CJK SC"
    #: Latin fonts set before the CJK ones, so that English gets a matching Latin design
    latin_font: str = "Noto Serif"
    latin_sans_font: str = "Noto Sans"
    #: monospace font for code; the CJK mono face covers Latin and Chinese
    mono_font: str = "Noto Sans Mono CJK SC"
    #: PDF paper size
    paper: str = "A4"
    #: PDF bilingual pages: each English paragraph above its Chinese one, or in two columns
    bilingual: str = "interleaved"
    #: PDF: ruled lines for handwritten notes under each discussion prompt (0: none)
    notes_lines: int = 4
    #: PDF variant passed to WeasyPrint, e.g. "pdf/ua-1" or "pdf/a-3b"
    pdf_variant: str | None = None
    #: the bilingual pages show only the translation (the original text still follows)
    translation_only: bool = False
    #: EPUB: embed a subset of the CJK font covering the book's characters
    embed_fonts: bool = False
    #: name of the newsletter, shown on the EPUB cover
    site_name: str = "阿头学"
    #: newsletter: the .eml's From and To (comma-separated); left out when not given
    mail_from: str | None = None
    mail_to: str | None = None
    #: batch builds: worker processes (None: one per CPU)
    jobs: int | None = None
    #: seconds one article may take to render before its build is stopped (None: no limit)
    timeout: float | None = 600.0
    #: megabytes of address space one article's build may use (None: no limit)
    max_memory: int | None = 4096
    #: rebuild articles even when nothing they are made from has changed
    force: bool = False
    #: also build a digest of all the articles, under this name (e.g. "第 12 期")
    digest: str | None = None
    digest_slug: str = "digest"
    #: order of the articles in a digest
    order: str = "date-desc"
    #: page dumps: which copy wins when the pairs and the sections disagree (None: error)
    prefer: str | None = None

    def replace(self, **changes: Any) -> Options:
        """A copy with ``changes``, each checked as a flag or a briefpress.toml value would be."""
        checked: dict[str, Any] = {k: v if v is None else coerce(k, v, "options") for k, v in changes.items()}
        return dataclasses.replace(self, **checked)

    @property
    def running_title_columns(self) -> int:
        """How wide the PDF's running title may be (a Chinese character counts two)."""
        return 52 if self.paper == "A5" else 72

    @property
    def font_families(self) -> tuple[str, ...]:
        return (
            self.latin_font,
            self.latin_sans_font,
            self.cjk_font,
            self.cjk_sans_font,
            self.mono_font,
        )


def option_names() -> list[str]:
    return [f.name for f in fields(Options)]


def coerce(name: str, value: Any, source: str) -> Any:
    """Turn a value from TOML or the API into the field's type, or say what is wrong."""
    if name == "output":
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"'output' must be a folder name, not {value!r}", source)
        return Path(value)
    if name == "formats":
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"'formats' must list formats, like 'html,pdf', not {value!r}", source)
        result = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
        unknown = [i for i in result if i not in FORMATS]
        if unknown or not result:
            raise ConfigError(
                f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}",
                source,
            )
        return result
    if name == "max_memory":
        if not isinstance(value, int) or isinstance(value, bool) or not 256 <= value <= 1 << 20:
            raise ConfigError(f"'max-memory' must be a number of MB from 256 up, not {value!r}", source)
        return value
    if name == "jobs":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 256:
            raise ConfigError(f"'jobs' must be a whole number from 1 to 256, not {value!r}", source)
        return value
    if name == "timeout":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86400:
            raise ConfigError(f"'timeout' must be a number of seconds, not {value!r}", source)
        return float(value)
    if name == "order":
        if value not in ORDERS:
            raise ConfigError(f"'order' must be one of {', '.join(ORDERS)}, not {value!r}", source)
        return value
    if name == "digest_slug":
        import re

        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ConfigError(
                f"'digest-slug' may hold only letters, digits, '.', '_' and '-', not {value!r}", source
            )
        return value
    if name in ("strict", "translation_only", "embed_fonts", "force"):
        if not isinstance(value, bool):
            raise ConfigError(f"'{name.replace('_', '-')}' must be true or false, not {value!r}", source)
        return value
    if name == "lang_ui":
        if value not in UI_LANGUAGES:
            raise ConfigError(f"'lang-ui' must be one of {', '.join(UI_LANGUAGES)}, not {value!r}", source)
        return value
    if name in ("paper", "bilingual"):
        choices = PAPERS if name == "paper" else LAYOUTS
        match = next((c for c in choices if isinstance(value, str) and c.lower() == value.lower()), None)
        if match is None:
            raise ConfigError(f"'{name}' must be one of {', '.join(choices)}, not {value!r}", source)
        return match
    if name == "notes_lines":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 30:
            raise ConfigError(f"'notes-lines' must be a whole number from 0 to 30, not {value!r}", source)
        return value
    if name == "pdf_variant":
        from weasyprint.pdf import VARIANTS  # only when the option is used

        if value not in VARIANTS:
            raise ConfigError(
                f"unknown PDF variant {value!r}; choose from {', '.join(sorted(VARIANTS))}", source
            )
        return value
    if name in ("mail_from", "mail_to"):
        from email.utils import getaddresses

        if not isinstance(value, str) or not all("@" in a for _, a in getaddresses([value])):
            raise ConfigError(f"'{name.replace('mail_', '')}' must be mail addresses, not {value!r}", source)
        return value.strip()
    if name == "verbosity":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"'verbosity' must be -1, 0 or 1, not {value!r}", source)
        return max(-1, min(1, value))
    if name == "prefer":
        if value not in PREFER:
            raise ConfigError(f"'prefer' must be one of {', '.join(PREFER)}, not {value!r}", source)
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"'{name.replace('_', '-')}' must be text, not {value!r}", source)
    return value.strip()


def load(
    overrides: dict[str, Any] | None = None,
    config: Path | None = None,
    base: Options | None = None,
) -> Options:
    """Options from ``briefpress.toml`` (in the working folder by default), then overrides.

    Overrides that are ``None`` are ignored, so the CLI can pass every flag as it is.
    """
    values: dict[str, Any] = {}
    config = config if config is not None else Path(CONFIG_FILE)
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"not valid TOML: {exc}", config) from None
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in option_names():
                raise ConfigError(
                    f"unknown option {key!r} (known: "
                    f"{', '.join(n.replace('_', '-') for n in option_names())})",
                    config,
                )
            values[name] = coerce(name, value, str(config))
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in option_names():
            raise ConfigError(f"unknown option {key!r}")
        values[key] = value
    return (base or Options()).replace(**values)
