"""The configured font families, checked once before a build reads a source.

Each edition declares the font options whose families it draws with on this machine
(:attr:`briefpress.editions.Edition.fonts`): the handout all of them, the e-books their
covers (and the embedded subset) in the CJK serif and sans; and those its stylesheet
only names, for the readers' machines (``names_fonts``): the HTML page every one, the
e-book its code face (its stacks put the reader's own fonts first). fontconfig, asked
once (one ``fc-list``), tells what is installed and which languages each face has:

- a family an edition being built draws with that is not installed is an error naming
  the option, the editions, the nearest installed families and the package that has it;
- one that the editions being built only name for the readers is a warning (an error with
  ``--strict``): the page still shows, in the reader's own font;
- a Japanese or Korean face, in any option they use, is an error: Chinese text set in it takes
  that language's glyph forms (Noto Sans CJK JP has every Chinese character, drawn the
  Japanese way); so is a face for the Chinese text (:class:`.FontName` ``chinese``) that
  has not the edition's Chinese (fontconfig's ``zh-cn``, ``zh-tw`` with ``--script hant``).

An option the editions being built do not use (the Latin serif in an EPUB) is not checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from difflib import SequenceMatcher
from functools import cache

from . import fonts
from .editions import EDITIONS, digest_formats, plan
from .errors import ConfigError, Report
from .options import Options, declared, flag_name
from .options.kinds import FontName
from .warnings import covers

#: fontconfig's name for the Chinese of each ``--script``
REGION = {"hans": "zh-cn", "hant": "zh-tw"}
#: the face people mean for each ``--script``, as Noto CJK names it
SCRIPT_FACE = {"hans": "Simplified Chinese (SC)", "hant": "Traditional Chinese (TC)"}
#: words of a family's name that say whose glyph forms its CJK characters take
_FOREIGN = {
    "JP": "Japanese",
    "JA": "Japanese",
    "J": "Japanese",
    "KR": "Korean",
    "KO": "Korean",
    "K": "Korean",
}
_LANGUAGES = {"japanese": "Japanese", "korean": "Korean"}
#: words of a family's name (upper case) that say which Chinese it draws
_WORDS = {
    **dict.fromkeys(("SC", "CN", "GB", "HANS"), "hans"),
    **dict.fromkeys(("TC", "TW", "HANT"), "hant"),
    **dict.fromkeys(("HK", "MO"), "hk"),
}
#: which regions' faces to suggest first, for each script
_PREFERRED = {"hans": ("hans", None, "hant", "hk"), "hant": ("hant", "hk", None, "hans")}
#: the Debian packages of the families people configure, by how their names start
PACKAGES = (
    (r"Noto (Sans |Serif )?(Mono )?CJK\b", "fonts-noto-cjk"),
    (r"Noto Mono\b", "fonts-noto-mono"),
    (r"Noto (Sans|Serif)\b(?! Mono)", "fonts-noto-core"),
    (r"DejaVu\b", "fonts-dejavu-core"),
    (r"WenQuanYi Zen Hei\b", "fonts-wqy-zenhei"),
    (r"WenQuanYi Micro Hei\b", "fonts-wqy-microhei"),
    (r"AR PL UMing\b", "fonts-arphic-uming"),
    (r"AR PL UKai\b", "fonts-arphic-ukai"),
    (r"Liberation\b", "fonts-liberation"),
)


def _key(family: str) -> str:
    """A family as fontconfig compares it: without case or spaces."""
    return "".join(family.split()).casefold()


@cache
def _faces() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """Every installed face: its family names, and the languages fontconfig says it has."""
    output = fonts._fc_list("--format", "%{family}\t%{lang}\n")
    faces = []
    for line in output.splitlines():
        names, _, langs = line.partition("\t")
        families = tuple(name.strip() for name in names.split(",") if name.strip())
        if families:
            faces.append((families, frozenset(langs.split("|"))))
    return tuple(faces)


@cache
def _installed() -> dict[str, tuple[str, frozenset[str]]]:
    """Each installed family, by :func:`_key`: its name, and the languages of its faces."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for families, langs in _faces():
        for name in families:
            own, known = found.get(_key(name), (name, frozenset()))
            found[_key(name)] = (own, known | langs)
    return found


