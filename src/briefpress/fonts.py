"""Checks, before rendering, that the configured fonts have a glyph for every character.

Missing glyphs would print as empty boxes; here they become a warning that lists them
(an error with ``--strict``). Coverage comes from fontconfig, the same library that
WeasyPrint uses to find fonts.
"""

from __future__ import annotations

import bisect
import io
import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

from .errors import BuildError, Report
from .model import Article
from .options import Options

INSTALL_HINT = "install one with 'apt-get install fonts-noto-cjk' (or run 'make setup')"


def _fc_list(*args: str) -> str:
    if shutil.which("fc-list") is None:
        raise BuildError("fontconfig's fc-list is missing: install it with 'apt-get install fontconfig'")
    result = subprocess.run(["fc-list", *args], capture_output=True, text=True, check=False, timeout=60)
    return result.stdout


def _pattern(family: str) -> str:
    escaped = "".join("\\" + ch if ch in "\\-:,=" else ch for ch in family)
    return f":family={escaped}"


@cache
def cjk_families() -> tuple[str, ...]:
    output = _fc_list(":lang=zh", "family")
    return tuple(sorted({line.split(",")[0].strip() for line in output.splitlines() if line.strip()}))


@cache
def coverage(family: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges of the installed faces of ``family`` (empty if not installed)."""
    ranges: list[tuple[int, int]] = []
    for line in _fc_list("--format", "%{charset}\n", _pattern(family)).splitlines():
        for part in line.split():
            first, _, last = part.partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
    return tuple(sorted(set(ranges)))


def _covered(ranges: tuple[tuple[int, int], ...], code: int) -> bool:
    index = bisect.bisect_right(ranges, (code, 0x10FFFF)) - 1
    return any(start <= code <= end for start, end in ranges[max(0, index - 8) : index + 1])


def warm(options: Options) -> None:
    """Look the fonts up now, in the build process, so that every worker forked from it
    starts knowing them instead of asking fontconfig again."""
    cjk_families()
    for family in dict.fromkeys(options.font_families):
        coverage(family)


#: what is never drawn, so needs no glyph: controls, format characters, separators, surrogates.
#: Unassigned code points are checked: Python's tables may predate the character (CJK
#: Extension H is unassigned in Python 3.11's Unicode 14), and no font may have it either.
_INVISIBLE = ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")


def unshown(text: str, options: Options) -> list[str]:
    """The characters of ``text`` that none of the configured (installed) fonts has."""
    families = tuple(dict.fromkeys(options.font_families))
    return sorted(ch for ch in set(text) if not _shown(ch, families))


@cache
def _shown(ch: str, families: tuple[str, ...]) -> bool:
    """Whether one of ``families`` has ``ch`` (or it needs no glyph): each character once."""
    if unicodedata.category(ch) in _INVISIBLE:
        return True
    return any(_covered(coverage(family), ord(ch)) for family in families)


def check_fonts(article: Article, options: Options, report: Report, text: str) -> None:
    """Warn about characters of ``text`` that none of the configured fonts can show (the
    families themselves were checked before the build read a source: :mod:`.fontcheck`)."""
    warn_unshown(text, options, report, article.path)


def warn_unshown(text: str, options: Options, report: Report, path: str | Path) -> None:
    """One warning, under ``path``, naming the characters of ``text`` no configured font has."""
    missing = unshown(text, options)
    if missing:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        report.warn(
            f"{len(missing)} character(s) have no glyph in the configured fonts: they print in "
            f"another installed font that has them, or as boxes: {shown}{more}",
            path,
            code="missing-glyph",
        )


@cache
def font_file(family: str, bold: bool = False) -> tuple[Path, int] | None:
    """The file (and face index in a collection) fontconfig uses for ``family``, if installed."""
    pattern = _pattern(family)[len(":family=") :] + (":weight=bold" if bold else "")
    output = _fc_list_match(pattern)
    path, _, rest = output.partition("\t")
    index, _, families = rest.partition("\t")
    # fontconfig matches a family without regard to case or spaces, as WeasyPrint does
    same = "".join(family.split()).casefold()
    if not path or same not in ["".join(f.split()).casefold() for f in families.split(",")]:
        return None
    return Path(path), int(index or 0)


def _fc_list_match(pattern: str) -> str:
    if shutil.which("fc-match") is None:
        return ""
    result = subprocess.run(
        ["fc-match", "--format", "%{file}\t%{index}\t%{family}", pattern],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.strip()


def subset_font(family: str, text: str) -> bytes:
    """An OpenType font holding only the glyphs ``text`` needs (for embedding in an EPUB)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    found = font_file(family)
    if found is None:
        raise BuildError(f"font {family!r} is not installed, so it cannot be embedded; {INSTALL_HINT}")
    path, index = found
    # the font keeps its own modification date: saving must not stamp today's, or two
    # builds of the same book would differ
    font = TTFont(path, fontNumber=index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    options.drop_tables += ["DSIG"]
    subsetter = subset.Subsetter(options)
    chars = {ch for ch in text if not ch.isspace()} | {" "}
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
