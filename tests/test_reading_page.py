"""The reading page on one grid, measured in Chromium (Playwright, as test_page does):
every block's left edge the same at 1280 and 1920 px in every view, nothing wider than
a phone, a view bar that stays in the window, headings that name what the view shows,
and links only to the index and the editions the build wrote."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from briefpress import reading
from briefpress.build.steps import build
from briefpress.errors import Report
from briefpress.options import Options
from conftest import EXAMPLE, RICH_SOURCE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: output folder name -> (the editions it is built in, the download links its pages show)
BUILDS = {
    "epub": (("html", "epub"), ["EPUB"]),
    "pdf": (("html", "pdf", "kepub"), ["PDF", "Kobo"]),
}
PAGES = ("openai-third-phase", "rich")
VIEWS = ("all", "brief", "bilingual", "translation", "original")

#: the left edge of every block the page shows: the site's bar, the article's blocks, each
#: section's, and the leftmost column of each pair
LEFT_EDGES = """() => {
  const shown = (e) => e.getClientRects().length && e.getBoundingClientRect().width > 0;
  const blocks = [...document.querySelectorAll(
    "body > :not(script, .note-popover), article > *, article > section > *, article > section > .pairs")];
  const edges = blocks.filter(shown).map((e) => [e.className || e.localName, e.getBoundingClientRect().left]);
  for (const pair of document.querySelectorAll(".pair")) {
    const lefts = [...pair.children].filter(shown).map((e) => e.getBoundingClientRect().left);
    if (lefts.length) edges.push(["pair " + pair.id, Math.min(...lefts)]);
  }
  return edges;
}"""
#: elements wider than the window, those inside a box that scrolls on its own (a table) aside
TOO_WIDE = """() => [...document.querySelectorAll("body *")].filter((e) => {
  const box = e.getBoundingClientRect();
  if (!box.width || (box.left >= -0.5 && box.right <= innerWidth + 0.5)) return false;
  for (let up = e.parentElement; up && up !== document.body; up = up.parentElement)
    if (getComputedStyle(up).overflowX !== "visible") return false;
  return true;
}).map((e) => e.localName + "." + e.className)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("grid")
    for name, (formats, _) in BUILDS.items():
        result = build([EXAMPLE, RICH_SOURCE], Options(output=out / name, formats=formats), Report())
        assert result.ok and result.warnings == [], [str(e) for e in result.errors]
    return out


def url(base: str, slug: str, view: str = "all", folder: str = "epub") -> str:
    return f"{base}/{folder}/{slug}/{slug}.html?view={view}"


@pytest.mark.parametrize("width", [1280, 1920])
def test_every_block_shares_one_left_edge_in_every_view(browser, base, width):
    for slug in PAGES:
        for view in VIEWS:
            with browser.page(url(base, slug, view), width=width, height=900) as page:
                edges = page.evaluate(LEFT_EDGES)
            lefts = [left for _, left in edges]
            assert len(edges) > 6 and max(lefts) - min(lefts) <= 1, (slug, view, edges)


@pytest.mark.parametrize("width", [1280, 1920])
def test_side_by_side_pairs_are_centred_and_single_text_keeps_its_measure(browser, base, width):
    with browser.page(url(base, "openai-third-phase", "all"), width=width, height=900) as page:
        pairs = page.locator("section#bilingual .pairs").bounding_box()
        assert abs(pairs["x"] - (width - pairs["x"] - pairs["width"])) <= 1  # the grid is symmetric
        english = page.locator("#pair-3 .orig").bounding_box()
        chinese = page.locator("#pair-3 .trans").bounding_box()
        assert abs(english["width"] - chinese["width"]) <= 1
        assert english["x"] + english["width"] < chinese["x"]
        assert 30 * 16 <= english["width"] <= 36 * 16  # two columns of ~34 rem
        original = page.locator(".original-text").bounding_box()
        assert 34 * 16 <= original["width"] <= 40 * 16  # English on its own: 34-40 rem
    with browser.page(url(base, "openai-third-phase", "translation"), width=width, height=900) as page:
        chinese = page.locator("#pair-3 .trans p").first
        ems = chinese.evaluate("p => p.offsetWidth / parseFloat(getComputedStyle(p).fontSize)")
        assert 38 <= ems <= 42  # Chinese on its own: 38-42 characters a line


