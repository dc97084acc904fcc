"""The HTML edition: one self-contained page per article, CSS and images inside it."""

from __future__ import annotations

from ..errors import Report
from ..model import Article
from ..options import Options
from ..render import Flavour, context, render_template, stylesheet

EXTENSION = "html"


def render_html(article: Article, options: Options, css: str, paged: bool = False) -> str:
    """The article as one HTML document with ``css`` embedded (``paged``: for the PDF)."""
    return render_template(
        "article.html.j2",
        c=context(article, options, Flavour("html", paged=paged)),
        css=css,
        edition="pdf" if paged else "html",
    )


def render(article: Article, options: Options, report: Report) -> bytes:
    css = stylesheet(options, "base.css", "screen.css")
    return render_html(article, options, css).encode("utf-8")