def installed(family: str) -> bool:
    return _key(family) in _installed()


def _has_chinese(langs: frozenset[str], region: str = "zh") -> bool:
    return any(lang == region or (region == "zh" and lang.startswith("zh-")) for lang in langs)


def foreign(family: str) -> str | None:
    """'Japanese' or 'Korean' when ``family`` is a face for that language: by its name
    (Noto Sans CJK JP has every Chinese character too), or, when installed, because it
    has that language and no Chinese."""
    for word in re.split(r"[\s_-]+", family):
        language = _FOREIGN.get(word) or _LANGUAGES.get(word.lower())
        if language:
            return language
    langs = _installed().get(_key(family), ("", frozenset()))[1]
    if not _has_chinese(langs):
        return "Japanese" if "ja" in langs else "Korean" if "ko" in langs else None
    return None


def _region(family: str) -> str | None:
    """'hans', 'hant' or 'hk' when the family's name says which Chinese it draws."""
    for word in reversed(re.split(r"[\s_-]+", family)):
        if word.upper() in _WORDS:
            return _WORDS[word.upper()]
    return None


def _stem(family: str) -> str:
    """The family's name without the words that say a language or a region, folded."""
    words = re.split(r"[\s_-]+", family)
    kept = [w for w in words if w not in _FOREIGN and w.upper() not in _WORDS and w.lower() not in _LANGUAGES]
    return " ".join(kept).casefold()


def nearest(family: str, options: Options, chinese: bool, regions: tuple[str | None, ...] = ()) -> list[str]:
    """Up to three installed families named most like ``family``, never a Japanese or
    Korean one: those whose names hold it first, then by likeness (difflib's ratio, the
    words that say a region left out), the script's region first. ``chinese``: only
    those with the edition's Chinese; ``regions``: only those whose names say one of them."""
    order = _PREFERRED[options.script]
    region = REGION[options.script]
    stem = _stem(family)
    scored = []
    for name, langs in _installed().values():
        if foreign(name) or (chinese and not _has_chinese(langs, region)) or _key(name) == _key(family):
            continue
        if regions and _region(name) not in regions:
            continue
        ratio = SequenceMatcher(None, stem, _stem(name)).ratio()
        holds = bool(stem) and stem in _stem(name)
        if holds or ratio >= 0.6:
            scored.append((not holds, -round(ratio, 2), order.index(_region(name)), name))
    return [name for *_, name in sorted(scored)[:3]]


def package(family: str) -> str | None:
    """The Debian package that has ``family``, for the families people configure."""
    for pattern, name in PACKAGES:
        if re.match(pattern, family, re.IGNORECASE):
            return name
    return None


@cache
def package_installed(name: str) -> bool | None:
    """Whether the Debian package is installed (None where there is no dpkg)."""
    if shutil.which("dpkg-query") is None:
        return None
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Status}", name],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.strip() == "installed"


def font_options() -> list[tuple[str, FontName]]:
    """The options that name a font family, with their kinds."""
    return [(f.name, spec.kind) for f, spec in declared() if isinstance(spec.kind, FontName)]


