"""The issue as one newsletter: ``--digest NAME --formats newsletter`` writes the digest's
mail, read back here with Python's email parser as a reader's client would."""

from __future__ import annotations

import email
import io
import re
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.editions import digest_files, digest_formats, digest_mail
from briefpress.editions.digest import subtitle
from briefpress.errors import BuildError, Report
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE, ROOT

HANT = ROOT / "tests" / "articles" / "hant" / "hant.md"
TINY = ROOT / "tests" / "articles" / "tiny" / "tiny.md"  # no brief, no source: no link
SOURCES = [EXAMPLE, HANT, TINY]
NAME = "第 1 期：开放与权力"
MAIL = {"mail_from": "阿头学 <brief@example.org>", "mail_to": "readers@example.org"}
FAKE_PDF = b"%PDF-1.7\n" + b"0" * 4000 + b"\n%%EOF\n"
SLOW = pytest.mark.slow  # the digest's PDF is laid out by WeasyPrint


def articles(options: Options) -> list:
    return [read_article(path, Report(), options) for path in SOURCES]


def parse(eml: bytes) -> EmailMessage:
    message = email.message_from_bytes(eml, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    """The plain text, the HTML's text and the attachments, one of each kind checked."""
    kinds = [part.get_content_type() for part in message.walk() if not part.is_multipart()]
    assert kinds.count("text/plain") == 1 and kinds.count("text/html") == 1
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    # the parts travel with SMTP's line ends
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n"), list(message.iter_attachments())


class Text(HTMLParser):
    """An HTML part's text, one string per element, and its links."""

    def __init__(self, html: str):
        super().__init__()
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if tag == "a" and name == "href"]
        self.chunks.append("\n")

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def mail(options: Options, pdf: bytes = FAKE_PDF) -> dict[str, bytes]:
    """The digest's mail, made of the articles read here and a stand-in PDF (no layout)."""
    chosen = articles(options)
    return digest_mail.render_files(NAME, subtitle(chosen, options), chosen, options, Report(), pdf)


# -- what the mail says, without laying out a PDF ----------------------------------------------


def test_the_digest_is_made_in_the_newsletter_and_lays_out_its_pdf_for_it():
    assert digest_formats(("newsletter",)) == ["newsletter"]
    assert digest_formats(("pdf", "newsletter")) == ["pdf", "newsletter"]
    assert digest_formats(("kindle",)) == ["pdf", "epub"]  # none it is made in: those it needs
    assert digest_files("d", ["newsletter"]) == ["d.newsletter.html", "d.newsletter.txt", "d.eml"]


@pytest.mark.parametrize(("written", "size"), [("5MB", 5 << 20), ("800 kb", 800 << 10), ("1.5M", 1536 << 10)])
def test_the_attach_limit_is_written_as_people_write_sizes(written, size):
    assert Options().replace(attach_limit=written).attach_limit == size
    assert Options().attach_limit * 4 / 3 < 10 * 1024 * 1024  # base64 under a 10 MB limit


def test_attach_limit_that_is_no_size_is_one_line():
    err = io.StringIO()
    assert main(["build", str(EXAMPLE), "--attach-limit", "lots"], stdout=io.StringIO(), stderr=err) == 2
    assert "--attach-limit" in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


def test_every_title_verdict_and_key_point_label_in_both_parts(tmp_path):
    options = Options(output=tmp_path, digest=NAME, formats=("newsletter",), **MAIL)
    files = mail(options)
    assert sorted(files) == ["digest.eml", "digest.newsletter.html", "digest.newsletter.txt"]
    message = parse(files["digest.eml"])
    text, html, attachments = parts(message)
    assert files["digest.newsletter.txt"].decode() == text
    shown = squash(Text(html).text)
    assert message["Subject"] == NAME and NAME in text and squash(NAME) in shown
    assert options.site_name in text and options.site_name in shown
    for article in articles(options):
        wanted = [article.meta.title, article.meta.summary or "", *(i.label for i in article.key_points)]
        assert all(squash(piece) in squash(text) for piece in wanted), article.meta.title
        assert all(squash(piece) in shown for piece in wanted), article.meta.title
    assert "3 篇文章 · 2026-02-01 – 2026-06-09" in text  # the count and the dates
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content() == FAKE_PDF
    assert attachments[0].get_filename() == f"{NAME}.pdf"


