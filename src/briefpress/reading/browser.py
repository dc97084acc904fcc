"""Chromium, driven through Playwright, for the reading checks: where the tools are,
serving built files over loopback, and what the engine laid out (widths, axe-core,
the fonts that drew each glyph, a fontconfig without Chinese fonts)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cjk import js_class
from .book import open_book
from .offline import site_of

PHONE_WIDTHS = (320, 390)
#: Ace and axe impacts that fail a check
FAILING_IMPACTS = ("serious", "critical")
#: what Chromium needs to start as root in a closed network, quickly and quietly
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: what makes Chromium reach no host at all: every name, address included, resolves nowhere
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND"]
_CJK_TEST = f"/{js_class()}/u"


class Unavailable(Exception):
    """A tool the reading checks need is not installed; the message says which and how."""


def chromium_path() -> str:
    """Debian's Chromium, or the one ``BRIEFPRESS_CHROMIUM`` names."""
    configured = os.environ.get("BRIEFPRESS_CHROMIUM")
    found = configured if configured else shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).is_file():
        raise Unavailable("Chromium is not installed (apt-get install chromium)")
    return found


def node_tools() -> Path:
    """The folder holding node_modules with @daisy/ace-cli and axe-core."""
    configured = os.environ.get("BRIEFPRESS_NODE_TOOLS")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[3] / "scripts" / "node")
    for folder in candidates:
        if (folder / "node_modules" / "axe-core" / "axe.min.js").is_file():
            return folder
    raise Unavailable("axe-core and DAISY Ace are not installed (make setup installs them)")


def ace_command() -> list[str]:
    local = node_tools() / "node_modules" / ".bin" / "ace-cli"
    if local.is_file():
        return [str(local)]
    raise Unavailable("DAISY Ace is not installed (make setup installs it)")


# -- serving files to the browser --------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".xhtml": "application/xhtml+xml",
        ".otf": "font/otf",
        ".css": "text/css",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (web fonts do not load from file: pages)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def epub_documents(book: Path, folder: Path) -> list[str]:
    """Unpack ``book`` into ``folder``; the content documents in spine order, as paths.

    The book is read defensively (:func:`~.book.open_book`: BookError when it is not one)."""
    opened = open_book(book)
    opened.unpack(folder)
    return opened.spine


# -- the browser ---------------------------------------------------------------------------


class _Driver:
    """One Playwright driver per process: its sync API allows only one at a time, and a
    check may need two browsers at once (one of them without Chinese fonts)."""

    users = 0
    playwright: Any = None

    @classmethod
    def acquire(cls) -> Any:
        if cls.users == 0:
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                raise Unavailable("Playwright for Python is not installed (pip install playwright)") from None
            cls.playwright = sync_playwright().start()
        cls.users += 1
        return cls.playwright

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0:
            cls.playwright.stop()
            cls.playwright = None


@dataclass
class Browser:
    """A headless Chromium, optionally seeing only the fonts of a given fontconfig, and
    ``offline``: resolving no host name (what ``briefpress check`` opens pages in)."""

    fontconfig: Path | None = None
    offline: bool = False
    _browser: Any = None

    def __enter__(self) -> Browser:
        executable = chromium_path()
        env = dict(os.environ)
        if self.fontconfig is not None:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        playwright = _Driver.acquire()
        try:
            self._browser = playwright.chromium.launch(
                executable_path=executable,
                args=CHROMIUM_ARGS + (OFFLINE_ARGS if self.offline else []),
                env=env,
            )
        except Exception:
            _Driver.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
        finally:
            _Driver.release()

    @contextlib.contextmanager
    def page(self, url: str, width: int = 390, height: int = 844, **context: Any) -> Iterator[Any]:
        """``url`` loaded, its fonts ready; a page of an :func:`~.offline.offline` site is
        opened offline, its scripts on only when they are all briefpress's."""
        site = site_of(url)
        if site is not None:
            context["service_workers"] = "block"
            context["java_script_enabled"] = context.get("java_script_enabled", True) and site.runs_scripts(
                url
            )
        ctx = self._browser.new_context(viewport={"width": width, "height": height}, **context)
        try:
            if site is not None:
                site.attach(ctx)
            page = ctx.new_page()
            page.goto(url, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page
        finally:
            ctx.close()


SCROLL_WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
AXE_RUN = "(options) => axe.run(document, options)"


@functools.cache
def axe_script() -> str:
    return (node_tools() / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def overflow(browser: Browser, url: str, width: int) -> int:
    """How wide the page is laid out at a viewport ``width`` (equal to it when nothing overflows)."""
    with browser.page(url, width=width) as page:
        return int(page.evaluate(SCROLL_WIDTH))


def axe_violations(
    browser: Browser, url: str, scheme: str = "light", rules: list[str] | None = None, width: int = 1280
) -> list[dict[str, Any]]:
    """axe-core's violations on the page (only ``rules`` when given), in a colour scheme."""
    with browser.page(url, width=width, color_scheme=scheme) as page:
        page.evaluate(axe_script())  # not a <script>: an offline page's policy allows none of ours
        options = {"runOnly": {"type": "rule", "values": rules}} if rules else {}
        result = page.evaluate(AXE_RUN, options)
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]],
            "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
        }
        for v in result["violations"]
    ]


def fonts_of_chinese_text(browser: Browser, url: str) -> list[dict[str, Any]]:
    """For every element with Chinese text of its own: its text and the fonts that drew it.

    The fonts come from the engine itself (CDP ``CSS.getPlatformFontsForNode``): family
    name, whether it is a web font from the document, and how many glyphs it drew.
    """
    with browser.page(url) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
        found = []
        for node in _elements(root):
            own = "".join(c.get("nodeValue", "") for c in node.get("children", []) if c["nodeType"] == 3)
            chinese = page.evaluate(f"(t) => [...t].filter(ch => {_CJK_TEST}.test(ch)).length", own)
            if not chinese:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
            found.append(
                {
                    "tag": node["localName"],
                    "text": own.strip()[:40],
                    "chinese": chinese,
                    "fonts": [
                        {"family": f["familyName"], "custom": f["isCustomFont"], "glyphs": f["glyphCount"]}
                        for f in fonts
                    ],
                }
            )
        return found


def _elements(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for child in node.get("children", []):
        if child["nodeType"] == 1 and child["localName"] not in ("head", "script", "style", "title"):
            yield child
            yield from _elements(child)


@contextlib.contextmanager
def fontconfig_without_chinese() -> Iterator[Path]:
    """A fontconfig file that shows only the installed fonts with no Chinese in them."""
    listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True)
    chinese = subprocess.run(
        ["fc-list", ":lang=zh", "--format", "%{file}\n"], capture_output=True, text=True, check=True
    )
    keep = sorted(set(listing.stdout.split()) - set(chinese.stdout.split()))
    with tempfile.TemporaryDirectory(prefix="briefpress-fonts-") as tmp:
        fonts = Path(tmp) / "fonts"
        fonts.mkdir()
        for number, path in enumerate(keep):
            (fonts / f"{number:04d}-{Path(path).name}").symlink_to(path)
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            f"  <dir>{fonts}</dir>\n  <cachedir>{Path(tmp) / 'cache'}</cachedir>\n"
            '  <include ignore_missing="yes">/etc/fonts/conf.d/30-metric-aliases.conf</include>\n'
            "</fontconfig>\n",
            encoding="utf-8",
        )
        yield conf
