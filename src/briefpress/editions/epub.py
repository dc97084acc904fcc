"""The EPUB 3 edition (ebooklib), made to pass EPUBCheck and to behave on e-readers.

Recipe, in the order of Sphinx's EPUB builder: metadata, stylesheet (and fonts),
images and cover, one chapter per section, navigation (toc with the text's
subheadings nested, landmarks, NCX), spine, then a zip with fixed entry times.
"""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ebooklib import epub

from ..cjk import HAN_RANGES, SHARED_PUNCTUATION, unicode_range
from ..errors import BuildError, Report
from ..fonts import subset_font
from ..l10n import labels
from ..model import Article, edition_sections, section_of
from ..options import Options, source_date_epoch
from ..render import (
    ContentsEntry,
    Flavour,
    contents_entry,
    context,
    plain_text,
    render_template,
    section_title,
    stylesheet,
)
from .cover import COVER_SIZE, render_cover
from .pagelist import SOURCE, page_breaks

EXTENSION = "epub"
COVER_IMAGE = "images/cover.png"
FONT_FILE = "fonts/cjk-subset.otf"


def book_identifier(article: Article) -> str:
    """Stable across builds, distinct across articles: derived from slug and date."""
    name = f"briefpress:{article.meta.slug}:{article.meta.date.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def build_time(day: dt.date) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the given day."""
    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)
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
    #: who published it: the newsletter (the site name), never the tool
    publisher: str = ""
    #: (name, MARC relator code): "trl" translator, "edt" editor
    contributors: list[tuple[str, str]] = field(default_factory=list)
    #: a line under the contents (a digest's: how many articles it leaves out)
    contents_note: str | None = None

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
            publisher=options.site_name,
            contributors=[(n, "trl") for n in meta.translators] + [(n, "edt") for n in meta.editors],
        )


def add_metadata(book: epub.EpubBook, info: BookInfo, has_images: bool, paged: bool = False) -> None:
    """The package's metadata; ``paged``: the book carries the A4 handout's page-list."""
    book.set_identifier(info.identifier)
    book.set_title(info.title)
    book.set_language(info.language)
    for author in info.authors:
        book.add_author(author)
    # translators and editors, with their MARC relator roles (calibre and Apple Books show them)
    for number, (name, role) in enumerate(info.contributors, start=1):
        book.add_metadata("DC", "contributor", name, {"id": f"contributor-{number}"})
        book.add_metadata(
            None,
            "meta",
            role,
            {"refines": f"#contributor-{number}", "property": "role", "scheme": "marc:relators"},
        )
    if info.description:
        book.add_metadata("DC", "description", plain_text(info.description))
    for tag in info.subjects:
        book.add_metadata("DC", "subject", tag)
    if info.source:
        book.add_metadata("DC", "source", info.source)
    book.add_metadata("DC", "date", info.date.isoformat())
    book.add_metadata("DC", "publisher", info.publisher)

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
        *(("pageBreakMarkers", "pageNavigation") if paged else ()),
    ):
        schema("accessibilityFeature", feature)
    if paged:
        # the property of the page-source proposal (w3c publ-a11y), in the default vocabulary
        book.add_metadata(None, "meta", SOURCE, {"property": "pageBreakSource"})
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


def ebooklib_entry(entry: ContentsEntry) -> Any:
    """A contents entry as ebooklib wants it, for the NCX."""
    if not entry.children:
        return epub.Link(entry.href, entry.title, "toc-" + entry.href.replace("#", "-").replace(".", "-"))
    return (epub.Section(entry.title, entry.href), [ebooklib_entry(child) for child in entry.children])


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
    digest = len(articles) > 1
    # the page-list is the article's handout's: a digest's PDF numbers its pages through
    breaks = {} if digest else page_breaks(articles[0], options)
    book = epub.EpubBook()
    add_metadata(book, info, bool(images), paged=bool(breaks))
    css = add_assets(book, info, articles, images, options)
    cover = add_cover(book, info, ui, options.theme)

    chapters: list[epub.EpubHtml] = []
    toc: list[ContentsEntry] = []
    for position, article in enumerate(articles, start=1):
        prefix = f"a{position:02d}-" if digest else ""
        entries = add_chapters(book, article, options, images, css, prefix, chapters, breaks)
        if digest:
            lang = article.meta.translation_lang
            toc.append(ContentsEntry(article.meta.title, entries[0].href, lang, entries))
        else:
            toc.extend(entries)

    nav = epub.EpubNav(title=ui["contents"])
    book.toc = [ebooklib_entry(entry) for entry in toc]
    book.add_item(epub.EpubNcx())
    book.add_item(nav)
    book.spine = [cover, "nav", *chapters]
    landmarks = [
        {"type": "cover", "href": cover.file_name, "title": ui["cover"]},
        {"type": "toc", "href": nav.file_name, "title": ui["contents"]},
        {"type": "bodymatter", "href": chapters[0].file_name, "title": chapters[0].title},
    ]
    # the EPUB 2 guide calls the start of the text "text"
    book.guide = [{**mark, "type": "text"} if mark["type"] == "bodymatter" else mark for mark in landmarks]
    nav_xhtml = render_template(
        "epub/nav.xhtml.j2",
        options.theme,
        book_lang=info.language,
        ui_lang=options.lang_ui,
        ui=ui,
        toc=toc,
        landmarks=landmarks,
        css=css.file_name,
        note=info.contents_note,
        pages=page_list(articles[0], breaks),
    )
    return write_book(book, info, nav_xhtml.encode("utf-8"), where)


