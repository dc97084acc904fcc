"""What a reader sees: the built editions in a real browser engine, and DAISY Ace.

Text extraction and EPUBCheck prove nothing is lost; these checks load the HTML page
and every EPUB content document in Chromium (Debian's, driven through Playwright) at
phone widths and measure what was laid out: horizontal overflow, text contrast in
light and dark mode (axe-core), and which font drew each Chinese glyph of a book with
an embedded font when the machine has no Chinese font at all. DAISY Ace checks each
book as a whole. Every check that cannot run here says why instead of passing.

Pages are opened offline (:mod:`.offline`): nothing outside the page or the book is
reached, and only the script briefpress writes runs. Books are read defensively
(:mod:`.book`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .ace import AceResult, ace
from .book import MAX_BYTES, MAX_MEMBERS, Book, BookError, open_book
from .browser import (
    AXE_RUN,
    FAILING_IMPACTS,
    PHONE_WIDTHS,
    SCROLL_WIDTH,
    Browser,
    Unavailable,
    axe_script,
    axe_violations,
    epub_documents,
    fontconfig_without_chinese,
    fonts_of_chinese_text,
    overflow,
    serve,
)
from .offline import SCRIPTED, Site, foreign_scripts, offline, site_of

__all__ = [
    "FAILING_IMPACTS",
    "PHONE_WIDTHS",
    "MAX_BYTES",
    "MAX_MEMBERS",
    "AceResult",
    "Book",
    "BookError",
    "Browser",
    "Finding",
    "PageLook",
    "Unavailable",
    "ace",
    "axe_violations",
    "check_book",
    "check_page",
    "epub_documents",
    "fontconfig_without_chinese",
    "fonts_of_chinese_text",
    "foreign_scripts",
    "look",
    "offline",
    "open_book",
    "overflow",
    "serve",
]

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
    #: None: not checked (the page's scripts were off, and axe needs them)
    contrast: list[str] | None


def look(browser: Browser, url: str) -> PageLook:
    """Load ``url`` once: its width at each phone width, then axe's contrast rule in light
    and dark (not when the page's scripts are off: axe needs JavaScript, so contrast is None)."""
    name = url.rsplit("/", 1)[-1]
    site = site_of(url)
    scripts = site is None or site.runs_scripts(url)
    with browser.page(url, width=PHONE_WIDTHS[-1]) as page:
        widths = {}
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            widths[width] = int(page.evaluate(SCROLL_WIDTH))
        if not scripts:
            return PageLook(name, widths, None)
        page.evaluate(axe_script())  # evaluated, not a <script>: the page's policy allows none of ours
        contrast = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            result = page.evaluate(AXE_RUN, {"runOnly": {"type": "rule", "values": ["color-contrast"]}})
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
    problems = [p for lk in looks for p in lk.contrast or []]
    unchecked = sum(lk.contrast is None for lk in looks)
    if problems:
        contrast = Finding(
            "text contrast ≥ 4.5:1", False, f"{len(problems)} problem(s); first: {problems[0]}"
        )
    elif unchecked:
        contrast = Finding(
            "text contrast ≥ 4.5:1", None, f"not checked in {unchecked} page(s): {SCRIPTS_OFF}"
        )
    else:
        contrast = Finding("text contrast ≥ 4.5:1", True, "light and dark")
    return [fits, contrast]


#: why a check that needs JavaScript did not run
SCRIPTS_OFF = "axe needs JavaScript, off for script briefpress did not write"


def _scripts(foreign: list[str], edition: str) -> Finding:
    """Whether the edition carries script briefpress did not write (then it was opened with
    JavaScript off)."""
    if foreign:
        return Finding(
            "scripts",
            False,
            f"{len(foreign)} that briefpress did not write, first {foreign[0]}: opened with "
            f"JavaScript off; rebuild the {edition} unless you put them there",
        )
    own = "briefpress's own only, run offline" if edition == "page" else "none, as briefpress writes books"
    return Finding("scripts", True, own)


def _requests(site: Site, edition: str) -> Finding:
    """Whether the edition asked for anything outside itself (all of it was blocked)."""
    asked = list(dict.fromkeys(site.blocked))
    if asked:
        return Finding(
            "self-contained",
            False,
            f"asked for {len(asked)} thing(s) outside the {edition}, all blocked; first: {asked[0][:120]}",
        )
    return Finding("self-contained", True, f"asked for nothing outside the {edition}, opened offline")


def check_page(browser: Browser, page: Path) -> list[Finding]:
    """An HTML page, opened offline: only briefpress's script, fits phone widths, readable
    contrast, no serious axe violation, nothing asked for outside it."""
    with offline(page.parent, [page.name]) as site:
        url = site.url(page.name)
        path = site.file(url)
        if path is None:
            return [
                Finding("page", False, f"not opened: not a regular file of at most {MAX_BYTES // 2**20} MB")
            ]
        foreign = foreign_scripts(path.read_bytes())
        findings = [_scripts(foreign, "page"), *_page_findings([look(browser, url)])]
        serious = (
            [] if foreign else [v for v in axe_violations(browser, url) if v["impact"] in FAILING_IMPACTS]
        )
        findings.append(
            Finding(
                "axe: no serious or critical violation",
                None if foreign else not serious,
                f"not run: {SCRIPTS_OFF}"
                if foreign
                else ", ".join(f"{v['rule']} ({v['impact']}): {v['targets'][0]}" for v in serious) or "none",
            )
        )
        findings.append(_requests(site, "page"))
    return findings


def check_book(browser: Browser, book: Path, run_ace: bool = True) -> list[Finding]:
    """An EPUB, read defensively and opened offline: every content document fits phone
    widths with readable contrast; with an embedded font, every Chinese glyph is drawn by
    it on a machine without Chinese fonts; DAISY Ace reports nothing serious or critical."""
    with tempfile.TemporaryDirectory(prefix="briefpress-book-") as tmp:
        documents = epub_documents(book, Path(tmp))
        foreign = [
            f"in {path.relative_to(tmp).as_posix()}: {what}"
            for path in sorted(Path(tmp).rglob("*"))
            if path.suffix.lower() in SCRIPTED and path.is_file()
            for what in foreign_scripts(path.read_bytes())
        ]
        findings = [_scripts(foreign, "book")]
        with offline(Path(tmp)) as site:
            urls = [site.url(doc) for doc in documents]
            findings += _page_findings([look(browser, url) for url in urls])
            if list(Path(tmp).rglob("*.otf")) or list(Path(tmp).rglob("*.ttf")):
                findings.append(_embedded_font(urls))
            findings.append(_requests(site, "book"))
    if run_ace:
        # Ace opens every document with its scripts on (and its own browser offline)
        findings.append(
            Finding("DAISY Ace", None, "not run: Ace would run the book's scripts") if foreign else _ace(book)
        )
    return findings


def _embedded_font(urls: list[str]) -> Finding:
    """On a machine with no Chinese font, which font draws each Chinese glyph?"""
    missed = []
    with fontconfig_without_chinese() as conf, Browser(fontconfig=conf, offline=True) as fontless:
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