def test_the_prompts_are_numbered_under_each_title(tmp_path):
    options = Options(output=tmp_path, digest=NAME, formats=("newsletter",), **MAIL)
    text, html, _ = parts(parse(mail(options)["digest.eml"]))
    prompts = text.split("\n讨论引子\n", 1)[1]
    shown = Text(html).text.split("讨论引子", 1)[1]
    asked = [a for a in articles(options) if a.prompts]
    assert len(asked) == 2  # the tiny article asks none: no heading of its own
    assert TINY.stem not in prompts and "短\n" not in prompts
    for n, article in enumerate(asked):
        after = prompts.split(f"\n{article.meta.title}\n", 1)[1]
        under = after.split(f"\n{asked[n + 1].meta.title}\n")[0] if n + 1 < len(asked) else after
        numbered = re.findall(r"^(\d+)\. ", under, re.M)
        assert numbered == [str(i) for i in range(1, len(article.prompts) + 1)]
        assert all(squash(p.text) in squash(under) for p in article.prompts)
        html_under = shown.split(article.meta.title, 1)[1]
        for number, prompt in enumerate(article.prompts, start=1):
            assert squash(f"{number}.{prompt.text}") in squash(html_under)


def test_links_only_where_they_lead(tmp_path):
    """Without --web-url: each article's source, none for one without; with it and the
    HTML built: the web pages, and the digest's page when it is built."""
    plain = Options(output=tmp_path, digest=NAME, formats=("newsletter",), **MAIL)
    text, html, _ = parts(parse(mail(plain)["digest.eml"]))
    sources = [a.meta.source_url for a in articles(plain) if a.meta.source_url]
    assert sorted(Text(html).links) == sorted(sources) and len(sources) == 2
    assert sorted(re.findall(r"https?://\S+", text)) == sorted(sources)

    hosted = plain.replace(web_url="https://example.org/brief", formats=("html", "newsletter"))
    text, html, _ = parts(parse(mail(hosted)["digest.eml"]))
    pages = [f"https://example.org/brief/{a.meta.slug}/{a.meta.slug}.html" for a in articles(hosted)]
    digest_page = "https://example.org/brief/digest/digest.html"
    assert sorted(Text(html).links) == sorted([*pages, digest_page])
    assert sorted(re.findall(r"https?://\S+", text)) == sorted([*pages, digest_page])

    # hosted, but no page built (now or before): the sources again
    unbuilt = hosted.replace(formats=("newsletter",))
    _, html, _ = parts(parse(mail(unbuilt)["digest.eml"]))
    assert sorted(Text(html).links) == sorted(sources)


def test_over_the_limit_the_pdf_is_linked_not_attached(tmp_path):
    options = Options(output=tmp_path, digest=NAME, formats=("newsletter",), **MAIL)
    options = options.replace(attach_limit="1KB", web_url="https://x.org/b")
    files = mail(options)
    assert files["digest.pdf"] == FAKE_PDF  # written, so that the link leads somewhere once published
    text, html, attachments = parts(parse(files["digest.eml"]))
    assert attachments == []
    link = "https://x.org/b/digest/digest.pdf"
    assert link in Text(html).links and f": {link}" in text
    assert "附件" not in text
    with pytest.raises(BuildError, match="over --attach-limit.*give --web-url") as caught:
        mail(options.replace(web_url=None))
    assert "\n" not in str(caught.value)


def test_the_mail_is_the_same_bytes_from_the_same_sources(tmp_path):
    options = Options(output=tmp_path, digest=NAME, formats=("newsletter",), **MAIL)
    first, again = mail(options), mail(options)
    assert first == again
    message = parse(first["digest.eml"])
    assert message["Date"] == "Tue, 09 Jun 2026 00:00:00 +0000"  # the newest article's day
    assert str(message["From"]) == MAIL["mail_from"] and str(message["To"]) == MAIL["mail_to"]
    changed = parse(mail(options, FAKE_PDF + b"\n")["digest.eml"])
    assert changed["Message-ID"] != message["Message-ID"]  # made of the content


def test_unsubscribe_and_the_header_guard(tmp_path):
    options = Options(
        output=tmp_path, digest=NAME, formats=("newsletter",), unsubscribe="https://x.org/leave", **MAIL
    )
    message = parse(mail(options)["digest.eml"])
    assert message["List-Unsubscribe"] == "<https://x.org/leave>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # a name that reaches the mail through the API: the email library would decode a field of it
    chosen = articles(options)
    with pytest.raises(BuildError, match=r"would gain a field \(Cc\)"):
        name = "Issue =?utf-8?q?=0D=0ACc:_evil@evil.example?="
        digest_mail.render_files(name, "", chosen, options, Report(), FAKE_PDF)


