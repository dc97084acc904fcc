"""The EPUB 3 edition (ebooklib): one chapter per section, nav document and NCX."""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
import os
import uuid
import zipfile
from pathlib import Path

from ebooklib import epub

from ..errors import BuildError, Report
from ..model import Article
from ..options import Options
from ..render import Flavour, context, plain_text, render_template, stylesheet

EXTENSION = "epub"


def book_identifier(article: Article) -> str:
    """Stable across builds, distinct across articles: derived from slug and date."""
    name = f"briefpress:{article.meta.slug}:{article.meta.date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def build_time(article: Article) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the article's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(article.meta.date, dt.time(0, 0))


def render(article: Article, options: Options, report: Report) -> bytes:
    meta = article.meta
    images = {
        path: f"images/{n:03d}{path.suffix.lower()}"
        for n, path in enumerate(dict.fromkeys(article.images), start=1)
    }
    c = context(article, options, Flavour("xhtml", image_src=lambda path: images[path]))

    book = epub.EpubBook()
    book.set_identifier(book_identifier(article))
    book.set_title(meta.title)
    book.set_language(meta.translation_lang)
    if meta.author:
        book.add_author(meta.author)
    if meta.summary:
        book.add_metadata("DC", "description", plain_text(meta.summary))
    for tag in meta.tags:
        book.add_metadata("DC", "subject", tag)
    if meta.source_url:
        book.add_metadata("DC", "source", meta.source_url)
    book.add_metadata("DC", "date", meta.date.isoformat())
    book.add_metadata("DC", "publisher", "briefpress")

    css = epub.EpubItem(
        uid="style",
        file_name="styles/book.css",
        media_type="text/css",
        content=stylesheet(options, "epub.css").encode("utf-8"),
    )
    book.add_item(css)
    for path, name in images.items():
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        book.add_item(
            epub.EpubImage(
                uid=f"img-{Path(name).stem}",
                file_name=name,
                media_type=media_type,
                content=path.read_bytes(),
            )
        )

    chapters = []
    for number, name in enumerate(c["sections"], start=1):
        title = c["ui"][name]
        chapter = epub.EpubHtml(
            uid=f"ch-{name}",
            title=title,
            file_name=f"{number:02d}-{name}.xhtml",
            lang=meta.translation_lang,
        )
        chapter.content = render_template(
            "epub/chapter.xhtml.j2",
            c=c,
            name=name,
            title=title,
            with_title=number == 1,
        )
        chapter.add_item(css)
        book.add_item(chapter)
        chapters.append(chapter)

    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]

    buffer = io.BytesIO()
    moment = build_time(article)
    try:
        epub.write_epub(buffer, book, {"raise_exceptions": True, "mtime": moment})
    except Exception as exc:  # ebooklib raises bare exceptions on bad content
        raise BuildError(f"EPUB could not be written: {exc}", article.path) from None
    return normalise_zip(buffer.getvalue(), moment)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """Rewrite the archive with fixed entry times, so equal books are equal bytes."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
