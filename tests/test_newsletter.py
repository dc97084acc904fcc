"""The newsletter edition: inlined HTML, plain text, and a MIME message with the PDF."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.policy import default
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest

from briefpress.build.steps import build, render_article
from briefpress.cjk import columns
from briefpress.editions import newsletter
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE

SLUG = "openai-third-phase"

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("newsletter")
    options = Options(
        output=out,
        formats=("newsletter", "pdf"),
        mail_from="阿头学 <brief@example.org>",
        mail_to="a@example.org, b@example.org",
    )
    result = build([EXAMPLE], options, Report())
    assert result.ok and result.warnings == []
    return out / SLUG


@pytest.fixture(scope="module")
def article():
    return read_article(EXAMPLE, Report())


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_three_files_and_the_pdf(built):
    assert sorted(p.name for p in built.glob("[!.]*")) == [
        f"{SLUG}.eml",
        f"{SLUG}.newsletter.html",
        f"{SLUG}.newsletter.txt",
        f"{SLUG}.pdf",
    ]


def test_message_structure_and_headers(built, article):
    message = email.message_from_bytes((built / f"{SLUG}.eml").read_bytes(), policy=default)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert {p.get_content_charset() for p in alternative.get_payload()} == {"utf-8"}
    assert message["Subject"] == article.meta.title
    assert parsedate_to_datetime(message["Date"]) == dt.datetime(2026, 6, 9, tzinfo=dt.UTC)
    assert str(message["From"]) == "阿头学 <brief@example.org>"
    assert [a.addr_spec for a in message["To"].addresses] == ["a@example.org", "b@example.org"]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "OpenAI 第三阶段战略：AI 权力分配与人类韧性.pdf"  # punctuation fixed
    assert attachment.get_content() == (built / f"{SLUG}.pdf").read_bytes()
    raw = (built / f"{SLUG}.eml").read_bytes()
    assert raw.isascii()  # 7-bit clean: every part is encoded


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_inlined_and_self_contained(built, article):
    html = (built / f"{SLUG}.newsletter.html").read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"style", "link", "script", "img", "iframe", "object", "font"}
    assert "@font-face" not in html and "url(" not in html
    assert any(attrs.get("width") == "640" for _, attrs in parser.tags)
    styled = [attrs for _, attrs in parser.tags if attrs.get("style")]
    assert len(styled) > 20
    hrefs = {attrs["href"] for tag, attrs in parser.tags if tag == "a"}
    assert hrefs == {"https://example.org/our-approach"}
    text = squash(re.sub(r"<[^>]+>", "", html))
    for item in [*article.key_points, *article.relevance]:
        assert squash(item.body.text) in text
    for prompt in article.prompts:
        assert squash(prompt.text) in text
    assert squash(article.original[0].text) not in text  # the brief, not the full text


def test_text_part_holds_the_brief_and_wraps(built, article):
    message = email.message_from_bytes((built / f"{SLUG}.eml").read_bytes(), policy=default)
    text = message.get_body(("plain",)).get_content()
    assert text == (built / f"{SLUG}.newsletter.txt").read_text(encoding="utf-8").replace(
        "\n", "\r\n"
    ) or text.replace("\r\n", "\n") == (built / f"{SLUG}.newsletter.txt").read_text(encoding="utf-8")
    flat = squash(text)
    for item in article.key_points:
        assert squash(f"【{item.label}】{item.body.text}") in flat
    for item in article.relevance:
        assert squash(item.body.text) in flat
    for prompt in article.prompts:
        assert squash(prompt.text) in flat
    assert "https://example.org/our-approach" in text
    assert max(columns(line) for line in text.splitlines()) <= newsletter.TEXT_WIDTH


def test_sizes_within_budget(built):
    eml = (built / f"{SLUG}.eml").read_bytes()
    assert newsletter.html_part_size(eml) < newsletter.HTML_BUDGET
    assert len(eml) < newsletter.EML_BUDGET


def test_over_budget_is_a_warning_and_strict_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(newsletter, "HTML_BUDGET", 1024)
    report = Report()
    options = Options(output=tmp_path / "a", formats=("newsletter",))
    assert build([EXAMPLE], options, report).ok
    assert any("Gmail clips" in w for w in report.warnings)
    result = build([EXAMPLE], options.replace(output=tmp_path / "b", strict=True), Report())
    assert not result.ok and not (tmp_path / "b" / SLUG).exists()


def test_without_addresses_no_from_or_to_and_same_bytes_twice(tmp_path, article):
    options = Options(formats=("newsletter",))
    first = render_article(article, options, Report())
    second = render_article(article, options, Report())
    assert sorted(first) == [f"{SLUG}.eml", f"{SLUG}.newsletter.html", f"{SLUG}.newsletter.txt"]  # no PDF
    assert first == second
    message = email.message_from_bytes(first[f"{SLUG}.eml"], policy=default)
    assert message["From"] is None and message["To"] is None


def test_bad_addresses_are_a_usage_error():
    import io

    from briefpress.cli import main

    err = io.StringIO()
    assert (
        main(
            ["build", str(EXAMPLE), "--formats", "newsletter", "--to", "nobody"],
            stdout=io.StringIO(),
            stderr=err,
        )
        == 2
    )
    assert "'to' must be mail addresses" in err.getvalue()


def test_display_names_with_commas(tmp_path):
    """Regression: '"Doe, John" <john@example.org>' was split at its comma and crashed."""
    import io

    from briefpress.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "newsletter"]
    argv += [
        "--from",
        '"Lee, Ann" <ann@example.org>',
        "--to",
        '"Doe, John" <john@example.org>, b@example.org',
    ]
    assert main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    message = email.message_from_bytes((tmp_path / SLUG / f"{SLUG}.eml").read_bytes(), policy=default)
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [
        ("Doe, John", "john@example.org"),
        ("", "b@example.org"),
    ]
    assert message["From"].addresses[0].display_name == "Lee, Ann"


# -- links only to what exists, and the preview (issue 27) ---------------------------------

WEB = "https://example.org/brief/"
PAGE = f"{WEB}{SLUG}/{SLUG}.html"
#: the example's first prompt, citing pair 2: a link into the reading page when there is one
PROMPT = "1. 呼吁建立国际组织来“放缓开发”是否本身就是权力的极度集中?"


@pytest.fixture
def citing(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    assert PROMPT in text
    path = tmp_path / "src" / f"{SLUG}.md"
    path.parent.mkdir()
    path.write_text(text.replace(PROMPT, PROMPT.replace("?", "(见 ¶2)?")), encoding="utf-8")
    return path


def _parts(source, output, *formats: str) -> tuple[str, str]:
    """The mail's HTML and text after a build of ``formats`` into ``output`` with --web-url."""
    result = build([source], Options(output=output, formats=formats, web_url=WEB), Report())
    assert result.ok and result.warnings == []
    message = email.message_from_bytes((output / SLUG / f"{SLUG}.eml").read_bytes(), policy=default)
    return message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()


