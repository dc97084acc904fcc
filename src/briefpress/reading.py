"""What a reader sees: the built editions in a real browser engine, and DAISY Ace.

Text extraction and EPUBCheck prove nothing is lost; these checks load the HTML page
and every EPUB content document in Chromium (Debian's, driven through Playwright) at
phone widths and measure what was laid out: horizontal overflow, text contrast in
light and dark mode (axe-core), and which font drew each Chinese glyph of a book with
an embedded font when the machine has no Chinese font at all. DAISY Ace checks each
book as a whole. Every check that cannot run here says why instead of passing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cjk import js_class

#: the phone widths every page must fit (an iPhone SE/mini class screen, and 320 px)
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
    candidates.append(Path(__file__).resolve().parents[2] / "scripts" / "node")
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
    """Unpack ``book`` into ``folder``; the content documents in spine order, as paths."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(book) as archive:
        archive.extractall(folder)
    container = ElementTree.parse(folder / "META-INF" / "container.xml")
    rootfile = container.getroot().find(".//{*}rootfile")
    opf_path = str(rootfile.get("full-path") if rootfile is not None else "")
    opf = ElementTree.parse(folder / opf_path)
    base = Path(opf_path).parent
    hrefs = {item.get("id"): str(item.get("href")) for item in opf.iterfind(".//{*}manifest/{*}item")}
    return [(base / hrefs[ref.get("idref")]).as_posix() for ref in opf.iterfind(".//{*}spine/{*}itemref")]


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
    """A headless Chromium, optionally seeing only the fonts of a given fontconfig."""

    fontconfig: Path | None = None
    _browser: Any = None

    def __enter__(self) -> Browser:
        executable = chromium_path()
        env = dict(os.environ)
        if self.fontconfig is not None:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        playwright = _Driver.acquire()
        try:
            self._browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, env=env
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
        ctx = self._browser.new_context(viewport={"width": width, "height": height}, **context)
        try:
            page = ctx.new_page()
            page.goto(url, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page
        finally:
            ctx.close()


_SCROLL_WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
_AXE_RUN = "(options) => axe.run(document, options)"


@functools.cache
def _axe_script() -> str:
    return (node_tools() / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def overflow(browser: Browser, url: str, width: int) -> int:
    """How wide the page is laid out at a viewport ``width`` (equal to it when nothing overflows)."""
    with browser.page(url, width=width) as page:
        return int(page.evaluate(_SCROLL_WIDTH))


def axe_violations(
    browser: Browser, url: str, scheme: str = "light", rules: list[str] | None = None, width: int = 1280
) -> list[dict[str, Any]]:
    """axe-core's violations on the page (only ``rules`` when given), in a colour scheme."""
    with browser.page(url, width=width, color_scheme=scheme) as page:
        page.add_script_tag(content=_axe_script())
        options = {"runOnly": {"type": "rule", "values": rules}} if rules else {}
        result = page.evaluate(_AXE_RUN, options)
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


# -- DAISY Ace ---------------------------------------------------------------------------


@dataclass
class AceResult:
    #: (rule, impact, document, description) of every violation
    violations: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def failing(self) -> list[tuple[str, str, str, str]]:
        return [v for v in self.violations if v[1] in FAILING_IMPACTS]

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(f"{rule} ({impact})" for rule, impact, _, _ in self.violations))


def ace(book: Path, timeout: float = 300) -> AceResult:
    """Run DAISY Ace on ``book`` with the system Chromium; its violations."""
    command = ace_command()
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=chromium_path(), PUPPETEER_SKIP_DOWNLOAD="1")
    with tempfile.TemporaryDirectory(prefix="briefpress-ace-") as tmp:
        done = subprocess.run(
            [*command, "--force", "--silent", "--outdir", tmp, "--tempdir", tmp + "/work", str(book)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        report = Path(tmp) / "report.json"
        if not report.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise RuntimeError(f"Ace did not write a report: {tail[0]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    result = AceResult()
    for document in data.get("assertions", []):
        where = document["earl:testSubject"]["url"]
        for item in document.get("assertions", []):
            test = item["earl:test"]
            result.violations.append(
                (test["dct:title"], test["earl:impact"], where, item["earl:result"]["dct:description"])
            )
    return result


# -- the checks, as `briefpress check` and the tests run them ---------------------------


@dataclass
class Finding:
    check: str
    ok: bool | None  # None: could not be checked here
    detail: str = ""


@dataclass
class PageLook:
    """What one page looks like: laid-out width per viewport width, contrast problems."""

    name: str
    widths: dict[int, int]
    contrast: list[str]


def look(browser: Browser, url: str) -> PageLook:
    """Load ``url`` once: its width at each phone width, then axe's contrast rule in light and dark."""
    script = _axe_script()
    name = url.rsplit("/", 1)[-1]
    with browser.page(url, width=PHONE_WIDTHS[-1]) as page:
        widths = {}
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            widths[width] = int(page.evaluate(_SCROLL_WIDTH))
        page.add_script_tag(content=script)
        contrast = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            result = page.evaluate(_AXE_RUN, {"runOnly": {"type": "rule", "values": ["color-contrast"]}})
            for v in result["violations"]:
                for node in v["nodes"]:
                    contrast.append(
                        f"{name} ({scheme}): {node['target'][0]} {node.get('failureSummary', '')[:120]}"
                    )
    return PageLook(name, widths, contrast)


def _page_findings(looks: list[PageLook]) -> list[Finding]:
    over = [
        (laid - width, lk.name, width, laid)
        for lk in looks
        for width, laid in lk.widths.items()
        if laid > width
    ]
    widest = max(laid for lk in looks for laid in lk.widths.values())
    sizes = " and ".join(map(str, PHONE_WIDTHS))
    if over:
        _, name, width, laid = max(over)
        fits = Finding("fits a phone", False, f"{name} is {laid} px wide at a {width} px screen")
    else:
        fits = Finding("fits a phone", True, f"{len(looks)} page(s) at {sizes} px, widest {widest} px")
    problems = [p for lk in looks for p in lk.contrast]
    if problems:
        contrast = Finding(
            "text contrast ≥ 4.5:1", False, f"{len(problems)} problem(s); first: {problems[0]}"
        )
    else:
        contrast = Finding("text contrast ≥ 4.5:1", True, "light and dark")
    return [fits, contrast]


def check_page(browser: Browser, page: Path) -> list[Finding]:
    """An HTML page: fits phone widths, readable contrast, no serious axe violation."""
    with serve(page.parent) as base:
        url = f"{base}/{page.name}"
        findings = _page_findings([look(browser, url)])
        serious = [v for v in axe_violations(browser, url) if v["impact"] in FAILING_IMPACTS]
        findings.append(
            Finding(
                "axe: no serious or critical violation",
                not serious,
                ", ".join(f"{v['rule']} ({v['impact']}): {v['targets'][0]}" for v in serious) or "none",
            )
        )
    return findings


def check_book(browser: Browser, book: Path, run_ace: bool = True) -> list[Finding]:
    """An EPUB: every content document fits phone widths with readable contrast; with an
    embedded font, every Chinese glyph is drawn by it on a machine without Chinese fonts;
    DAISY Ace reports nothing serious or critical."""
    with tempfile.TemporaryDirectory(prefix="briefpress-book-") as tmp:
        documents = epub_documents(book, Path(tmp))
        with serve(Path(tmp)) as base:
            urls = [f"{base}/{doc}" for doc in documents]
            findings = _page_findings([look(browser, url) for url in urls])
            if list(Path(tmp).rglob("*.otf")) or list(Path(tmp).rglob("*.ttf")):
                findings.append(_embedded_font(urls))
    if run_ace:
        findings.append(_ace(book))
    return findings


def _embedded_font(urls: list[str]) -> Finding:
    """On a machine with no Chinese font, which font draws each Chinese glyph?"""
    missed = []
    with fontconfig_without_chinese() as conf, Browser(fontconfig=conf) as fontless:
        for url in urls:
            for node in fonts_of_chinese_text(fontless, url):
                if not node["fonts"]:
                    continue  # not rendered (the hidden landmarks)
                drawn = sum(f["glyphs"] for f in node["fonts"] if f["custom"])
                if drawn < node["chinese"]:
                    others = ", ".join(f["family"] for f in node["fonts"] if not f["custom"])
                    missed.append(f"{url.rsplit('/', 1)[-1]} <{node['tag']}> {node['text']!r} ({others})")
    if missed:
        return Finding(
            "embedded font draws all Chinese", False, f"{len(missed)} element(s); first: {missed[0]}"
        )
    return Finding(
        "embedded font draws all Chinese", True, "every Chinese glyph, with no Chinese font installed"
    )


def _ace(book: Path) -> Finding:
    try:
        result = ace(book)
    except Unavailable as exc:
        return Finding("DAISY Ace", None, f"skipped: {exc}")
    failing = result.failing
    summary = ", ".join(f"{rule}: {n}" for rule, n in result.by_rule().items()) or "no violations"
    if failing:
        rule, impact, where, text = failing[0]
        return Finding("DAISY Ace", False, f"{summary}; first: {where}: {text[:120]}")
    return Finding("DAISY Ace", True, summary)
