"""The EPUB 3 edition (ebooklib), made to pass EPUBCheck and to behave on e-readers.

Recipe, in the order of Sphinx's EPUB builder: metadata, stylesheet (and fonts),
images and cover, one chapter per section, navigation (toc with the text's
subheadings nested, landmarks, NCX), spine, then a zip with fixed entry times.
"""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
import os
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ebooklib import epub

from ..errors import BuildError, Report
from ..fonts import subset_font
from ..l10n import labels
from ..model import Article, edition_sections, section_of
from ..options import Options
from ..render import Flavour, context, heading_id, plain_text, render_template, stylesheet
from .cover import render_cover

EXTENSION = "epub"
COVER_IMAGE = "images/cover.png"
FONT_FILE = "fonts/cjk-subset.otf"


def book_identifier(article: Article) -> str:
    """Stable across builds, distinct across articles: derived from slug and date."""
    name = f"briefpress:{article.meta.slug}:{article.meta.date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def build_time(day: dt.date) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the given day."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(day, dt.time(0, 0))


@dataclass
class BookInfo:
    """What a book says about itself: one article's metadata, or a digest's."""

    identifier: str
    title: str
    language: str
    date: dt.date
    cover: bytes
    cover_alt: str
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    subjects: list[str] = field(default_factory=list)
    source: str | None = None

    @classmethod
    def for_article(cls, article: Article, options: Options) -> BookInfo:
        meta = article.meta
        alt = meta.title + (f". {meta.summary}" if meta.summary else "") + f" ({meta.date.isoformat()})"
        return cls(
            identifier=book_identifier(article),
            title=meta.title,
            language=meta.translation_lang,
            date=meta.date,
            cover=render_cover(article, options),
            cover_alt=alt,
            authors=[meta.author] if meta.author else [],
            description=meta.summary,
            subjects=list(meta.tags),
            source=meta.source_url,
        )


