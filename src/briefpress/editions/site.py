"""The output folder as a small static site: ``index.html`` lists every article built
into it (newest first, with links to each edition) and ``feed.xml`` is their Atom 1.0
feed. Both are refreshed by every build that makes HTML, from the stamps the builds
leave, so articles built earlier are listed too.

A stamp is read as untrusted (it may have been edited): an entry whose slug, title or
date is not what a build writes is left out, and every text is made XML-safe. The
feed's text and attributes are escaped, characters XML cannot hold dropped. A site file
briefpress did not write (or one edited since) is not replaced without ``--force``:
the SHA-256 of what it last wrote is kept in ``.site.briefpress``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as _escape

from .. import __version__
from ..errors import BuildError
from ..fields import SITE_FILES, one_line_problem
from ..l10n import labels
from ..options import Options
from ..render import render_template, stylesheet


def edition_links(slug: str) -> list[tuple[str, str]]:
    """What an index may link to in the folder of ``slug``: each edition's (and the
    digest's) declared links, as (file name, label), in the editions' order."""
    from . import every

    links = {name.format(slug=slug): label for edition in every() for name, label in edition.links}
    return list(links.items())


#: what briefpress wrote last into the site files (their SHA-256), beside them
SITE_STAMP = ".site.briefpress"
#: characters XML 1.0 cannot hold (controls, surrogates, U+FFFE and U+FFFF)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def escape(text: str) -> str:
    """``text`` for XML character data or a double-quoted attribute."""
    return _escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def _field(value: object) -> str | None:
    """A stamp's text as a one-line field, or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = _NOT_XML.sub("", value.strip())
    return value if one_line_problem(value) is None else None


def _date(value: object) -> str | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


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
    from ..build.stamps import stamped

    found = []
    for stamp in stamped(output):
        slug, data = stamp.slug, stamp.data
        about = data.get("about")
        about = about if isinstance(about, dict) else {}
        title, date = _field(about.get("title")), _date(about.get("date"))
        if title is None or date is None:
            continue
        if data.get("listed") is False:  # its source is gone (build/prune.py)
            continue
        # the editions there now: a later build may have made fewer than an earlier one
        links = [
            (f"{slug}/{name}", label)
            for name, label in edition_links(slug)
            if (stamp.folder / name).is_file()
        ]
        found.append(
            Entry(slug, title, _field(about.get("summary")), date, about.get("digest") is True, links)
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
    """Write ``index.html`` and ``feed.xml`` for ``output`` (all or none); a site file
    briefpress did not write stops it (unless ``options.force``)."""
    from ..build.output import write_all

    items = entries(output)
    base = options.web_url.rstrip("/") + "/" if options.web_url else ""  # absolute links when hosted
    index, feed = SITE_FILES
    files = {
        output / index: index_html(items, options).encode("utf-8"),
        output / feed: atom(items, options, base).encode("utf-8"),
    }
    written = _written(output)
    for path in files:
        if not options.force and _not_ours(path, written):
            raise BuildError(
                "was not written by briefpress (or was edited since); it is kept and the index and "
                "feed are not refreshed: move it away, or --force to replace it",
                path,
            )
    stamp = {path.name: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    write_all({**files, output / SITE_STAMP: json.dumps(stamp, sort_keys=True).encode()})
    return list(files)


def _written(output: Path) -> dict[str, str]:
    """The SHA-256 of each site file as briefpress last wrote it."""
    try:
        data = json.loads((output / SITE_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _not_ours(path: Path, written: dict[str, str]) -> bool:
    """Whether ``path`` is there and is not what briefpress last wrote: a link, a folder, a
    hand-made page. An output folder from before the site stamp: its files name briefpress."""
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_symlink() or not path.is_file():
        return True
    data = path.read_bytes()
    if path.name in written:
        return hashlib.sha256(data).hexdigest() != written[path.name]
    marks = (b'<meta name="generator" content="briefpress', b">briefpress</generator>")
    return not any(mark in data[:4096] for mark in marks)