def add_assets(
    book: epub.EpubBook, info: BookInfo, articles: list[Article], images: dict[Path, str], options: Options
) -> epub.EpubItem:
    """The stylesheet, the embedded font subset (when asked for) and the article's images."""
    ui = labels(options.lang_ui)
    text = "".join(a.all_text() for a in articles) + "".join(ui.values()) + options.site_name + info.title
    font = subset_font(options.cjk_font, text) if options.embed_fonts else None
    embedded = None
    if font:
        book.add_item(epub.EpubItem(uid="font-cjk", file_name=FONT_FILE, media_type="font/otf", content=font))
        embedded = {
            "family": f"{options.cjk_font} Embedded",
            "url": f"../{FONT_FILE}",
            "han": unicode_range(HAN_RANGES),
            "punctuation": unicode_range(SHARED_PUNCTUATION),
        }
    css = epub.EpubItem(
        uid="style",
        file_name="styles/book.css",
        media_type="text/css",
        content=stylesheet(options, "epub.css", fonts_template="epub/fonts.css.j2", embedded=embedded).encode(
            "utf-8"
        ),
    )
    book.add_item(css)
    for path, name in images.items():
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        book.add_item(
            epub.EpubImage(
                uid=f"img-{Path(name).stem}", file_name=name, media_type=media_type, content=path.read_bytes()
            )
        )
    return css


def add_cover(book: epub.EpubBook, info: BookInfo, ui: dict[str, str], theme: Path | None) -> epub.EpubItem:
    """The cover image, and its page: the image scaled to fit one screen (an SVG wrapper)."""
    book.set_cover(COVER_IMAGE, info.cover, create_page=False)
    width, height = COVER_SIZE
    # written as is, not through ebooklib's HTML parser, which drops SVG namespaces
    cover = epub.EpubItem(
        uid="cover",
        file_name="cover.xhtml",
        media_type="application/xhtml+xml",
        content=render_template(
            "epub/cover.xhtml.j2",
            theme,
            title=ui["cover"],
            alt=info.cover_alt,
            src=COVER_IMAGE,
            lang=info.language,
            width=width,
            height=height,
        ).encode("utf-8"),
    )
    cover.properties = ["svg"]
    book.add_item(cover)
    return cover


def add_chapters(
    book: epub.EpubBook,
    article: Article,
    options: Options,
    images: dict[Path, str],
    css: epub.EpubItem,
    prefix: str,
    chapters: list[epub.EpubHtml],
    breaks: dict[str, int],
) -> list[ContentsEntry]:
    """One chapter per section of ``article``, appended to ``chapters``; their toc entries.
    ``breaks``: the ids where the handout's pages begin, marked (:mod:`.pagelist`)."""
    digest = bool(prefix)
    files = chapter_files(article, prefix)

    def anchor(target: str) -> str:
        return f"{chapter_of(files, target)}#{prefix}{target}"

    c = context(
        article, options, Flavour("epub", image_src=lambda path: images[path], prefix=prefix, anchor=anchor)
    )
    c.page_breaks = breaks
    entries = []
    for number, name in enumerate(c.sections, start=1):
        title = section_title(name, options)
        chapter = epub.EpubHtml(
            uid=f"ch-{prefix}{name}",
            title=f"{article.meta.title} · {title}" if digest else title,
            file_name=files[name],
            lang=article.meta.translation_lang,
        )
        chapter.content = render_template(
            "epub/chapter.xhtml.j2",
            options.theme,
            c=c,
            name=name,
            title=chapter.title,
            with_title=number == 1,
        )
        chapter.add_item(css)
        book.add_item(chapter)
        chapters.append(chapter)
        entries.append(contents_entry(article, name, title, options.lang_ui, prefix, href=chapter.file_name))
    return entries


def chapter_files(article: Article, prefix: str = "") -> dict[str, str]:
    """The chapter file of each section of ``article``, in the edition order."""
    names = edition_sections(article)
    return {name: f"{prefix}{n:02d}-{name}.xhtml" for n, name in enumerate(names, start=1)}


def chapter_of(files: dict[str, str], target: str) -> str:
    """The chapter an id lives in: its section's; the title's is the first one."""
    return files.get(section_of(target), next(iter(files.values())))


def page_list(article: Article, breaks: dict[str, int]) -> list[tuple[int, str]]:
    """The navigation document's page-list: each page, and the marker where it begins."""
    files = chapter_files(article)
    return [(page, f"{chapter_of(files, ident)}#page-{page}") for ident, page in breaks.items()]


class _Writer(epub.EpubWriter):
    """ebooklib's writer with our nav document and the book's language on the package."""

    def __init__(self, name: Any, book: epub.EpubBook, options: dict[str, Any], nav: bytes):
        super().__init__(name, book, options)
        self.nav = nav

    def _write_opf_file(self, root: Any) -> None:
        # Ace (epub-lang) and reading systems read the package's own language
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: Any) -> bytes:
        return self.nav


def write_book(book: epub.EpubBook, info: BookInfo, nav: bytes, where: Path) -> bytes:
    buffer = io.BytesIO()
    moment = build_time(info.date)
    writer = _Writer(buffer, book, {"raise_exceptions": True, "mtime": moment, "epub3_pages": False}, nav)
    try:
        writer.process()
        writer.write()
    except Exception as exc:  # ebooklib raises bare exceptions on bad content
        raise BuildError(f"EPUB could not be written: {exc}", where) from None
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
