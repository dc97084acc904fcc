"""The newsletter edition: the brief as an email, ready to send.

Three files: ``<slug>.newsletter.html`` (every style inlined, no external resources),
``<slug>.newsletter.txt`` (the same content as plain text) and ``<slug>.eml`` (a MIME
message with both as alternatives and the PDF handout attached).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from pathlib import Path
from urllib.parse import quote

import css_inline

from ..cjk import wrap
from ..errors import BuildError, Report
from ..l10n import labels
from ..model import Article
from ..options import Options
from ..render import Flavour, context, read_style, render_template

EXTENSION = "newsletter.html"
HTML_BUDGET = 100 * 1024  # Gmail clips messages whose HTML is larger than about 102 KB
EML_BUDGET = 10 * 1024 * 1024  # a common attachment limit of mail servers
TEXT_WIDTH = 72


def web_page(article: Article, options: Options) -> str | None:
    """The article's reading page where the published folder is hosted (``--web-url``),
    when there is one: this build makes the HTML edition, or an earlier one left it in
    the output folder (a link to a page never built is a dead link in every reader's mail)."""
    from . import EDITIONS
    from .edition import at_hand

    if not options.web_url or not all(
        at_hand(EDITIONS[name], article.meta.slug, options) for name in EDITIONS["newsletter"].links_to
    ):
        return None
    return f"{options.web_url.rstrip('/')}/{quote(article.meta.slug)}/{quote(article.meta.slug)}.html"


def flavour(article: Article, options: Options) -> Flavour:
    """The mail shows no pairs: an id of the article (a prompt's "¶12") is on the web page,
    and is no link without one."""
    page = web_page(article, options)
    if page is None:
        return Flavour("newsletter", cites_pairs=False)
    return Flavour("newsletter", anchor=lambda target: f"{page}#{quote(target)}")


def render_html(article: Article, options: Options) -> str:
    page = render_template(
        "newsletter.html.j2",
        options.theme,
        c=context(article, options, flavour(article, options)),
        css=read_style("newsletter.css", options.theme),
        site_name=options.site_name,
        web_page=web_page(article, options),
    )
    return inlined(page)


def inlined(page: str) -> str:
    """``page`` with its <style> rules inlined, as mail clients need them."""
    # No stylesheet is ever fetched: only the <style> written in the page is inlined.
    inliner = css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False
    )
    return inliner.inline(page)


def wrapped(out: list[str], text: str, indent: str = "", first: str | None = None) -> None:
    """Append ``text`` to the lines ``out`` of a plain-text mail, wrapped, ``first``
    before its first line and ``indent`` before the others."""
    # two columns spare: closing punctuation may hang past the measure, as in print
    lines = wrap(" ".join(text.split()), TEXT_WIDTH - 2 - len(indent))
    for n, line in enumerate(lines):
        out.append(((first if first is not None and n == 0 else indent) + line).rstrip())


def underlined(out: list[str], text: str, rule: str = "=") -> None:
    """Append a heading to the lines ``out`` of a plain-text mail (a Chinese character is two columns)."""
    out.extend(["", text, rule * min(TEXT_WIDTH, 2 * len(text))])


def render_text(article: Article, options: Options) -> str:
    ui = labels(options.lang_ui)
    meta = article.meta
    out: list[str] = []

    def para(text: str, indent: str = "", first: str | None = None) -> None:
        wrapped(out, text, indent, first)

    def heading(text: str) -> None:
        underlined(out, text)

    para(meta.title)
    if meta.summary:
        out.append("")
        para(meta.summary)
    out.append("")
    byline = [meta.date.isoformat(), *([meta.author] if meta.author else [])]
    out.append(" · ".join(byline))
    if meta.source_url:
        out.append(f"{ui['source']}: {meta.source_url}")
    if page := web_page(article, options):
        out.append(f"{ui['read_on_web']}: {page}")
    for key, items in (("key_points", article.key_points), ("relevance", article.relevance)):
        if items:
            heading(ui[key])
            for item in items:
                text = f"【{item.label}】{item.body.text}" if item.label else item.body.text
                out.append("")
                para(text, indent="  ", first="• ")
    if article.prompts:
        heading(ui["prompts"])
        for number, prompt in enumerate(article.prompts, start=1):
            out.append("")
            para(prompt.text, indent="   ", first=f"{number}. ")
    out.extend(["", "-" * 20])
    para(ui["handout_attached"])
    return "\n".join(out) + "\n"


def attachment_name(article: Article, extension: str = "pdf") -> str:
    """An attachment's file name: the title, without characters file systems refuse."""
    return file_name(article.meta.title, article.meta.slug, extension)