# -- built: the digest's PDF attached, the mail found by send, and seen in a browser ----------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


MAIL_FLAGS = ("--from", MAIL["mail_from"], "--to", MAIL["mail_to"])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digest-mail") / "out"
    code, _, err = run(
        "build",
        *map(str, SOURCES),
        "-o",
        str(out),
        "--digest",
        NAME,
        "--formats",
        "pdf,newsletter",
        *MAIL_FLAGS,
    )
    assert code == 0, err
    return out


@SLOW
def test_the_digest_pdf_is_attached(built):
    folder = built / "digest"
    assert sorted(p.name for p in folder.glob("[!.]*")) == sorted(
        digest_files("digest", ["pdf", "newsletter"])
    )
    _, _, attachments = parts(parse((folder / "digest.eml").read_bytes()))
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content() == (folder / "digest.pdf").read_bytes()


@SLOW
def test_newsletter_alone_lays_out_the_pdf_for_the_mail_and_the_same_bytes_again(built, tmp_path):
    """Asked for the mail alone, the digest lays out its PDF to attach it (not written),
    and a second build from the same sources writes the same mail."""
    argv = ("build", *map(str, SOURCES), "--digest", NAME, "--formats", "newsletter", *MAIL_FLAGS)
    mails = []
    for n in range(2):
        out = tmp_path / f"out{n}"
        code, _, err = run(*argv, "-o", str(out))
        assert code == 0, err
        assert sorted(p.name for p in (out / "digest").glob("[!.]*")) == sorted(
            digest_files("digest", ["newsletter"])
        )
        mails.append((out / "digest" / "digest.eml").read_bytes())
    assert mails[0] == mails[1]
    _, _, attachments = parts(parse(mails[0]))
    assert attachments[0].get_content() == (built / "digest" / "digest.pdf").read_bytes()


@SLOW
def test_over_the_limit_without_web_url_is_one_line_and_with_it_a_link(tmp_path):
    argv = (
        "build",
        *map(str, SOURCES),
        "--digest",
        NAME,
        "--formats",
        "newsletter",
        "--attach-limit",
        "10KB",
    )
    code, _, err = run(*argv, "-o", str(tmp_path / "a"), *MAIL_FLAGS)
    [error] = [line for line in err.splitlines() if ": error: " in line]
    assert code == 1 and error.startswith(
        f"{tmp_path / 'a' / 'digest' / 'digest.eml'}: error: the digest PDF is "
    )
    assert "over --attach-limit (10 KB): give --web-url" in error
    assert not (tmp_path / "a" / "digest" / "digest.eml").exists()
    code, _, err = run(*argv, "-o", str(tmp_path / "b"), "--web-url", "https://x.org/b", *MAIL_FLAGS)
    assert code == 0, err
    folder = tmp_path / "b" / "digest"
    _, html, attachments = parts(parse((folder / "digest.eml").read_bytes()))
    assert attachments == [] and "https://x.org/b/digest/digest.pdf" in Text(html).links
    assert (folder / "digest.pdf").stat().st_size > 10 * 1024  # there to publish
    code, out, err = run(*argv, "-o", str(tmp_path / "b"), "--web-url", "https://x.org/b", *MAIL_FLAGS)
    assert code == 0 and " 0 file(s), " in out + err  # the linked PDF is the digest's: unchanged


@SLOW
def test_send_finds_the_digest_mail(built):
    code, out, err = run("send", str(built), "--smtp", "127.0.0.1:1", "--dry-run")
    assert code == 0, err
    assert f"would send {built / 'digest' / 'digest.eml'} to {MAIL['mail_to']}" in out
    assert "4 would send" in out  # the three articles' mails and the issue's


@SLOW
@pytest.mark.browser
def test_the_mail_fits_a_phone(built, tmp_path):
    from briefpress import reading

    folder = built / "digest"
    with (
        reading.Browser(offline=True) as browser,
        reading.offline(folder, ["digest.newsletter.html"]) as site,
        browser.page(site.url("digest.newsletter.html"), width=390) as page,
    ):
        assert page.evaluate(reading.browser.SCROLL_WIDTH) <= 390
        assert page.locator("h2.article-title").count() == len(SOURCES)
        page.screenshot(path=str(tmp_path / "digest-mail-390.png"), full_page=True)
    assert (tmp_path / "digest-mail-390.png").stat().st_size > 0