def _linked(html: str, text: str) -> bool:
    """Whether both parts link the reading page: the masthead's and the text's "read on the
    web", and the prompt's ¶2 into its pair."""
    on_page = f'href="{PAGE}"' in html and f"{PAGE}\r\n" in text
    cites = f'href="{PAGE}#pair-2"' in html
    assert on_page == cites, (on_page, cites)
    return on_page


def test_no_web_link_to_a_page_not_built(citing, tmp_path):
    html, text = _parts(citing, tmp_path / "out", "pdf", "epub", "newsletter")
    assert WEB not in html and WEB not in text and not _linked(html, text)
    assert "¶2" in html and "¶2" in text  # the locator stays, as text
    # the same folder, now with the page: the mail built before is not kept as it was
    assert _linked(*_parts(citing, tmp_path / "out", "html", "pdf", "newsletter"))


def test_a_web_link_to_the_page_an_earlier_build_left(citing, tmp_path):
    out = tmp_path / "out"
    build([citing], Options(output=out, formats=("html",), web_url=WEB), Report())
    assert (out / SLUG / f"{SLUG}.html").is_file()
    assert _linked(*_parts(citing, out, "pdf", "epub", "newsletter"))
    (out / SLUG / f"{SLUG}.html").unlink()  # gone: the next build's mail no longer links to it
    assert not _linked(*_parts(citing, out, "pdf", "epub", "newsletter"))


class Text(HTMLParser):
    """The text of a mail's body in order, as a mail app reads its preview, with the style
    of the element each piece is in."""

    def __init__(self) -> None:
        super().__init__()
        self.styles: list[str] = []
        self.pieces: list[tuple[str, str]] = []
        self.body = False

    def handle_starttag(self, tag, attrs):
        self.body = self.body or tag == "body"
        self.styles.append(dict(attrs).get("style") or "")

    def handle_endtag(self, tag):
        self.styles.pop()

    def handle_data(self, data):
        if self.body and data.strip():
            self.pieces.append((data, self.styles[-1]))


def test_the_preview_is_the_verdict_hidden_without_a_colour(built, article):
    """Gmail and Apple Mail preview the body's first text: the verdict, then only filler,
    so that the masthead stays out of it; hidden by display and height, not by a colour the
    background's (SpamAssassin's HTML_FONT_LOW_CONTRAST)."""
    parser = Text()
    parser.feed((built / f"{SLUG}.newsletter.html").read_text(encoding="utf-8"))
    (first, style), (second, _) = parser.pieces[:2]
    verdict = article.meta.summary
    assert first.startswith(verdict) and set(first[len(verdict) :]) <= {"\u034f", "\u200c", "\xa0"}
    assert len(first) - len(verdict) >= 100 and second.strip() == "阿头学"  # the masthead after
    declarations = dict(d.split(":", 1) for d in re.sub(r"\s", "", style).split(";") if d)
    assert declarations["display"] == "none" and declarations["max-height"] == "0"
    assert declarations["overflow"] == "hidden" and declarations["mso-hide"] == "all"
    assert not {"color", "opacity", "background", "background-color"} & declarations.keys()