def test_nothing_is_wider_than_a_phone(browser, base):
    for slug in PAGES:
        for view in ("all", "translation"):
            with browser.page(url(base, slug, view), width=390) as page:
                assert page.evaluate(TOO_WIDE) == [], (slug, view)
                assert page.evaluate(reading.browser.SCROLL_WIDTH) <= 390


@pytest.mark.parametrize("width", [390, 1280])
def test_the_view_bar_stays_in_the_window_and_works_there(browser, base, width):
    with browser.page(url(base, "openai-third-phase"), width=width, height=800) as page:
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert page.evaluate("scrollY") > 5000
        bar = page.locator(".page-controls").bounding_box()
        assert bar["y"] >= 0 and bar["y"] + bar["height"] <= 800
        assert bar["height"] < 60  # compact: one line, on a phone too
        button = page.locator(".views button[data-view=translation]")
        box = button.bounding_box()
        on_top = f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
        assert page.evaluate(f"{on_top}.dataset.view") == "translation"  # nothing covers it
        button.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.documentElement.dataset.view") == "translation"


def test_the_headings_say_what_the_view_shows(browser, base):
    heading = "section#bilingual > h2"
    with browser.page(url(base, "rich", "translation"), width=1280) as page:
        assert page.locator(heading).inner_text() == "译文"
        assert page.locator('.toc a[href="#bilingual"]').text_content() == "译文"  # folded away
        page.locator(".views button[data-view=bilingual]").click()
        assert page.locator(heading).inner_text() == "双语对照"
        page.locator("button.fold").click()  # the English folded away: the translation only
        assert page.locator(heading).inner_text() == "译文"
        page.locator("button.fold").click()
        assert page.locator(heading).inner_text() == "双语对照"
    with browser.page(url(base, "rich", "translation"), width=390, java_script_enabled=False) as page:
        assert page.locator("section#original").is_visible()  # the default view: everything
        assert page.locator(heading).inner_text() == "双语对照"


@pytest.mark.parametrize("folder", BUILDS)
def test_links_lead_to_the_index_and_to_the_editions_built(browser, base, site, folder):
    formats, labels = BUILDS[folder]
    for slug in PAGES:
        with browser.page(url(base, slug, folder=folder), width=1280) as page:
            index = page.locator(".site-bar a.site-name")
            assert index.inner_text() == Options().site_name
            downloads = page.locator(".site-bar .downloads a")
            assert downloads.all_inner_texts() == labels
            hrefs = [index.evaluate("a => a.href"), *downloads.evaluate_all("all => all.map(a => a.href)")]
        files = [site / urlsplit(href).path.lstrip("/") for href in hrefs]
        assert files[0] == site / folder / "index.html"
        assert all(path.is_file() for path in files), files
        written = {p.name for p in (site / folder / slug).iterdir()}
        assert {p.name for p in files[1:]} < written
    assert ("pdf" in formats) == (site / folder / "rich" / "rich.pdf").is_file()


def test_focus_shows_and_the_page_keeps_its_landmarks_and_heading_order(browser, base):
    with browser.page(url(base, "openai-third-phase"), width=390) as page:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "site-name"
        assert page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)") >= 2
    rules = ["heading-order", "region", "landmark-unique", "landmark-one-main", "color-contrast"]
    for width, view in ((390, "all"), (1280, "translation")):
        for scheme in ("light", "dark"):
            found = reading.axe_violations(
                browser, url(base, "openai-third-phase", view), scheme, rules=rules, width=width
            )
            assert found == [], (width, view, scheme)
