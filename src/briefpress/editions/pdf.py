"""The PDF handout, printed by WeasyPrint from the article's HTML and styles/print.css."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.logger import LOGGER

from .. import cache
from ..errors import Finding, Report, fold
from ..fonts import unshown
from ..model import Article
from ..options import Options
from ..render import resource_dir, stylesheet
from . import cjkjustify, pdffonts, pdfnotes
from .html import render_html
from .pagenumbers import number, page_css
from .pdfdoc import opened, save, writes_object_streams
from .pdftags import languages, margins_as_artifacts

EXTENSION = "pdf"
#: changes when a chapter is made differently (its fonts, its tags, where its notes go), so
#: older ones are not found
CHAPTER_FORMAT = "3"


class ArticleFetcher(URLFetcher):
    """Fetches only ``data:`` URLs and files inside the article's folder, styles/ or the theme's folder.

    Anything else (other files, ``..`` escapes, symlinks leading out, the network) is
    refused with a warning, so that no source can pull the machine's files into a PDF.
    """

    def __init__(self, article: Article, report: Report, theme: Path | None = None):
        super().__init__(allowed_protocols=("data", "file"), timeout=5)
        self.article = article
        self.report = report
        self.roots = [article.folder.resolve(), resource_dir("styles").resolve()]
        if theme is not None:
            self.roots.append(theme.resolve())

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.report.warn(
            f"refused to fetch {url[:200]}: only data: URLs and files in the article's folder are allowed",
            self.article.path,
            code="fetch-refused",
        )
        raise ValueError(f"briefpress does not fetch {url[:200]}")


class _ToReport(logging.Handler):
    """WeasyPrint's log lines as warnings of the article they concern, folded.

    A character no font has is logged once per occurrence: it becomes one warning, under
    the article that holds it (under ``location`` when none does: a digest's own name),
    and none at all when the font check before rendering names it there. That several
    of them share one code in a font goes under the first article that has one. The
    rest (an unsupported property in every rule that has it, an image for every element
    that shows it) are kept until the layout ends and reported once for each kind, with
    how many more there were (:func:`~briefpress.errors.fold`).
    """

    def __init__(
        self, articles: list[Article], report: Report, options: Options, location: str | Path, own: str
    ):
        super().__init__(logging.WARNING)
        self.articles, self.report, self.options = articles, report, options
        self.location, self.own = location, own
        self.findings: list[Finding] = []

    @cached_property
    def texts(self) -> dict[str, str]:
        """Each article's text (by path), and the document's own, under ``location``."""
        texts = {str(a.path): a.all_text() for a in self.articles}
        texts[str(self.location)] = texts.get(str(self.location), "") + self.own
        return texts

    @cached_property
    def named(self) -> dict[str, list[str]]:
        """What the font check names before rendering (fonts.check_fonts): not said twice."""
        return {path: unshown(text, self.options) for path, text in self.texts.items()}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        where = str(self.location)  # an article's own path, unless the document holds several
        code = "weasyprint"
        missing = _NOTDEF.search(message)
        if missing:
            char = chr(int(missing[1], 16))
            where = next((path for path, text in self.texts.items() if char in text), where)
            if char in self.named[where]:
                return
            message = f"{char} (U+{ord(char):04X}) has no glyph in any installed font: it prints as a box"
            code = "missing-glyph"
        elif message.startswith("Too many glyphs missing"):
            where = next((path for path, chars in self.named.items() if chars), where)
            code = "missing-glyph"
        self.findings.append(Finding(f"WeasyPrint: {message}", where, code=code))

    def report_folded(self) -> None:
        """The layout's warnings, each kind once, into the report."""
        for finding in fold(self.findings):
            self.report.add(finding)
        self.findings = []


_NOTDEF = re.compile(
    r"^\.notdef glyph rendered for Unicode string unsupported by fonts: .*\(U\+([0-9A-F]+)\)$"
)


@contextmanager
def weasyprint_warnings(
    articles: list[Article],
    report: Report,
    options: Options,
    location: str | Path | None = None,
    own: str = "",
) -> Iterator[None]:
    """WeasyPrint's warnings (unsupported CSS, failed images) become build warnings, under
    the article they concern (``location``: of a document of several, for the rest, and
    for ``own``, its own text such as a digest's name)."""
    handler = _ToReport(articles, report, options, location or articles[0].path, own)
    LOGGER.addHandler(handler)
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        handler.report_folded()


def print_css(options: Options, *extra: str) -> str:
    """The handout's stylesheet: fonts, base and print styles, then the page box for the
    paper with the running title (the footer is drawn after: :mod:`.pagenumbers`)."""
    justify = ("print-justify.css",) if cjkjustify.available() else ()
    return stylesheet(options, "base.css", "print.css", *justify, *extra, paged=True) + page_css(options)


def handout_html(article: Article, options: Options, extra: tuple[str, ...] = ()) -> str:
    """The HTML that WeasyPrint lays out for the handout (its pages are numbered afterwards)."""
    return render_html(article, options, print_css(options, *extra), edition="pdf")


def warm(options: Options) -> None:
    """Before the workers fork: the check that the installed WeasyPrint can justify
    Chinese (:mod:`.cjkjustify`), made once."""
    cjkjustify.available()


def render(article: Article, options: Options, report: Report) -> bytes:
    """The handout: the article's chapter, its pages numbered."""
    return number(chapter(article, options, report), options)


def render_files(
    article: Article, options: Options, report: Report, needed: dict[str, bytes]
) -> dict[str, bytes]:
    """The handout, and with ``--imposition`` the A5 handout imposed for the copy shop."""
    slug = article.meta.slug
    files = {f"{slug}.pdf": render(article, options, report)}
    if options.imposition:
        from .impose import SUFFIX, impose

        a5 = options if options.paper == "A5" else options.replace(paper="A5")
        pages = files[f"{slug}.pdf"] if a5 is options else render(article, a5, report)
        files[f"{slug}.{SUFFIX[options.imposition]}.pdf"] = impose(pages, options.imposition)
    return files


def chapter_key(article: Article, options: Options) -> str:
    """The cache name of the article's chapter: its content hash when the build knows it
    (so the digest finds it without rendering anything), else its HTML's."""
    from importlib.metadata import version

    made_of = article.content_hash or handout_html(article, options)
    # the options too: a booklet lays the same article out on A5 beside its A4 handout
    settings = repr(sorted(options.output_settings(["pdf"]).items()))
    return cache.key(
        "chapter", CHAPTER_FORMAT, version("weasyprint"), made_of, settings, str(article.folder.resolve())
    )


def cached_chapter(article: Article, options: Options, report: Report) -> bytes | None:
    name = chapter_key(article, options)
    data, notes = cache.get("chapters", name), cache.get("chapters", name + ".findings")
    if data is None or notes is None:
        return None
    for record in json.loads(notes):
        report.add(Finding(**record, path=str(article.path)))
    return data


def chapter(article: Article, options: Options, report: Report) -> bytes:
    """The article laid out as pages without page numbers: the handout before numbering,
    and a digest's chapter. Laid out once per content (a cache keyed by everything that
    shapes it), so a digest reuses the chapters its articles' handouts made. Its warnings
    are kept with it, every one (a report of its own: none suppressed or past a limit)."""
    data = cached_chapter(article, options, report)
    if data is not None:
        return data
    own = Report()
    data = write_pdf(
        handout_html(article, options), article, options, own, key=f"{article.meta.slug}:{article.meta.date}"
    )
    records = [{k: v for k, v in asdict(f).items() if k != "path"} for f in own.findings]
    name = chapter_key(article, options)
    cache.put("chapters", name, data)
    cache.put("chapters", name + ".findings", json.dumps(records, ensure_ascii=False).encode("utf-8"))
    for finding in own.findings:
        report.add(finding)
    return data


def write_pdf(
    html: str,
    article: Article,
    options: Options,
    report: Report,
    key: str,
    extra_css: str = "",
    articles: list[Article] | None = None,
    location: tuple[Path, str] | None = None,
) -> bytes:
    """Lay out ``html`` (resources fetched as for ``article``; warnings under the one of
    ``articles`` they concern, else under ``location``: the document's path and its own
    text) and write the PDF, finished (:func:`finish`). Chinese is justified inter-character
    while WeasyPrint lays this document out and draws it, and only then
    (:func:`.cjkjustify.justified`); page footnotes stay on their call's page
    (:func:`.pdfnotes.kept_with_calls`)."""
    identifier = hashlib.sha256(key.encode()).hexdigest()
    pdf_options = {
        "pdf_identifier": identifier[:32].encode("ascii"),
        "pdf_variant": options.pdf_variant,
    }
    where, own = location or (article.path, "")
    with (
        weasyprint_warnings(articles or [article], report, options, where, own),
        languages(tagged(options)),
        cjkjustify.justified(lambda message: report.warn(message, where, code="ragged-chinese")),
        pdfnotes.kept_with_calls(lambda message: report.warn(message, where, code="loose-footnotes")),
    ):
        document = HTML(
            string=html,
            base_url=article.folder.resolve().as_uri() + "/",
            url_fetcher=ArticleFetcher(article, report, options.theme),
        ).render(  # tagging (pdf/ua) is decided while rendering
            stylesheets=[CSS(string=extra_css)] if extra_css else None, **pdf_options
        )
        return finish(document.write_pdf(**pdf_options), options)


def tagged(options: Options) -> bool:
    """Whether ``--pdf-variant`` asks WeasyPrint for a tagged PDF."""
    if not options.pdf_variant:
        return False
    from weasyprint.pdf import VARIANTS

    return bool(VARIANTS[options.pdf_variant][1].get("pdf_tags"))


def finish(data: bytes, options: Options) -> bytes:
    """WeasyPrint's PDF with its CJK fonts compacted and every font named by its content
    (:mod:`.pdffonts`); in a tagged one, the margins' text made artifacts (:mod:`.pdftags`)."""
    with opened(data) as pdf:
        pdffonts.finish(pdf)
        if tagged(options):
            margins_as_artifacts(pdf)
        return save(pdf, object_streams=writes_object_streams(options))