def add_metadata(book: epub.EpubBook, info: BookInfo, has_images: bool) -> None:
    book.set_identifier(info.identifier)
    book.set_title(info.title)
    book.set_language(info.language)
    for author in info.authors:
        book.add_author(author)
    if info.description:
        book.add_metadata("DC", "description", plain_text(info.description))
    for tag in info.subjects:
        book.add_metadata("DC", "subject", tag)
    if info.source:
        book.add_metadata("DC", "source", info.source)
    book.add_metadata("DC", "date", info.date.isoformat())
    book.add_metadata("DC", "publisher", "briefpress")

    # EPUB Accessibility 1.1: what the book really is. Every image (the cover included)
    # carries a text alternative, so text alone is sufficient.
    def schema(name: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": f"schema:{name}"})

    schema("accessMode", "textual")
    schema("accessMode", "visual")
    schema("accessModeSufficient", "textual")
    for feature in (
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
    ):
        schema("accessibilityFeature", feature)
    schema("accessibilityHazard", "none")
    images = "the cover and the article's images have" if has_images else "the cover has"
    schema(
        "accessibilitySummary",
        "Bilingual reading brief: the text is marked up with headings, a table of contents "
        "and the language of every block; footnotes are linked both ways; "
        f"{images} text alternatives; no hazards.",
    )
    book.add_metadata(
        None, "meta", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA", {"property": "dcterms:conformsTo"}
    )


def toc_entries(article: Article, name: str, file_name: str, title: str, prefix: str = "") -> Any:
    """A chapter's toc entry, with the text's subheadings nested under it."""
    if name == "bilingual":
        blocks, lang = article.translation or [], article.meta.translation_lang
    elif name == "original":
        blocks, lang = article.original, article.meta.original_lang
    else:
        blocks, lang = [], ""
    children: list[Any] = []
    for index, block in enumerate(blocks, start=1):
        level = block.heading_level
        ident = heading_id(name, lang, index, prefix)
        link = epub.Link(f"{file_name}#{ident}", block.text, f"toc-{ident}")
        if level == 2:
            children.append(link)
        elif level == 3 and children:
            last = children[-1]
            if isinstance(last, tuple):
                last[1].append(link)
            else:
                children[-1] = (epub.Section(last.title, last.href), [link])
    if not children:
        return epub.Link(file_name, title, f"toc-{prefix}{name}")
    return (epub.Section(title, file_name), children)


def render(article: Article, options: Options, report: Report) -> bytes:
    return render_book(BookInfo.for_article(article, options), [article], options, article.path)


def render_book(info: BookInfo, articles: list[Article], options: Options, where: Path) -> bytes:
    """One book: the cover, then every article's sections as chapters, in order.

    With several articles (a digest), chapter files and ids carry a per-article prefix
    and the toc has an entry per article with its sections nested under it.
    """
    ui = labels(options.lang_ui)
    images = {
        path: f"images/{n:03d}{path.suffix.lower()}"
        for n, path in enumerate(dict.fromkeys(p for a in articles for p in a.images), start=1)
    }
    book = epub.EpubBook()
    add_metadata(book, info, bool(images))

    text = "".join(a.all_text() for a in articles) + "".join(ui.values()) + options.site_name + info.title
    font = subset_font(options.cjk_font, text) if options.embed_fonts else None
    css = epub.EpubItem(
        uid="style",
        file_name="styles/book.css",
        media_type="text/css",
        content=stylesheet(
            options,
            "epub.css",
            fonts_template="epub/fonts.css.j2",
            embedded=f"../{FONT_FILE}" if font else None,
        ).encode("utf-8"),
    )
    book.add_item(css)
    if font:
        book.add_item(epub.EpubItem(uid="font-cjk", file_name=FONT_FILE, media_type="font/otf", content=font))
    for path, name in images.items():
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        book.add_item(
            epub.EpubImage(
                uid=f"img-{Path(name).stem}", file_name=name, media_type=media_type, content=path.read_bytes()
            )
        )

    book.set_cover(COVER_IMAGE, info.cover, create_page=False)
    cover = epub.EpubHtml(uid="cover", title=ui["cover"], file_name="cover.xhtml", lang=info.language)
    cover.content = render_template(
        "epub/cover.xhtml.j2", title=ui["cover"], alt=f"{ui['cover']}: {info.cover_alt}", src=COVER_IMAGE
    )
    cover.add_item(css)
    book.add_item(cover)

    chapters, toc = [], []
    digest = len(articles) > 1
    for position, article in enumerate(articles, start=1):
        prefix = f"a{position:02d}-" if digest else ""
        names = edition_sections(article)
        files = {name: f"{prefix}{n:02d}-{name}.xhtml" for n, name in enumerate(names, start=1)}

        def anchor(target: str, files=files, prefix=prefix, first=names[0]) -> str:
            # a section id lives in that section's chapter; the title is in the first one
            return f"{files.get(section_of(target), files[first])}#{prefix}{target}"

        c = context(
            article,
            options,
            Flavour("xhtml", image_src=lambda path: images[path], prefix=prefix, anchor=anchor),
        )
        entries = []
        for number, name in enumerate(c["sections"], start=1):
            title = ui["translation"] if name == "bilingual" and options.translation_only else ui[name]
            chapter = epub.EpubHtml(
                uid=f"ch-{prefix}{name}",
                title=f"{article.meta.title} · {title}" if digest else title,
                file_name=f"{prefix}{number:02d}-{name}.xhtml",
                lang=article.meta.translation_lang,
            )
            chapter.content = render_template(
                "epub/chapter.xhtml.j2", c=c, name=name, title=chapter.title, with_title=number == 1
            )
            chapter.add_item(css)
            book.add_item(chapter)
            chapters.append(chapter)
            entries.append(toc_entries(article, name, chapter.file_name, title, prefix))
        if digest:
            toc.append((epub.Section(article.meta.title, entries_href(entries)), entries))
        else:
            toc.extend(entries)

    nav = epub.EpubNav(title=ui["contents"])
    nav.add_item(css)
    book.toc = toc
    book.add_item(epub.EpubNcx())
    book.add_item(nav)
    book.spine = [cover, "nav", *chapters]
    book.guide = [
        {"type": "cover", "href": cover.file_name, "title": ui["cover"]},
        {"type": "toc", "href": nav.file_name, "title": ui["contents"]},
        {"type": "text", "href": chapters[0].file_name, "title": chapters[0].title},
    ]

    buffer = io.BytesIO()
    moment = build_time(info.date)
    try:
        epub.write_epub(
            buffer,
            book,
            {
                "raise_exceptions": True,
                "mtime": moment,
                "landmark_title": ui["landmarks"],
                "epub3_pages": False,
            },
        )
    except Exception as exc:  # ebooklib raises bare exceptions on bad content
        raise BuildError(f"EPUB could not be written: {exc}", where) from None
    return normalise_zip(buffer.getvalue(), moment)


def entries_href(entries: list[Any]) -> str:
    first = entries[0]
    return (first[0] if isinstance(first, tuple) else first).href.partition("#")[0]


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
