"""The digest as one newsletter: the issue's mail, written beside the digest's PDF.

``<slug>.newsletter.html``, ``<slug>.newsletter.txt`` and ``<slug>.eml``, as the
article newsletter writes for one article (:mod:`.newsletter`, whose header, boundaries,
checks and text wrapping it shares): the issue's name, each article's title, verdict,
key points and link, the issue's prompts under their articles' titles, and the digest
PDF attached, or linked on ``--web-url`` when it is over ``--attach-limit``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import BuildError, Report
from ..l10n import labels
from ..model import Article
from ..options import Options
from ..render import Flavour, context, read_style, render_template
from . import digest_formats
from .newsletter import (
    checked,
    file_name,
    flavour,
    inlined,
    list_headers,
    mail,
    set_boundaries,
    underlined,
    warn_sizes,
    web_page,
    wrapped,
)


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class Issue:
    """What the digest's mail shows: its name, its line, each article, and the PDF's link
    (None: it is attached)."""

    name: str
    subtitle: str
    site_name: str
    page: str | None
    articles: list[Article]
    links: list[Link | None]
    pdf: Link | None


def location(options: Options) -> Path:
    """The digest's mail, as its warnings and errors name it."""
    return options.output / options.digest_slug / f"{options.digest_slug}.eml"


def hosted(options: Options, name: str) -> str | None:
    """Where the digest's file ``name`` is on ``--web-url``."""
    if not options.web_url:
        return None
    return f"{options.web_url.rstrip('/')}/{quote(options.digest_slug)}/{quote(name)}"


def article_link(article: Article, options: Options) -> Link | None:
    """Where the mail sends a reader of ``article``: its web page when its HTML is built
    (now or before) and hosted (``--web-url``), else its source; None when neither is."""
    ui, slug = labels(options.lang_ui), article.meta.slug
    page = web_page(article, options)
    if page and ("html" in options.formats or (options.output / slug / f"{slug}.html").is_file()):
        return Link(page, ui["read_on_web"])
    if article.meta.source_url:
        return Link(article.meta.source_url, ui["read_original"])
    return None


def pdf_link(pdf: bytes, options: Options) -> Link | None:
    """The PDF's link when it is over ``--attach-limit`` (None: it is attached)."""
    if len(pdf) <= options.attach_limit:
        return None
    size, limit = shown_size(len(pdf)), shown_size(options.attach_limit)
    href = hosted(options, f"{options.digest_slug}.pdf")
    if href is None:
        raise BuildError(
            f"the digest PDF is {size}, over --attach-limit ({limit}): give --web-url to link to it "
            "from the mail, or a larger --attach-limit to attach it",
            location(options),
        )
    return Link(href, labels(options.lang_ui)["digest_download"].format(size=size))


def shown_size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"


def issue(name: str, subtitle: str, articles: list[Article], options: Options, pdf: bytes) -> Issue:
    page = (
        hosted(options, f"{options.digest_slug}.html") if "html" in digest_formats(options.formats) else None
    )
    links = [article_link(article, options) for article in articles]
    return Issue(name, subtitle, options.site_name, page, articles, links, pdf_link(pdf, options))


def mail_flavour(article: Article, link: Link | None, options: Options) -> Flavour:
    """A "¶12" links to the article's web page only when the mail links to that page."""
    if link is not None and link.href == web_page(article, options):
        return flavour(article, options)
    return Flavour("newsletter", cites_pairs=False)


def render_html(mail_of: Issue, options: Options) -> str:
    contexts = [
        context(article, options, mail_flavour(article, link, options))
        for article, link in zip(mail_of.articles, mail_of.links, strict=True)
    ]
    page = render_template(
        "digest_newsletter.html.j2",
        options.theme,
        issue=mail_of,
        entries=list(zip(contexts, mail_of.links, strict=True)),
        asked=[c for c in contexts if c.prompts],
        ui=labels(options.lang_ui),
        lang=mail_of.articles[0].meta.translation_lang,
        css=read_style("newsletter.css", options.theme) + read_style("digest-newsletter.css", options.theme),
    )
    return inlined(page)


def render_text(mail_of: Issue, options: Options) -> str:
    ui = labels(options.lang_ui)
    out: list[str] = []
    wrapped(out, mail_of.name)
    wrapped(out, f"{mail_of.site_name} · {mail_of.subtitle}")
    if mail_of.page:
        out.append(f"{ui['read_on_web']}: {mail_of.page}")
    for article, link in zip(mail_of.articles, mail_of.links, strict=True):
        underlined(out, article.meta.title)
        if article.meta.summary:
            out.append("")
            wrapped(out, article.meta.summary)
        for item in article.key_points:
            out.append("")
            text = f"【{item.label}】{item.body.text}" if item.label else item.body.text
            wrapped(out, text, indent="  ", first="• ")
        if link is not None:
            out.extend(["", f"{link.label}: {link.href}"])
    if any(article.prompts for article in mail_of.articles):
        underlined(out, ui["prompts"])
        for article in mail_of.articles:
            if article.prompts:
                underlined(out, article.meta.title, "-")
                for number, prompt in enumerate(article.prompts, start=1):
                    out.append("")
                    wrapped(out, prompt.text, indent="   ", first=f"{number}. ")
    out.extend(["", "-" * 20])
    if mail_of.pdf is None:
        wrapped(out, ui["digest_attached"])
    else:
        out.append(f"{mail_of.pdf.label}: {mail_of.pdf.href}")
    return "\n".join(out) + "\n"


def build_message(mail_of: Issue, options: Options, html: str, text: str, pdf: bytes) -> bytes:
    """The issue's mail: dated by its newest article, its Message-ID made of its content
    (the same issue gives the same bytes)."""
    newest = max(article.meta.date for article in mail_of.articles)
    made_of = hashlib.sha256(b"\0".join([text.encode(), html.encode(), pdf])).hexdigest()[:16]
    identity = f"{options.digest_slug}.{newest.isoformat()}.{made_of}"
    message = mail(mail_of.name, newest, identity, options, options.mail_to)
    list_headers(message, options)
    message.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    if mail_of.pdf is None:
        name = file_name(mail_of.name, options.digest_slug, "pdf")
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    set_boundaries(message)
    return checked(message, location(options))


def render_files(
    name: str, subtitle: str, articles: list[Article], options: Options, report: Report, pdf: bytes
) -> dict[str, bytes]:
    """The digest's mail, and its PDF when the mail links to it (so that it is published)."""
    slug = options.digest_slug
    mail_of = issue(name, subtitle, articles, options, pdf)
    html, text = render_html(mail_of, options), render_text(mail_of, options)
    eml = build_message(mail_of, options, html, text, pdf)
    warn_sizes(eml, report, location(options))
    files = {
        f"{slug}.newsletter.html": html.encode("utf-8"),
        f"{slug}.newsletter.txt": text.encode("utf-8"),
        f"{slug}.eml": eml,
    }
    if mail_of.pdf is not None:
        files[f"{slug}.pdf"] = pdf
    return files
