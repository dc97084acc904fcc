"""Send to Kindle: the EPUB as a mail to the reader's Send-to-Kindle address.

Amazon converts what it receives and refuses, often without saying why, books that
break its rules. So the book is checked first against the causes of rejection that can
be seen in the file (:func:`kindle_problems`, which ``briefpress check`` runs too), and
a broken one is an error naming the rule, not a mail that silently bounces.
"""

from __future__ import annotations

import io
import re
import zipfile
from posixpath import dirname, join, normpath
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from ..errors import BuildError, Report
from ..model import Article
from ..options import Options
from .newsletter import attachment_name, checked, new_message, set_boundaries

#: the largest mail Send to Kindle accepts (attachment included, encoded)
MAIL_LIMIT = 50 * 1024 * 1024
#: the largest side of an image Kindle shows whole
MAX_IMAGE_SIDE = 10_000
_XML_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"'][A-Za-z0-9_-]+[\"']")
_BCP47 = re.compile(
    r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-[A-Za-z0-9]{5,8}|-\d[A-Za-z0-9]{3})*"
)
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"


def kindle_problems(book: bytes) -> list[str]:
    """Each Send-to-Kindle rule the EPUB breaks, as ``rule: detail``; [] when none."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        names = set(archive.namelist())
        container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile")).get("full-path", "")
        opf = ElementTree.fromstring(archive.read(rootfile))
        base = dirname(rootfile)
        manifest = {
            item.get("id"): (join(base, unquote(item.get("href", ""))), item.get("media-type", ""))
            for item in opf.iter(f"{_OPF}item")
        }
        languages = [e.text or "" for e in opf.iter(f"{_DC}language")]
        if not languages or not all(_BCP47.fullmatch(lang.strip()) for lang in languages):
            problems.append(f"dc:language: {languages or 'missing'} is not a BCP 47 language tag")
        layout = [e.text for e in opf.iter(f"{_OPF}meta") if e.get("property") == "rendition:layout"]
        if "pre-paginated" in layout:
            problems.append("fixed layout: Send to Kindle takes reflowable books only")
        ids: dict[str, set[str]] = {}
        documents = [path for path, kind in manifest.values() if kind == "application/xhtml+xml"]
        for path in documents:
            data = archive.read(path)
            if not _XML_DECLARATION.match(data):
                problems.append(f"XML declaration: {path} does not start with one naming its encoding")
            if re.search(rb"<script[\s>]", data, re.I):
                problems.append(f"no scripts: {path} holds a <script>")
            ids[path] = set(re.findall(r'\sid="([^"]+)"', data.decode("utf-8", "replace")))
        problems += _broken_links(archive, documents, ids, names)
        problems += _oversized_images(
            archive, [p for p, kind in manifest.values() if kind.startswith("image/")]
        )
    return problems


def _broken_links(
    archive: zipfile.ZipFile, documents: list[str], ids: dict[str, set[str]], names: set[str]
) -> list[str]:
    problems = []
    for path in documents:
        for href in re.findall(r'\shref="([^"]+)"', archive.read(path).decode("utf-8", "replace")):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = normpath(join(dirname(path), unquote(parts.path))) if parts.path else path
            if target not in names:
                problems.append(f"internal links: {path} links to {href}, which is not in the book")
            elif parts.fragment and target in ids and parts.fragment not in ids[target]:
                problems.append(
                    f"internal links: {path} links to {href}, whose #{parts.fragment} does not exist"
                )
    return problems


def _oversized_images(archive: zipfile.ZipFile, images: list[str]) -> list[str]:
    from PIL import Image

    problems = []
    for path in images:
        if path.endswith(".svg"):
            continue
        try:
            with Image.open(io.BytesIO(archive.read(path))) as image:
                width, height = image.size
        except Exception:  # Pillow raises many kinds: any means unreadable
            problems.append(f"images: {path} cannot be read")
            continue
        if max(width, height) > MAX_IMAGE_SIDE:
            problems.append(
                f"images: {path} is {width} x {height} pixels; Kindle shows at most {MAX_IMAGE_SIDE} a side"
            )
    return problems


def render_files(
    article: Article, options: Options, report: Report, needed: dict[str, bytes]
) -> dict[str, bytes]:
    """``<slug>.kindle.eml``: the book, checked, attached to a mail to ``--kindle-to``."""
    if not options.kindle_to:
        raise BuildError(
            "--formats kindle needs the reader's Send-to-Kindle address: add --kindle-to", article.path
        )
    book = needed[f"{article.meta.slug}.epub"]
    problems = kindle_problems(book)
    if problems:
        raise BuildError(f"Send to Kindle would refuse this book: {problems[0]}", article.path)
    message = new_message(article, options, options.kindle_to, "kindle")
    message.set_content(article.meta.title + "\n", subtype="plain", charset="utf-8")
    message.add_attachment(
        book, maintype="application", subtype="epub+zip", filename=attachment_name(article, "epub")
    )
    set_boundaries(message)
    data = checked(message, article)
    if len(data) > MAIL_LIMIT:
        raise BuildError(
            f"Send to Kindle would refuse this mail: it is {len(data) / 1024 / 1024:.1f} MB, over 50 MB",
            article.path,
        )
    return {f"{article.meta.slug}.kindle.eml": data}
