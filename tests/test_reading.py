"""What readers see: the editions in a real browser engine (Chromium) and in DAISY Ace.

The example and the rich test article are built as the HTML page and as EPUBs (plain,
with an embedded font, translation-only with English labels, a digest), then every
page is laid out in Debian's Chromium, driven through Playwright: at 320 and 390 px
nothing may be wider than the screen, text contrast must pass AA in light and dark
mode, the cover must fit one screen, and on a machine without any Chinese font the
embedded font must draw every Chinese glyph. DAISY Ace checks every book. The same
functions run in ``briefpress check``.
"""

from __future__ import annotations

import io
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from briefpress import reading
from briefpress.build.steps import build
from briefpress.cli import main
from briefpress.errors import Report
from briefpress.options import Options
from conftest import EXAMPLE, MINIMAL, MINIMAL_WARNING, RICH_SOURCE

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """Every edition a reader opens on a screen, by name."""
    out = tmp_path_factory.mktemp("reading")
    sources = [EXAMPLE, RICH_SOURCE]
    variants = {
        "default": (Options(formats=("html", "epub")), sources),
        "embedded": (Options(formats=("epub",), embed_fonts=True), sources),
        "english-ui": (Options(formats=("html", "epub"), lang_ui="en", translation_only=True), [RICH_SOURCE]),
        "digest": (
            Options(formats=("epub",), digest="第 1 期"),
            [*sources, MINIMAL],
        ),
    }
    found = {}
    for name, (options, chosen) in variants.items():
        result = build(chosen, options.replace(output=out / name), Report())
        expected = [MINIMAL_WARNING] if MINIMAL in chosen else []
        assert result.ok and result.warnings == expected, [str(e) for e in result.errors]
        for path in (out / name).rglob("*"):
            if path.suffix in (".html", ".epub"):
                found[f"{name}/{path.name}"] = path
    return found


@pytest.fixture(scope="module")
def browser():
    with reading.Browser(offline=True) as chromium:  # as briefpress check opens them
        yield chromium


def looks_of(browser, path: Path) -> list[reading.PageLook]:
    """Every page of an edition as laid out: the HTML page, or each EPUB content document."""
    if path.suffix == ".html":
        with reading.offline(path.parent, [path.name]) as site:
            return [reading.look(browser, site.url(path.name))]
    folder = path.parent / f".unpacked-{path.stem}"
    documents = reading.epub_documents(path, folder)
    with reading.offline(folder) as site:
        return [reading.look(browser, site.url(doc)) for doc in documents]


def test_every_page_fits_a_phone_and_reads_in_light_and_dark(books, browser):
    """At 320 and 390 px no page scrolls sideways (wide tables scroll in their own box,
    URLs and code wrap, images scale), and all text has AA contrast in both schemes."""
    too_wide, contrast = [], []
    for name, path in books.items():
        if name.startswith("digest/") and path.suffix == ".epub":
            continue  # the same chapters as the articles' books; Ace checks the digest
        for page in looks_of(browser, path):
            too_wide += [
                f"{name} {page.name}: {laid} px at {w}" for w, laid in page.widths.items() if laid > w
            ]
            contrast += [f"{name} {problem}" for problem in page.contrast]
    assert too_wide == []
    assert contrast == []


def test_the_cover_fits_one_screen(books, browser, tmp_path):
    folder = tmp_path / "book"
    reading.epub_documents(books["default/rich.epub"], folder)
    with reading.offline(folder) as site:
        for width, height in ((768, 844), (390, 844), (1280, 720)):
            with browser.page(site.url("EPUB/cover.xhtml"), width=width, height=height) as page:
                box = page.locator("svg").bounding_box()
                image = page.locator("svg image").bounding_box()
                scroll = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
                )
            assert scroll == [width, height]
            assert image["x"] >= 0 and image["x"] + image["width"] <= width + 0.5
            assert image["y"] >= 0 and image["y"] + image["height"] <= height + 0.5
            # the whole image, as large as the screen allows
            assert max(image["width"] / width, image["height"] / height) > 0.99
            assert box["height"] <= height


def test_html_pages_have_no_serious_axe_violation(books, browser):
    for name in ("default/openai-third-phase.html", "default/rich.html", "english-ui/rich.html"):
        path = books[name]
        with reading.offline(path.parent, [path.name]) as site:
            for scheme in ("light", "dark"):
                found = reading.axe_violations(browser, site.url(path.name), scheme)
                serious = [v for v in found if v["impact"] in reading.FAILING_IMPACTS]
                assert serious == [], (name, scheme)


