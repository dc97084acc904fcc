"""Delivery: Send to Kindle, Kobo, the copy shop's booklet, and the mailing list."""

from __future__ import annotations

import email
import io
import re
import subprocess
import zipfile
from email.policy import default
from pathlib import Path

import pypdf
import pytest

from briefpress.cli import main
from briefpress.editions.impose import booklet_order, two_up_order
from briefpress.editions.kindle import kindle_problems
from conftest import EXAMPLE, RICH_SOURCE, ROOT
from mailserver import Server

SLUG = "openai-third-phase"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


# -- Send to Kindle -----------------------------------------------------------------------


def test_kindle_mail_carries_the_checked_book(tmp_path):
    code, _, err = run(
        "build",
        str(EXAMPLE),
        "-o",
        str(tmp_path),
        "--formats",
        "epub,kindle",
        "--kindle-to",
        "Ann <ann@kindle.com>",
    )
    assert code == 0, err
    message = email.message_from_bytes((tmp_path / SLUG / f"{SLUG}.kindle.eml").read_bytes(), policy=default)
    assert [a.addr_spec for a in message["To"].addresses] == ["ann@kindle.com"]
    [book] = list(message.iter_attachments())
    assert book.get_content_type() == "application/epub+zip"
    assert book.get_filename() == "OpenAI 第三阶段战略：AI 权力分配与人类韧性.epub"
    assert book.get_content() == (tmp_path / SLUG / f"{SLUG}.epub").read_bytes()
    code, _, err = run("build", str(EXAMPLE), "-o", str(tmp_path / "x"), "--formats", "kindle")
    assert code == 1 and "--kindle-to" in err


def _broken(book: bytes, name: str, change) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == name else data)
    return output.getvalue()


def test_each_kindle_rule_is_named(tmp_path):
    from PIL import Image

    assert run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "epub")[0] == 0
    good = (tmp_path / SLUG / f"{SLUG}.epub").read_bytes()
    assert kindle_problems(good) == []
    chapter, opf = "EPUB/01-brief.xhtml", "EPUB/content.opf"
    big = io.BytesIO()
    Image.new("1", (12_000, 10), 1).save(big, format="PNG")
    cases = {
        "XML declaration": (chapter, lambda d: d.split(b"?>", 1)[1]),
        "dc:language": (opf, lambda d: d.replace(b">zh-Hans</dc:language>", b">Chinese!</dc:language>")),
        "internal links": (
            chapter,
            lambda d: d.replace(b"</body>", b'<p><a href="nowhere.xhtml#x">x</a></p></body>'),
        ),
        "no scripts": (chapter, lambda d: d.replace(b"</body>", b"<script>1</script></body>")),
        "fixed layout": (
            opf,
            lambda d: d.replace(
                b"</metadata>", b'<meta property="rendition:layout">pre-paginated</meta></metadata>'
            ),
        ),
        "images": ("EPUB/images/cover.png", lambda d: big.getvalue()),
    }
    for rule, (name, change) in cases.items():
        problems = kindle_problems(_broken(good, name, change))
        assert problems and problems[0].startswith(rule), (rule, problems)