def check_families(options: Options, report: Report) -> None:
    """Every family the editions being built use, before a source is read: the first
    problem is raised (a :class:`ConfigError`); a family only named for the readers'
    machines is a warning, said once (an error with ``--strict``)."""
    if not fonts.cjk_families():
        raise ConfigError(f"no Chinese (CJK) font is installed: {fonts.INSTALL_HINT}")
    built = _editions(options)
    for name, kind in font_options():
        family = getattr(options, name)
        drawn = [edition for edition, renders in built.items() if _uses(renders, name, "fonts")]
        named = [e for e, renders in built.items() if e not in drawn and _uses(renders, name, "names_fonts")]
        if not (drawn or named):
            continue  # the editions being built do not use it
        problem = _wrong_face(name, kind, family, options, drawn or named)
        if problem is not None:
            raise ConfigError(problem)
        if installed(family):
            continue
        if drawn:
            instead = _instead(name, family, kind, options)
            raise ConfigError(f"font {family!r} ({_where(name, drawn)}) is not installed; {instead}")
        message = (
            f"font {family!r} (--{flag_name(name)}) is not installed; the {_listed(named)} only "
            f"name{'s' if len(named) == 1 else ''} it for the readers' machines, which use their own "
            f"font without it; {_instead(name, family, kind, options)}"
        )
        if covers(options.strict, "font-not-installed"):
            raise ConfigError(message)
        report.warn(message, code="font-not-installed")


def _editions(options: Options) -> dict[str, list[str]]:
    """Each edition being built, with the editions it renders (the digest: its formats')."""
    built = {name: plan((name,)) for name in options.formats}
    if options.digest:
        built["digest"] = plan(tuple(digest_formats(options.formats)))
    return built


def _uses(renders: list[str], name: str, how: str) -> bool:
    return any(name in getattr(EDITIONS[edition], how) for edition in renders)


def _listed(editions: list[str]) -> str:
    names = editions[0] if len(editions) == 1 else f"{', '.join(editions[:-1])} and {editions[-1]}"
    return f"{names} edition{'s' if len(editions) > 1 else ''}"


def _where(name: str, editions: list[str]) -> str:
    return f"--{flag_name(name)}, for the {_listed(editions)}"


def _default(name: str, family: str, options: Options) -> list[str]:
    """The option's default for the script, when it is installed and not ``family``."""
    default = getattr(Options(script=options.script), name)
    return [default] if installed(default) and _key(default) != _key(family) else []


def _instead(name: str, family: str, kind: FontName, options: Options) -> str:
    """What to choose instead of a family that is not installed, and the package that has it."""
    near = nearest(family, options, kind.chinese)
    if near:
        text = f"nearest installed: {', '.join(near)}"
    else:
        default = _default(name, family, options)
        text = "no installed family has a similar name" + (
            f" (the default is {default[0]!r})" if default else ""
        )
    found = package(family)
    if found is None:
        return text
    if package_installed(found):
        return f"{text} ({found} is installed and has no family of that name)"
    return f"{text}; or install it with 'apt-get install {found}'"


def _wrong_face(name: str, kind: FontName, family: str, options: Options, editions: list[str]) -> str | None:
    """Why ``family`` must not set the edition's Chinese: a Japanese or Korean face, or,
    for the Chinese text's own options, one without the edition's Chinese."""
    language = foreign(family)
    if language is not None:
        regions = ("hans",) if options.script == "hans" else ("hant", "hk")
        why = f"is a {language} face: the Chinese text would take {language} glyph forms"
        return f"font {family!r} ({_where(name, editions)}) {why}; {_choose(name, family, options, regions)}"
    region = REGION[options.script]
    if kind.chinese and installed(family) and not _has_chinese(_installed()[_key(family)][1], region):
        why = (
            f"does not cover {SCRIPT_FACE[options.script].split(' (')[0]} (fontconfig lists no {region} "
            "for it): the Chinese text would fall back to other fonts"
        )
        return f"font {family!r} ({_where(name, editions)}) {why}; {_choose(name, family, options, ())}"
    return None


def _choose(name: str, family: str, options: Options, regions: tuple[str | None, ...]) -> str:
    """Which Chinese faces to choose instead: the nearest, else the option's default."""
    near = nearest(family, options, True, regions)
    if near:
        return f"choose a {SCRIPT_FACE[options.script]} face: {', '.join(near)}"
    default = _default(name, family, options)
    if not default:
        return "choose another face"
    chinese = _has_chinese(_installed()[_key(default[0])][1], REGION[options.script])
    face = f"a {SCRIPT_FACE[options.script]} face" if chinese else "another face"
    return f"choose {face}, such as the default {default[0]!r}"
