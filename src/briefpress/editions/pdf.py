"""The PDF handout, printed by WeasyPrint from the article's HTML and styles/print.css."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML, URLFetcher
from weasyprint.logger import LOGGER

from ..errors import Report
from ..model import Article
from ..options import PAPERS, Options
from ..render import render_template, resource_dir, stylesheet
from .html import render_html
from .pdffonts import compact_cid_fonts

EXTENSION = "pdf"


class ArticleFetcher(URLFetcher):
    """Fetches only ``data:`` URLs and files inside the article's folder or styles/.

    Anything else (other files, ``..`` escapes, symlinks leading out, the network) is
    refused with a warning, so that no source can pull the machine's files into a PDF.
    """

    def __init__(self, article: Article, report: Report):
        super().__init__(allowed_protocols=("data", "file"), timeout=5)
        self.article = article
        self.report = report
        self.roots = [article.folder.resolve(), resource_dir("styles").resolve()]

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
        )
        raise ValueError(f"briefpress does not fetch {url[:200]}")


class _ToReport(logging.Handler):
    def __init__(self, article: Article, report: Report):
        super().__init__(logging.WARNING)
        self.article, self.report = article, report

    def emit(self, record: logging.LogRecord) -> None:
        self.report.warn(f"WeasyPrint: {record.getMessage()}", self.article.path)


@contextmanager
def weasyprint_warnings(article: Article, report: Report) -> Iterator[None]:
    """WeasyPrint's warnings (unsupported CSS, failed images) become build warnings."""
    handler = _ToReport(article, report)
    LOGGER.addHandler(handler)
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)


def print_css(options: Options, *extra: str) -> str:
    """The handout's stylesheet: fonts, base and print styles, then the page box for the paper."""
    return stylesheet(options, "base.css", "print.css", *extra, paged=True) + render_template(
        "page.css.j2", paper=PAPERS[options.paper]
    )


def handout_html(article: Article, options: Options) -> str:
    """The HTML that WeasyPrint lays out for the handout."""
    return render_html(article, options, print_css(options), edition="pdf")


def render(article: Article, options: Options, report: Report) -> bytes:
    html = handout_html(article, options)
    return write_pdf(html, article, options, report, key=f"{article.meta.slug}:{article.meta.date}")


def write_pdf(html: str, article: Article, options: Options, report: Report, key: str) -> bytes:
    """Lay out ``html`` (resources fetched as for ``article``) and write the PDF."""
    identifier = hashlib.sha256(key.encode()).hexdigest()
    pdf_options = {
        "pdf_identifier": identifier[:32].encode("ascii"),
        "pdf_variant": options.pdf_variant,
    }
    with weasyprint_warnings(article, report):
        document = HTML(
            string=html,
            base_url=article.folder.resolve().as_uri() + "/",
            url_fetcher=ArticleFetcher(article, report),
        ).render(**pdf_options)  # tagging (pdf/ua) is decided while rendering
        return document.write_pdf(**pdf_options, finisher=compact_cid_fonts)
