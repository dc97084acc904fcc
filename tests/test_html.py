"""The HTML edition: a golden file for the example, plus its structural promises."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import pytest

from briefpress.editions import html
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE, ROOT

GOLDEN = ROOT / "tests" / "golden" / "openai-third-phase.html"


def render(report, **options) -> str:
    article = read_article(EXAMPLE, report)
    return html.render(article, Options(**options), report).decode("utf-8")


def test_matches_golden_file(report):
    """Set UPDATE_GOLDEN=1 to rewrite the golden file after an intended change."""
    page = render(report)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(page)
    return parser.elements


def test_sections_in_edition_order_with_stable_ids(report):
    ids = [attrs["id"] for tag, attrs in elements(render(report)) if tag in ("section", "header")]
    assert ids == [
        "site-bar",
        "title",
        "brief",
        "key-points",
        "relevance",
        "bilingual",
        "original",
        "prompts",
    ]  # the example's discussion archive is empty: no section


def test_every_block_has_its_language(report):
    found = elements(render(report))
    assert found[0][0] == "html" and found[0][1]["lang"] == "zh-Hans"
    origs = [a for t, a in found if "orig" in (a.get("class") or "").split()]
    trans = [a for t, a in found if "trans" in (a.get("class") or "").split()]
    assert len(origs) == len(trans) == 23
    assert {a["lang"] for a in origs} == {"en"} and {a["lang"] for a in trans} == {"zh-Hans"}
    original_text = [a for t, a in found if a.get("class") == "original-text"]
    assert original_text[0]["lang"] == "en"


def test_self_contained(report):
    page = render(report)
    for tag, attrs in elements(page):
        assert tag != "iframe"
        if tag == "link":  # the icon, drawn in the page itself
            assert attrs.get("rel") == "icon" and attrs["href"].startswith("data:image/svg+xml,")
        if tag == "script":  # the one inline script of the reading page
            assert "src" not in attrs
        if tag in ("img", "source", "video", "audio"):
            assert (attrs.get("src") or "").startswith("data:")
    assert page.count("<script") == 1
    assert "<style>" in page and "@import" not in page
    assert not re.search(r"url\((?!['\"]?data:)", page)


def test_ids_unique_and_note_links_resolve(report):
    found = elements(render(report))
    ids = [a["id"] for _, a in found if a.get("id")]
    assert len(ids) == len(set(ids))
    targets = [a["href"][1:] for t, a in found if t == "a" and (a.get("href") or "").startswith("#")]
    assert targets and set(targets) <= set(ids)


def test_labels_in_english(report):
    page = render(report, lang_ui="en")
    assert '<h2 lang="en">Brief</h2>' in page
    assert "Discussion prompts" in page and "阅读简报" not in page


def test_autoescape_keeps_source_text_as_text(article_file, report):
    path = article_file(
        front="---\ntitle: <b>T</b> & co\ndate: 2026-01-01\n---\n",
        body="# 原文\n\nA <i>b</i> & c.\n\n# 译文\n\n甲乙丙。\n",
    )
    article = read_article(path, report)
    report.claim("raw HTML")
    page = html.render(article, Options(), report).decode()
    assert "<title>&lt;b&gt;T&lt;/b&gt; &amp; co</title>" in page
    assert "A &lt;i&gt;b&lt;/i&gt; &amp; c." in page


@pytest.mark.parametrize("soft", ["第一行\n第二行", "第一行\r\n第二行"])
def test_no_stray_space_between_chinese_lines(article_file, report, soft):
    path = article_file(body=f"# 原文\n\nOne\ntwo.\n\n# 译文\n\n{soft}。\n")
    page = html.render(read_article(path, report), Options(), report).decode()
    assert "第一行第二行。" in page
    assert "One\ntwo." in page