# -- Kobo ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_kepub_has_kobo_spans_wrappers_and_the_font_and_passes_epubcheck(tmp_path):
    from briefpress.check import epubcheck_messages

    assert run("build", str(RICH_SOURCE), "-o", str(tmp_path), "--formats", "kepub")[0] == 0
    path = tmp_path / "rich" / "rich.kepub.epub"
    with zipfile.ZipFile(path) as book:
        chapter = book.read("EPUB/03-original.xhtml").decode()
        assert '<div id="book-columns"><div id="book-inner">' in chapter
        spans = re.findall(r'<span class="koboSpan" id="kobo\.(\d+)\.(\d+)">([^<]*)</span>', chapter)
        assert len(spans) > 20 and len({(p, s) for p, s, _ in spans}) == len(spans)
        text = "".join(t for _, _, t in spans)
        assert "Every result in this note comes from the public dashboard at" in text
        assert ("4", "1", "Every result in this note comes from the public dashboard at ") in spans or any(
            t.startswith("Every result") for _, _, t in spans
        )
        assert "EPUB/fonts/cjk-subset.otf" in book.namelist()  # Kobo's default font has no Chinese
    messages = epubcheck_messages(path)
    assert [m for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")] == []


def test_sentences_split_where_they_end():
    from briefpress.editions.kepub import sentences

    assert sentences("See example.org and 3.5 now. Next! 第一句。第二句？“引语。”尾") == [
        "See example.org and 3.5 now. ",
        "Next! ",
        "第一句。",
        "第二句？",
        "“引语。”",
        "尾",
    ]


# -- the copy shop ----------------------------------------------------------------------


def test_booklet_and_two_up_orders():
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert booklet_order(5) == [(0, 1), (2, 0), (0, 3), (4, 5)]  # 5 pages: three blanks to 8
    assert two_up_order(5) == [(1, 2), (3, 4), (5, 0)]


def halves(path: Path, side: int) -> tuple[str, str]:
    """The page numbers printed at the foot of each half of a side."""
    width = float(pypdf.PdfReader(path).pages[side].mediabox.width)
    found = []
    for left in (0, width / 2):
        text = subprocess.run(
            [
                "pdftotext",
                "-f",
                str(side + 1),
                "-l",
                str(side + 1),
                "-x",
                str(int(left)),
                "-y",
                "540",
                "-W",
                str(int(width / 2)),
                "-H",
                "60",
                "-r",
                "72",
                str(path),
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        match = re.search(r"(\d+)\s*/\s*(\d+)", text)
        found.append(match[1] if match else "")
    return found[0], found[1]


@pytest.mark.slow
def test_booklet_is_the_a5_handout_in_saddle_stitch_order(tmp_path):
    assert (
        run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "pdf", "--imposition", "booklet")[0] == 0
    )
    path = tmp_path / SLUG / f"{SLUG}.booklet.pdf"
    a5 = pypdf.PdfReader(tmp_path / SLUG / f"{SLUG}.pdf")
    assert round(float(a5.pages[0].mediabox.width)) == 595  # the handout keeps its A4
    imposed = pypdf.PdfReader(path)
    sides = len(imposed.pages)
    for page in imposed.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            842,
            595,
        )  # A4 landscape
    numbers = [halves(path, side) for side in range(sides)]
    total = max(int(n) for pair in numbers for n in pair if n)
    assert sides == 2 * -(-total // 4)
    expected = [tuple(str(n) if n else "" for n in pair) for pair in booklet_order(total)]
    assert numbers == expected
    assert (
        run(
            "build",
            str(EXAMPLE),
            "-o",
            str(tmp_path / "2up"),
            "--formats",
            "pdf",
            "--imposition",
            "2up",
            "--paper",
            "A5",
        )[0]
        == 0
    )
    two = tmp_path / "2up" / SLUG / f"{SLUG}.2up.pdf"
    assert [halves(two, side) for side in range(3)] == [("1", "2"), ("3", "4"), ("5", "6")]


@pytest.mark.slow
def test_duplex_mirrors_the_page_numbers(tmp_path):
    assert run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "pdf", "--duplex")[0] == 0
    reader = pypdf.PdfReader(tmp_path / SLUG / f"{SLUG}.pdf")
    width = float(reader.pages[0].mediabox.width)
    for index in (1, 2):
        positions: list[tuple[str, float]] = []

        def footer(text, cm, tm, font, size, found=positions):
            if re.fullmatch(r"\d+ / \d+", text.strip()):
                found.append((text, tm[4]))

        reader.pages[index].extract_text(visitor_text=footer)
        [(text, x)] = positions
        assert (x > width / 2) == (index % 2 == 0), (index, x)  # page 3 (odd): right; page 2: left


# -- the mailing list -----------------------------------------------------------------------


def _mail(tmp_path, *flags: str, formats: str = "newsletter") -> email.message.EmailMessage:
    code, _, err = run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", formats, *flags)
    assert code == 0, err
    return email.message_from_bytes((tmp_path / SLUG / f"{SLUG}.eml").read_bytes(), policy=default)


def test_newsletter_preheader_unsubscribe_and_web_link(tmp_path):
    message = _mail(
        tmp_path,
        "--unsubscribe",
        "https://example.org/u?list=1",
        "--web-url",
        "https://example.org/brief/",
        formats="html,newsletter",  # a web link only to a page that is built
    )
    assert message["List-Unsubscribe"] == "<https://example.org/u?list=1>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    body = html.split("<body", 1)[1]
    assert re.search(r'<div class="preheader" style="[^"]*display: none[^"]*">这是一份为 OpenAI', body[:800])
    page = "https://example.org/brief/openai-third-phase/openai-third-phase.html"
    assert f'href="{page}"' in html and page in message.get_body(("plain",)).get_content()
    mailto = _mail(tmp_path / "m", "--unsubscribe", "mailto:leave@example.org")
    assert (
        mailto["List-Unsubscribe"] == "<mailto:leave@example.org>" and mailto["List-Unsubscribe-Post"] is None
    )


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_newsletter_colours_stay_legible_when_inverted(tmp_path):
    """Mail apps that darken a light mail invert its colours: every text colour against its
    background must read at 4.5:1 both as written and inverted."""
    html = _mail(tmp_path).get_body(("html",)).get_content()
    parse = lambda hexa: tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5))  # noqa: E731
    pairs = {("#1b1b1b", "#ffffff"), ("#1d5fa6", "#ffffff"), ("#ffffff", "#a2461f")}
    for style in re.findall(r'style="([^"]*)"', html):
        colour = re.search(r"(?<![-\w])color: (#[0-9a-f]{6})", style)
        background = re.search(r"background: (#[0-9a-f]{6})", style)
        if colour and "display: none" not in style:
            pairs.add((colour[1], background[1] if background else "#ffffff"))
    for fg, bg in pairs:
        written = _contrast(parse(fg), parse(bg))
        inverted = _contrast(tuple(255 - c for c in parse(fg)), tuple(255 - c for c in parse(bg)))
        assert min(written, inverted) >= 4.5, (fg, bg, written, inverted)


