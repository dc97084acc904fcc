"""The output folder as a small static site: ``index.html`` lists every article built
into it (newest first, with links to each edition) and ``feed.xml`` is their Atom 1.0
feed. Both are refreshed by every build that makes HTML, from the stamps the builds
leave, so articles built earlier are listed too."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from .. import __version__
from ..l10n import labels
from ..options import Options
from ..render import render_template, stylesheet

#: the editions an index links to, by file name ending, with their labels
EDITION_FILES = (
    (".html", "HTML"),
    (".pdf", "PDF"),
    (".epub", "EPUB"),
    (".kepub.epub", "Kobo"),
    (".booklet.pdf", "booklet"),
    (".newsletter.html", "mail"),
)


@dataclass
class Entry:
    slug: str
    title: str
    summary: str | None
    date: str
    digest: bool = False
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        """Stable across rebuilds: from the slug and the date."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'briefpress:{self.slug}:{self.date}')}"


def entries(output: Path) -> list[Entry]:
    """Every article (and digest) a build left a stamp for in ``output``, newest first."""
    from ..build.stamps import STAMP, read_stamp

    found = []
    for stamp in sorted(output.glob("*/" + STAMP.format(slug="*"))):
        slug = stamp.name[1 : -len(".briefpress")]
        data = read_stamp(stamp.parent, slug)
        about = data.get("about") or {}
        if stamp.parent.name != slug or not about.get("title"):
            continue
        # the editions there now: a later build may have made fewer than an earlier one
        links = [
            (f"{slug}/{slug}{ending}", label)
            for ending, label in EDITION_FILES
            if (stamp.parent / f"{slug}{ending}").is_file()
        ]
        found.append(
            Entry(
                slug,
                about["title"],
                about.get("summary"),
                about.get("date", ""),
                bool(about.get("digest")),
                links,
            )
        )
    found.sort(key=lambda e: (e.date, e.title), reverse=True)
    return found


def index_html(items: list[Entry], options: Options) -> str:
    return render_template(
        "index.html.j2",
        options.theme,
        entries=items,
        ui=labels(options.lang_ui),
        lang=options.lang_ui,
        site_name=options.site_name,
        css=stylesheet(options, "base.css", "screen.css", "index.css"),
    )


def atom(items: list[Entry], options: Options, base: str = "") -> str:
    """An Atom 1.0 feed of the articles (digests left out); links relative to ``base``."""
    articles = [e for e in items if not e.digest]
    updated = max((e.date for e in articles), default=dt.date(1970, 1, 1).isoformat())
    feed_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'briefpress-feed:' + options.site_name)}"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(options.lang_ui)}">',
        f"  <title>{escape(options.site_name)}</title>",
        f"  <id>{feed_id}</id>",
        f"  <updated>{updated}T00:00:00Z</updated>",
        f"  <author><name>{escape(options.site_name)}</name></author>",
        f'  <link rel="alternate" type="text/html" href="{escape(base)}index.html"/>',
        f'  <generator version="{__version__}">briefpress</generator>',
    ]
    for entry in articles:
        page = next((href for href, label in entry.links if label == "HTML"), None)
        lines += [
            "  <entry>",
            f"    <title>{escape(entry.title)}</title>",
            f"    <id>{entry.identifier}</id>",
            f"    <published>{entry.date}T00:00:00Z</published>",
            f"    <updated>{entry.date}T00:00:00Z</updated>",
        ]
        if page:
            lines.append(f'    <link rel="alternate" type="text/html" href="{escape(base + page)}"/>')
        for href, label in entry.links:
            if label in ("PDF", "EPUB"):
                kind = "application/pdf" if label == "PDF" else "application/epub+zip"
                lines.append(f'    <link rel="enclosure" type="{kind}" href="{escape(base + href)}"/>')
        if entry.summary:
            lines.append(f"    <summary>{escape(entry.summary)}</summary>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def refresh(output: Path, options: Options) -> list[Path]:
    """Write ``index.html`` and ``feed.xml`` for ``output`` (all or none)."""
    from ..build.output import write_all

    items = entries(output)
    base = options.web_url.rstrip("/") + "/" if options.web_url else ""  # absolute links when hosted
    files = {
        output / "index.html": index_html(items, options).encode("utf-8"),
        output / "feed.xml": atom(items, options, base).encode("utf-8"),
    }
    write_all(files)
    return list(files)
