"""The HTML edition as a reading page, in a real browser: views, pairs, notes, the
archive index and its Atom feed. Chromium through Playwright, as in test_reading."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from briefpress import reading
from briefpress.build.steps import build
from briefpress.errors import Report
from briefpress.options import Options
from conftest import EXAMPLE, MINIMAL, MINIMAL_WARNING, RICH_SOURCE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SECTIONS = ("brief", "bilingual", "original", "prompts", "discussion")
#: which sections each view shows (the rich article has all five)
SHOWN = {
    "all": {"brief", "bilingual", "original", "prompts", "discussion"},
    "brief": {"brief"},
    "bilingual": {"bilingual", "prompts"},
    "translation": {"bilingual", "prompts"},
    "original": {"original", "prompts"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    sources = [EXAMPLE, RICH_SOURCE, MINIMAL]
    options = Options(output=out, formats=("html", "pdf", "epub", "newsletter"), digest="第 1 期")
    result = build(sources, options, Report())
    assert result.ok and result.warnings == [MINIMAL_WARNING], [str(e) for e in result.errors]
    return out


def visible_sections(page) -> set[str]:
    return {
        name
        for name in SECTIONS
        if page.locator(f"section#{name}").count() and page.locator(f"section#{name}").is_visible()
    }


def test_each_view_shows_its_sections_and_the_url_names_it(browser, base):
    for view, shown in SHOWN.items():
        with browser.page(f"{base}/rich/rich.html?view={view}", width=1280) as page:
            assert visible_sections(page) == shown, view
            pressed = page.locator(".views button[aria-pressed=true]")
            assert pressed.count() == 1 and pressed.get_attribute("data-view") == view
            english = page.locator("section#bilingual .pair .orig").first
            if view == "translation":
                assert not english.is_visible()
                assert page.locator("[lang=en]:visible").count() == 0  # no English anywhere
            if view == "bilingual":
                assert english.is_visible()


def test_the_control_works_by_keyboard_and_is_remembered(browser, base):
    with browser.page(f"{base}/rich/rich.html", width=1280) as page:
        assert visible_sections(page) == SHOWN["all"]
        page.locator(".views button[data-view=all]").focus()
        for _ in range(3):  # all -> brief -> bilingual -> translation
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.view") == "translation"
        page.keyboard.press("Enter")
        assert visible_sections(page) == SHOWN["translation"]
        assert "view=translation" in page.url
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Space")
        assert visible_sections(page) == SHOWN["bilingual"]
        page.goto(f"{base}/rich/rich.html")  # no parameter: the reader's last choice
        assert page.locator(".views button[aria-pressed=true]").get_attribute("data-view") == "bilingual"
        page.locator("button.fold").click()
        assert not page.locator("section#bilingual .pair .orig").first.is_visible()
        assert page.locator("button.fold").get_attribute("aria-pressed") == "true"


def test_without_javascript_everything_shows_in_order(browser, base):
    with browser.page(f"{base}/rich/rich.html?view=brief", width=390, java_script_enabled=False) as page:
        assert visible_sections(page) == SHOWN["all"]
        assert not page.locator(".page-controls").is_visible()
        order = page.evaluate("[...document.querySelectorAll('article > section')].map(s => s.id)")
        assert order == list(SECTIONS)


def test_pairs_side_by_side_on_a_wide_screen_and_stacked_on_a_phone(browser, base):
    url = f"{base}/openai-third-phase/openai-third-phase.html?view=bilingual"
    with browser.page(url, width=1280) as page:
        pair = page.locator("#pair-3")
        english, chinese = pair.locator(".orig").bounding_box(), pair.locator(".trans").bounding_box()
        assert english["x"] + english["width"] <= chinese["x"]  # original left, translation right
        assert abs(english["y"] - chinese["y"]) < 8  # tops aligned
        assert pair.locator(".pair-number").inner_text() == "¶3"
    with browser.page(url, width=390) as page:
        pair = page.locator("#pair-3")
        english, chinese = pair.locator(".orig").bounding_box(), pair.locator(".trans").bounding_box()
        assert chinese["y"] >= english["y"] + english["height"] - 1  # stacked
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_link_to_a_pair_shows_it_and_notes_open_in_place(browser, base):
    with browser.page(
        f"{base}/openai-third-phase/openai-third-phase.html?view=brief#pair-12", width=1280
    ) as page:
        assert page.locator("#pair-12").is_visible()
        assert page.evaluate("document.documentElement.dataset.view") == "bilingual"
    with browser.page(f"{base}/rich/rich.html?view=bilingual", width=1280) as page:
        page.locator("section#bilingual .trans a.noteref").first.click()
        popover = page.locator(".note-popover")
        assert popover.is_visible()
        assert "看板只有在一项任务" in popover.inner_text()  # the Chinese note, for the Chinese call
        assert popover.locator(".backref").count() == 0
        page.keyboard.press("Escape")
        assert not popover.is_visible()


def test_no_serious_axe_violation_in_any_view_light_or_dark(browser, base):
    for view in ("all", "bilingual", "translation"):
        for scheme in ("light", "dark"):
            found = reading.axe_violations(browser, f"{base}/rich/rich.html?view={view}", scheme)
            assert [v for v in found if v["impact"] in reading.FAILING_IMPACTS] == [], (view, scheme)


def test_one_small_self_contained_page_and_the_script_only_there(site):
    page = (site / "openai-third-phase" / "openai-third-phase.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "<script src" not in page
    assert not re.search(r'<(link|img|script|iframe)[^>]+(href|src)="https?:', page)
    assert "@import" not in page and "url(http" not in page
    assert len(page.encode()) < 2 * 37_000  # under twice the page before views
    for meta in (
        '<meta name="description" content="这是一份为 OpenAI',
        '<meta property="og:title" content="OpenAI 第三阶段战略',
        '<meta property="og:type" content="article">',
        '<meta property="article:published_time" content="2026-06-09">',
        '<meta name="color-scheme" content="light dark">',
        '<link rel="icon" href="data:image/svg+xml,',
    ):
        assert meta in page, meta
    mail = (site / "rich" / "rich.newsletter.html").read_text(encoding="utf-8")
    assert "<script" not in mail and "page-controls" not in mail
    with zipfile.ZipFile(site / "rich" / "rich.epub") as book:
        assert not any(b"<script" in book.read(name) for name in book.namelist() if name.endswith(".xhtml"))


def test_the_index_and_the_feed(site, browser, base):
    import feedparser

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.version == "atom10" and not feed.bozo
    titles = [entry.title for entry in feed.entries]
    # the editions' text, punctuation fixed as every edition shows it (the default)
    assert titles == [
        "一页只有一对段落的文章",
        "OpenAI 第三阶段战略：AI 权力分配与人类韧性",
        "把研究流程交给机器之前，先把表格和脚注排好",
    ]
    assert all(entry.id.startswith("urn:uuid:") for entry in feed.entries)
    ids = [entry.id for entry in feed.entries]
    build([EXAMPLE], Options(output=site, formats=("html",), force=True), Report())
    assert [entry.id for entry in feedparser.parse((site / "feed.xml").read_bytes()).entries] == ids  # stable
    with browser.page(f"{base}/index.html", width=390) as page:
        entries = page.locator(".index-entry h2").all_inner_texts()
        assert entries[0] == "第 1 期" and entries[1:] == titles  # newest first; the digest is newest
        links = page.locator(".index-entry").nth(2).locator(".index-editions a").all_inner_texts()
        assert links == ["HTML", "PDF", "EPUB", "mail"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_digest_page_holds_every_article_with_the_views(site, browser, base):
    with browser.page(f"{base}/digest/digest.html?view=original", width=1280) as page:
        assert page.locator("article.digest-article").count() == 3
        assert page.locator("section.original:visible").count() == 3
        assert page.locator("section.bilingual:visible").count() == 0
        page.locator(".digest-toc a").nth(1).click()
        assert page.url.endswith("#a02-title")