def test_embedded_font_draws_every_chinese_glyph_without_chinese_fonts(books, tmp_path):
    """The case --embed-fonts exists for: a reader with no Chinese font. Headings (bold),
    body text and Chinese quotes all come from the embedded subset."""
    with reading.fontconfig_without_chinese() as conf:
        seen = subprocess.run(
            ["fc-list", ":lang=zh"],
            env={**os.environ, "FONTCONFIG_FILE": str(conf)},
            capture_output=True,
            text=True,
        )
        assert seen.stdout.strip() == ""  # the browser below really has no Chinese font
        with reading.Browser(fontconfig=conf, offline=True) as fontless:
            for name in ("embedded/openai-third-phase.epub", "embedded/rich.epub", "default/rich.epub"):
                folder = tmp_path / name.replace("/", "-")
                documents = reading.epub_documents(books[name], folder)
                missed, drawn_by_embedded = [], 0
                with reading.offline(folder) as site:
                    for doc in documents:
                        for node in reading.fonts_of_chinese_text(fontless, site.url(doc)):
                            custom = sum(f["glyphs"] for f in node["fonts"] if f["custom"])
                            drawn_by_embedded += custom
                            if node["fonts"] and custom < node["chinese"]:
                                missed.append((doc, node["tag"], node["text"]))
                if name.startswith("embedded/"):
                    assert missed == [], name
                    assert drawn_by_embedded > 200
                else:  # without the font, the same check sees the glyphs go missing
                    assert drawn_by_embedded == 0 and len(missed) > 20


def test_chinese_quotes_come_from_the_embedded_font_in_chinese_text_only(books, tmp_path):
    folder = tmp_path / "rich"
    reading.epub_documents(books["embedded/rich.epub"], folder)
    css = (folder / "EPUB" / "styles" / "book.css").read_text(encoding="utf-8")
    zh_face, other_face = css.split("@font-face")[2], css.split("@font-face")[1]
    assert "U+201C-201D" in zh_face and "U+201C-201D" not in other_face
    assert 'html { font-family: "Noto Serif CJK SC Embedded Text", serif' in css
    assert '.orig, .original-text, .note-original { font-family: "Noto Serif CJK SC Embedded", serif' in css


def test_daisy_ace_finds_nothing_serious_in_any_book(books):
    names = sorted(
        n for n in books if n.endswith(".epub") and (n == "digest/digest.epub" or "digest/" not in n)
    )
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(names, pool.map(reading.ace, [books[n] for n in names]), strict=True))
    failing = {name: result.failing for name, result in results.items() if result.failing}
    assert failing == {}
    assert len(results) == 6


def test_the_checks_can_fail(browser, tmp_path):
    """A page that scrolls sideways and grey-on-white text are caught."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#bbb">faint</p><div style="width:700px">wide</div></main></body></html>',
        encoding="utf-8",
    )
    with reading.offline(tmp_path) as site:
        page = reading.look(browser, site.url("bad.html"))
    assert all(laid >= 700 for laid in page.widths.values())
    assert len(page.contrast) == 2 and "light" in page.contrast[0] and "dark" in page.contrast[1]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def test_check_runs_the_reading_checks_or_says_it_skipped_them(tmp_path, monkeypatch):
    """The rich article in every edition, then the whole of briefpress check on it."""
    assert (
        run("build", str(RICH_SOURCE), "-o", str(tmp_path), "--formats", "html,pdf,epub,newsletter")[0] == 0
    )
    assert {p.name for p in (tmp_path / "rich").iterdir()} >= {
        "rich.html",
        "rich.pdf",
        "rich.epub",
        "rich.newsletter.html",
        "rich.newsletter.txt",
        "rich.eml",
    }
    code, out, err = run("check", str(tmp_path))
    assert (code, err) == (0, "")
    for row in (
        "PDF text (10 paragraphs)",
        "EPUB text (10 paragraphs)",
        "EPUBCheck",
        "HTML: fits a phone",
        "HTML: text contrast ≥ 4.5:1",
        "HTML: axe: no serious or critical violation",
        "EPUB: fits a phone",
        "EPUB: text contrast ≥ 4.5:1",
        "EPUB: DAISY Ace",
    ):
        assert any(line.split("  ")[1:2] == [row] and " ok " in line for line in out.splitlines()), row
    monkeypatch.setenv("BRIEFPRESS_CHROMIUM", str(tmp_path / "no-chromium"))
    code, out, err = run("check", str(tmp_path), "--no-epubcheck")
    assert code == 0
    [row] = [line for line in out.splitlines() if "reading checks" in line]
    assert (
        " ".join(row.split()[2:]) == "skipped skipped: Chromium is not installed (apt-get install chromium)"
    )