def file_name(title: str, fallback: str, extension: str) -> str:
    """``title`` as a file name (``fallback`` when nothing of it is left)."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip() or fallback
    return f"{name[:80]}.{extension}"


def set_boundaries(message: EmailMessage) -> None:
    """Give each multipart of ``message`` a boundary that occurs in none of its parts.

    The boundary is derived from the parts' content, so the same article gives the same
    message (builds are reproducible), and derived again, from a counter, while it occurs
    in them: a title or a body can never end a part early (RFC 2046, section 5.1.1).
    """
    # inner multiparts first: an outer one's content holds their boundaries
    for part in reversed(list(message.walk())):
        if not part.is_multipart():
            continue
        content = b"".join(child.as_bytes(policy=message.policy) for child in part.iter_parts())
        attempt = 0
        while True:
            digest = hashlib.sha256(content + b"%d" % attempt).hexdigest()
            boundary = f"=_briefpress_{digest[:32]}"
            if boundary.encode("ascii") not in content:
                break
            attempt += 1
        part.set_boundary(boundary)


def addresses(value: str) -> list[Address]:
    """Mail addresses as people write them: ``"Doe, John" <john@example.org>, b@example.org``."""
    return [Address(display, addr_spec=address) for display, address in getaddresses([value]) if address]


def new_message(article: Article, options: Options, to: str | None, kind: str = "") -> EmailMessage:
    """A mail about ``article``: its title as the subject, its date, a Message-ID made from
    both under the sender's domain (the same article gives the same message: it is the
    template ``send`` stamps), From (``--from``) and To when given."""
    tag = f".{kind}" if kind else ""
    identity = f"{article.meta.slug}.{article.meta.date.isoformat()}{tag}"
    return mail(article.meta.title, article.meta.date, identity, options, to)


def mail(subject: str, day: dt.date, identity: str, options: Options, to: str | None) -> EmailMessage:
    """A mail dated ``day``, its Message-ID made of ``identity`` under the sender's domain
    (the template's; each message sent gets one of its own: briefpress.send.stamp), From
    and To as given."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC))
    sender = addresses(options.mail_from)[0] if options.mail_from else None
    domain = sender.domain.lower() if sender is not None and sender.domain else "briefpress.invalid"
    message["Message-ID"] = f"<{identity}@{domain}>"
    if sender is not None:
        message["From"] = sender
    if to:
        message["To"] = addresses(to)
    return message


def checked(message: EmailMessage, article: Article | Path) -> bytes:
    """The mail's bytes, when its header holds exactly the fields briefpress set: the
    email library decodes encoded words in what it is given, and a decoded line break
    would start a field of its own (a ``Bcc:``) in the bytes it writes."""
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    data = message.as_bytes()
    written = BytesHeaderParser(policy=compat32).parsebytes(data, headersonly=True)
    if sorted(written.keys()) != sorted(message.keys()):
        extra = sorted(set(written.keys()) - set(message.keys())) or written.keys()
        raise BuildError(
            f"the mail's header would gain a field ({', '.join(extra)}) from a value set for it: "
            "check the title and the --from, --to, --kindle-to and --unsubscribe values",
            article.path if isinstance(article, Article) else article,
        )
    return data


def build_message(article: Article, options: Options, html: str, text: str, pdf: bytes) -> bytes:
    message = new_message(article, options, options.mail_to)
    list_headers(message, options)
    message.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attachment_name(article))
    set_boundaries(message)
    return checked(message, article)


def list_headers(message: EmailMessage, options: Options) -> None:
    """The fields of a mail to a list: where to unsubscribe (``--unsubscribe``)."""
    if options.unsubscribe:  # RFC 2369; one click (RFC 8058) for an https address
        message["List-Unsubscribe"] = f"<{options.unsubscribe}>"
        if options.unsubscribe.startswith("https:"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def html_part_size(eml: bytes) -> int:
    """Bytes of the HTML part as it travels (base64)."""
    from email import message_from_bytes
    from email.policy import default

    parsed = message_from_bytes(eml, policy=default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/html")
    return len(str(part.get_payload(decode=False)).encode("ascii"))


def warn_sizes(eml: bytes, report: Report, location: Path) -> None:
    """Warn of a mail that Gmail clips or that mail servers refuse."""
    if (size := html_part_size(eml)) > HTML_BUDGET:
        report.warn(
            f"the newsletter's HTML part is {size / 1024:.0f} KB encoded; Gmail clips messages "
            f"over about 102 KB (budget {HTML_BUDGET // 1024} KB)",
            location,
            code="newsletter-clipped",
        )
    if len(eml) > EML_BUDGET:
        report.warn(
            f"the .eml is {len(eml) / 1024 / 1024:.1f} MB; many mail servers refuse more than "
            f"{EML_BUDGET // 1024 // 1024} MB",
            location,
            code="mail-too-large",
        )


def render_files(
    article: Article, options: Options, report: Report, needed: dict[str, bytes]
) -> dict[str, bytes]:
    """The newsletter's three files; ``needed`` holds the PDF handout it attaches."""
    slug = article.meta.slug
    html = render_html(article, options)
    text = render_text(article, options)
    eml = build_message(article, options, html, text, needed[f"{slug}.pdf"])
    warn_sizes(eml, report, article.path)
    return {
        f"{slug}.newsletter.html": html.encode("utf-8"),
        f"{slug}.newsletter.txt": text.encode("utf-8"),
        f"{slug}.eml": eml,
    }
