"""Built files opened in Chromium with nothing to reach and no script but briefpress's.

:func:`offline` answers the browser's requests for a folder's files itself, under an
address that exists nowhere (``https://<n>.offline.invalid``); every other request a
page makes is aborted and noted, its WebSockets are closed and service workers blocked
(and :class:`~.browser.Browser` with ``offline=True`` resolves no host name at all, so not
even a preconnect leaves the machine's browser). A page's scripts run only when every
script in it is one briefpress writes (the reading page's ``reading.js``, compared by its
SHA-256); otherwise it is opened with JavaScript off. Each document is also sent with a
Content-Security-Policy that allows that one script, or none.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import itertools
import mimetypes
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .book import MAX_BYTES

#: what a document may do beyond briefpress's own script: nothing that leaves it
_POLICY = (
    "script-src {scripts}; connect-src 'none'; object-src 'none'; frame-src 'none'; "
    "worker-src 'none'; base-uri 'none'; form-action 'none'"
)
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
}
#: the files a browser may run script in when it opens them as a document
SCRIPTED = (".html", ".htm", ".xhtml", ".xht", ".svg", ".xml")
#: (matched at the start of an attribute's value; a run is read once, from its start)
_JAVASCRIPT_URL = re.compile(r"(?<![\x00-\x20])[\x00-\x20]*+" + r"\s*+".join("javascript:"), re.I)
_SITES: dict[str, Site] = {}
_numbers = itertools.count(1)


class _Scripts(HTMLParser):
    """Every way a document can carry script: ``<script>`` elements (their text, when
    inline), ``on…=`` handlers, ``javascript:`` URLs and ``srcdoc`` frames."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None]] = []  # (what, inline text or None)
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.rpartition(":")[2] == "script":
            if any(name == "src" for name, _ in attrs):
                self.found.append(("<script src>", None))
            else:
                self._text = []
        for name, value in attrs:
            local = name.rpartition(":")[2]
            if local.startswith("on") or local == "srcdoc":
                self.found.append((f"{name}= on <{tag}>", None))
            elif value and _JAVASCRIPT_URL.match(value):
                self.found.append((f"a javascript: URL in <{tag}>", None))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag.rpartition(":")[2] == "script" and self._text is not None:
            self.found.append(("<script>", "".join(self._text)))
            self._text = None

    def close(self) -> None:
        super().close()
        self.handle_endtag("script")  # one left open runs to the end of the document


def _scripts(markup: bytes) -> list[tuple[str, str | None]]:
    parser = _Scripts()
    parser.feed(markup.decode("utf-8", "replace"))
    parser.close()
    return parser.found


def digest(text: str) -> str:
    """A script's hash as Content-Security-Policy writes it: base64 of its SHA-256."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def own_scripts() -> frozenset[str]:
    """The hashes of the scripts briefpress writes: the reading page's, as its built-in
    template renders it (a theme's reading.js is not one of them)."""
    from ..render import environment

    rendered = str(environment().get_template("reading.html.j2").module.script())  # type: ignore[attr-defined]
    return frozenset(digest(text) for _, text in _scripts(rendered.encode("utf-8")) if text is not None)


def foreign_scripts(markup: bytes) -> list[str]:
    """What in ``markup`` is script that briefpress did not write ([] when none is)."""
    own = own_scripts()
    return [
        what if text is None else f"{what} (sha256 {digest(text)[:12]}…)"
        for what, text in _scripts(markup)
        if text is None or digest(text) not in own
    ]


def policy(markup: bytes) -> str:
    """The Content-Security-Policy a document is sent with: briefpress's script, or none."""
    found = _scripts(markup)
    own = own_scripts()
    if found and all(text is not None and digest(text) in own for _, text in found):
        allowed = " ".join(sorted({f"'sha256-{digest(text)}'" for _, text in found if text is not None}))
        return _POLICY.format(scripts=allowed)
    return _POLICY.format(scripts="'none'")


@dataclass
class Site:
    """A folder's files (or only ``names`` of them) as Chromium may load them."""

    folder: Path
    names: frozenset[str] | None
    base: str
    #: the requests aborted: anything not a file of the site
    blocked: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base}/{quote(name)}"

    def file(self, url: str) -> Path | None:
        """The file that answers ``url``: a regular file of the site, no larger than a book."""
        if not url.startswith(self.base + "/"):
            return None
        name = unquote(urlsplit(url).path).lstrip("/")
        if not name or (self.names is not None and name not in self.names):
            return None
        try:
            path = (self.folder / name).resolve(strict=True)
            mode = path.stat()
        except (OSError, RuntimeError):
            return None
        inside = path.is_relative_to(self.folder.resolve())
        return path if inside and stat.S_ISREG(mode.st_mode) and mode.st_size <= MAX_BYTES else None

    def runs_scripts(self, url: str) -> bool:
        """Whether the document at ``url`` is opened with JavaScript on: it holds no script
        but briefpress's."""
        path = self.file(url)
        return path is not None and not foreign_scripts(path.read_bytes())

    def answer(self, route: Any) -> None:
        """A Playwright route handler: the site's files, and nothing else."""
        url = route.request.url
        path = self.file(url)
        if path is None:
            self.blocked.append(url)
            route.abort("blockedbyclient")
            return
        body = path.read_bytes()
        kind = (
            _TYPES.get(path.suffix.lower())
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )
        headers = {"Content-Type": kind, "Cache-Control": "no-store"}
        scripted = path.suffix.lower() in SCRIPTED
        headers["Content-Security-Policy"] = policy(body) if scripted else _POLICY.format(scripts="'none'")
        route.fulfill(status=200, body=body, headers=headers)

    def attach(self, context: Any) -> None:
        """Route every request of a browser context here; close its WebSockets."""
        context.route("**/*", self.answer)
        context.route_web_socket("**/*", lambda socket: socket.close())


@contextlib.contextmanager
def offline(folder: Path, names: Iterable[str] | None = None) -> Iterator[Site]:
    """``folder``'s files (only ``names``, when given) under an address of their own: a page
    :meth:`~.browser.Browser.page` opens there is opened offline."""
    site = Site(
        folder, frozenset(names) if names is not None else None, f"https://{next(_numbers)}.offline.invalid"
    )
    _SITES[site.base] = site
    try:
        yield site
    finally:
        del _SITES[site.base]


def site_of(url: str) -> Site | None:
    """The offline site ``url`` belongs to, if any."""
    parts = urlsplit(url)
    return _SITES.get(f"{parts.scheme}://{parts.netloc}")