# -- briefpress send ------------------------------------------------------------------------


@pytest.fixture
def mails(tmp_path) -> Path:
    out = tmp_path / "out"
    sources = [EXAMPLE, RICH_SOURCE, ROOT / "tests" / "dumps" / "minimal.txt"]
    argv = ["build", *map(str, sources), "-o", str(out), "--formats", "newsletter"]
    code, _, err = run(*argv, "--from", "list@example.org", "--to", '"Readers, All" <all@example.org>')
    assert code == 0, err
    return out


def test_send_delivers_each_mail_once_newest_first(mails):
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--dry-run")
        assert (
            code == 0
            and out.count("would send ") == 3
            and out.endswith("3 would send, 0 already sent before, 0 error(s)\n")
        )
        code, out, err = run("send", str(mails), "--smtp", server)
        assert (code, err) == (0, ""), err
        assert out.splitlines()[-1] == "3 sent, 0 already sent before, 0 error(s)"
        dates = [email.message_from_bytes(m[2], policy=default)["Subject"] for m in smtp.received]
        assert dates == [
            "一页只有一对段落的文章",
            "OpenAI 第三阶段战略：AI 权力分配与人类韧性",
            "把研究流程交给机器之前，先把表格和脚注排好",
        ]
        code, out, _ = run("send", str(mails), "--smtp", server)
        assert out.splitlines()[-1] == "0 sent, 3 already sent before, 0 error(s)"
        code, out, _ = run("send", str(mails), "--smtp", server, "--resend")
        assert out.splitlines()[-1] == "3 sent, 0 already sent before, 0 error(s)"


def test_send_resumes_after_a_server_fails_midway(mails):
    failing = Server(refuse_after=1)
    with failing as address:
        code, out, err = run("send", str(mails), "--smtp", address, "--retries", "2", "--retry-wait", "0.01")
    assert code == 1 and "refused it" in err and "451" in err and "after 3 tries" in err
    assert len(failing.received) == 1 and failing.deferred == 3
    subjects = [email.message_from_bytes(m[2], policy=default)["Subject"] for m in failing.received]
    assert subjects == ["一页只有一对段落的文章"]  # the newest first
    logs = sorted(p.name for p in mails.rglob(".*.sent"))
    assert logs == [".minimal.sent"]  # only what the server accepted
    working = Server()
    with working as address:
        code, out, err = run("send", str(mails), "--smtp", address)
    assert code == 0, err
    assert len(working.received) == 2 and out.splitlines()[-1] == "2 sent, 1 already sent before, 0 error(s)"
    sender, recipients, content = working.received[0]
    assert (sender, recipients) == ("list@example.org", ["all@example.org"])
    assert b'"Readers, All" <all@example.org>' in content


def test_send_needs_a_password_for_a_user_and_a_to_in_each_mail(mails, tmp_path, monkeypatch):
    monkeypatch.delenv("BRIEFPRESS_SMTP_PASSWORD", raising=False)
    with Server() as server:
        code, _, err = run("send", str(mails), "--smtp", server, "--user", "bob", "--insecure-auth")
    assert code == 1 and "BRIEFPRESS_SMTP_PASSWORD" in err
    bare = tmp_path / "bare"
    assert run("build", str(EXAMPLE), "-o", str(bare), "--formats", "newsletter")[0] == 0
    code, _, err = run("send", str(bare), "--smtp", "127.0.0.1:9", "--dry-run")
    assert code == 1 and "has no From: build it with --from" in err
