"""Hostile fields, stamps, slugs and site files (issue 23): the feed and the index are
always well-formed, every text field goes through the one-line checks, the site files'
names are reserved, a site file briefpress did not write is kept, and what is published
holds no private state — each end to end through the command line."""

from __future__ import annotations

import io
import json
import textwrap
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefpress.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
BODY = "# 原文\n\nFirst paragraph.\n\n# 译文\n\n第一段。\n\n# 讨论引子\n\n1. 讨论？\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def source(folder: Path, name: str, front: str) -> Path:
    path = folder / name
    path.write_text("---\n" + textwrap.dedent(front).strip() + "\n---\n\n" + BODY, encoding="utf-8")
    return path


def one_error(err: str, fragment: str, where: str | None = None) -> str:
    errors = [row for row in err.splitlines() if ": error: " in row]
    assert len(errors) == 1, err
    assert fragment in errors[0], err
    if where is not None:
        assert errors[0].startswith(where), err
    assert "Traceback" not in err
    return errors[0]


def feed_entries(out: Path) -> list[ET.Element]:
    root = ET.parse(out / "feed.xml").getroot()  # a parse error fails the test
    return root.findall(f"{ATOM}entry")


def html_parses(path: Path) -> None:
    parser = HTMLParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()


# -- the feed and the index are always well-formed -----------------------------------------


def test_a_title_with_a_noncharacter_is_refused_with_its_line(tmp_path):
    # YAML's escapes reach what its raw text may not hold
    src = source(tmp_path, "a.md", 'title: "标题\\uffff与"\ndate: 2026-06-09')
    code, _, err = run("build", str(src), "-o", str(tmp_path / "out"), "--formats", "html,epub")
    assert code == 1
    one_error(err, "U+FFFF, a noncharacter", f"{src}:2: error: 'title'")


def test_characters_xml_cannot_hold_are_dropped_from_the_feed(tmp_path):
    src = source(tmp_path, "a.md", "title: 标题\ndate: 2026-06-09\nsummary: 一句话")
    out = tmp_path / "out"
    assert run("build", str(src), "-o", str(out), "--formats", "html")[0] == 0
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text(encoding="utf-8"))
    data["about"].update(title="标题\uffff与\x0b和\ud7ff", summary="一句\ufffe话\x00")
    stamp.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("build", str(source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-01")), "-o", str(out),
                       "--formats", "html")  # fmt: skip
    assert code == 0, err
    entry = feed_entries(out)[0]
    assert entry.findtext(f"{ATOM}title") == "标题与和\ud7ff"
    assert entry.findtext(f"{ATOM}summary") == "一句话"
    html_parses(out / "index.html")


def test_an_edited_stamp_cannot_break_or_inject_into_the_feed(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    other = source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-10")
    out = tmp_path / "out"
    assert run("build", str(src), str(other), "-o", str(out), "--formats", "html")[0] == 0
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text(encoding="utf-8"))
    data["about"]["date"] = '2026-06-09T00:00:00Z</published><link href="https://evil.example/"/><x>'
    stamp.write_text(json.dumps(data), encoding="utf-8")
    stamp_b = out / "b" / ".b.briefpress"
    data = json.loads(stamp_b.read_text(encoding="utf-8"))
    data["about"] = {"title": ["not", "text"], "date": 20260610}
    stamp_b.write_text(json.dumps(data), encoding="utf-8")
    third = source(tmp_path, "c.md", "title: 丙 <b>&amp;\ndate: 2026-06-11")
    code, _, err = run("build", str(third), "-o", str(out), "--formats", "html")
    assert code == 0, err
    entries = feed_entries(out)
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["丙 <b>&amp;"]
    assert "evil.example" not in (out / "feed.xml").read_text() + (out / "index.html").read_text()
    html_parses(out / "index.html")


@pytest.mark.parametrize(
    "url",
    ['https://news.example/"><script>alert(1)</script>', "https://news.example/a'b", "https://x.example/\\"],
)
def test_a_web_url_that_would_break_an_attribute_is_refused(tmp_path, url):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    code, _, err = run("build", str(src), "-o", str(tmp_path / "out"), "--formats", "html", "--web-url", url)
    assert code == 2 and "--web-url" in err and "must be an http(s) address" in err
    assert not (tmp_path / "out").exists()


def test_every_attribute_of_the_feed_is_escaped():
    from briefpress.editions.site import Entry, atom
    from briefpress.options import Options

    entry = Entry("a", 'x"y', "s", "2026-06-09", links=[('a/a.html"z', "HTML"), ("a/a.pdf", "PDF")])
    text = atom([entry], Options().replace(site_name='名"<&'), base='https://h.example/"q/')
    root = ET.fromstring(text)
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links == [
        'https://h.example/"q/index.html',
        'https://h.example/"q/a/a.html"z',
        'https://h.example/"q/a/a.pdf',
    ]
    assert root.findtext(f"{ATOM}title") == '名"<&'


# -- every text field of config and front matter through the one-line checks ----------------

BAD_TEXT = [
    ("\x1b[31mred", "control character"),
    ("one\rtwo", "line break"),
    ("one\u2028two", "line break"),
    ("a" * 3000, "the limit is 1,000"),
]


@pytest.mark.parametrize(("value", "fragment"), BAD_TEXT)
@pytest.mark.parametrize("key", ["translator", "editor"])
def test_names_in_the_front_matter_are_one_line_fields(tmp_path, key, value, fragment):
    front = f"title: 甲\ndate: 2026-06-09\n{key}: {json.dumps(value)}"
    src = source(tmp_path, "a.md", front)
    code, _, err = run("build", str(src), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 1
    one_error(err, fragment, f"{src}:4: error: '{key}'")
    assert not (tmp_path / "out" / "a").exists()


@pytest.mark.parametrize(("value", "fragment"), [*BAD_TEXT, ("abc\u202edef", "bidirectional")])
@pytest.mark.parametrize("flag", ["--site-name", "--digest"])
def test_site_name_and_digest_name_are_one_line_fields(tmp_path, flag, value, fragment):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out = tmp_path / "out"
    code, _, err = run("build", str(src), "-o", str(out), "--formats", "html", flag, value)
    assert code == 2 and fragment in err and "\x1b" not in err
    assert not out.exists()
    # the same value in briefpress.toml
    config = tmp_path / "briefpress.toml"
    config.write_text(f"{flag[2:]} = {json.dumps(value)}\n", encoding="utf-8")
    from briefpress.errors import ConfigError
    from briefpress.options import read_config

    with pytest.raises(ConfigError, match=fragment):
        read_config(config)


# -- the site files' names are reserved --------------------------------------------------------


@pytest.mark.parametrize("slug", ["index.html", "feed.xml", "INDEX.HTML"])
def test_the_site_files_are_reserved_as_slugs(tmp_path, slug):
    src = source(tmp_path, "a.md", f"title: 甲\ndate: 2026-06-09\nslug: {slug}")
    out = tmp_path / "out"
    code, _, err = run("build", str(src), "-o", str(out), "--formats", "html")
    assert code == 1
    one_error(err, "is the name of a file every build writes", f"{src}:")
    assert not out.exists()
    code, _, err = run("build", str(source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-09")), "-o", str(out),
                       "--formats", "html", "--digest", "周", "--digest-slug", slug)  # fmt: skip
    assert code == 2 and "is the name of a file every build writes" in err
    # and later builds still work
    assert run("build", str(tmp_path / "b.md"), "-o", str(out), "--formats", "html")[0] == 0
    assert (out / "index.html").is_file() and (out / "feed.xml").is_file()


# -- a site file briefpress did not write is kept ---------------------------------------------


@pytest.mark.parametrize("name", ["index.html", "feed.xml"])
def test_a_hand_made_site_file_is_not_replaced_without_force(tmp_path, name):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out = tmp_path / "out"
    out.mkdir()
    mine = out / name
    mine.write_text("<p>my own page</p>\n", encoding="utf-8")
    code, _, err = run("build", str(src), "-o", str(out), "--formats", "html")
    assert code == 1
    one_error(err, "was not written by briefpress", f"{mine}: error:")
    assert mine.read_text(encoding="utf-8") == "<p>my own page</p>\n"
    assert (out / "a" / "a.html").is_file(), "the article itself is built"
    code, _, err = run("build", str(src), "-o", str(out), "--formats", "html", "--force")
    assert code == 0, err
    assert "my own page" not in mine.read_text(encoding="utf-8")
    # what briefpress wrote it replaces again; an edit it keeps
    other = source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-10")
    assert run("build", str(other), "-o", str(out), "--formats", "html")[0] == 0
    mine.write_text(mine.read_text(encoding="utf-8").replace("乙", "乙 (edited)"), encoding="utf-8")
    code, _, err = run("build", str(source(tmp_path, "c.md", "title: 丙\ndate: 2026-06-11")), "-o", str(out),
                       "--formats", "html")  # fmt: skip
    assert code == 1 and "(edited)" in mine.read_text(encoding="utf-8")


# -- what is published ------------------------------------------------------------------------


@pytest.mark.slow
def test_publish_copies_only_what_readers_may_see(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    other = source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-10")
    out, site = tmp_path / "out", tmp_path / "site"
    code, _, err = run(
        "build", str(src), str(other), "-o", str(out), "--formats", "html,pdf,newsletter,kindle",
        "--from", "editor@news.example", "--to", "reader@home.example", "--kindle-to", "me@kindle.com",
        "--digest", "周报",
    )  # fmt: skip
    assert code == 0, err
    (out / "a" / ".a.sent").write_text('{"a.eml": "reader@home.example"}', encoding="utf-8")
    (out / "a" / "notes.txt").write_text("private notes", encoding="utf-8")
    site.mkdir()
    (site / "CNAME").write_text("news.example\n", encoding="utf-8")
    code, out_text, err = run("publish", str(out), str(site))
    assert code == 0, err
    published = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert published == [
        ".briefpress-published", "CNAME", "a/a.html", "a/a.newsletter.html", "a/a.newsletter.txt", "a/a.pdf",
        "b/b.html", "b/b.newsletter.html", "b/b.newsletter.txt", "b/b.pdf",
        "digest/digest.html", "digest/digest.newsletter.html", "digest/digest.newsletter.txt",
        "digest/digest.pdf", "feed.xml", "index.html",
    ]  # fmt: skip
    everything = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    for private in (b"reader@home.example", b"me@kindle.com", str(tmp_path).encode(), b"private notes"):
        assert private not in everything
    # an article no longer built leaves the site; the host's own files stay
    (out / "b" / ".b.briefpress").unlink()
    code, out_text, err = run("publish", str(out), str(site))
    assert code == 0 and not (site / "b").exists() and (site / "CNAME").is_file()
    assert "removed" in out_text


def test_publish_refuses_a_folder_inside_the_output_and_an_empty_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run("publish", str(out), str(tmp_path / "site"))
    assert code == 1
    one_error(err, "holds no built editions", f"{out}: error:")
    code, _, err = run("publish", str(out), str(out / "site"))
    assert code == 1
    one_error(err, "must lie outside the output folder", f"{out / 'site'}: error:")


def test_private_state_is_readable_by_its_owner_only(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out = tmp_path / "out"
    code, _, err = run(
        "build", str(src), "-o", str(out), "--formats", "html,kindle", "--kindle-to", "me@kindle.com"
    )
    assert code == 0, err
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_file()}
    assert modes == {
        ".site.briefpress": 0o600, "a/.a.briefpress": 0o600, "a/a.kindle.eml": 0o600,
        "a/a.html": 0o644, "index.html": 0o644, "feed.xml": 0o644,
    }  # fmt: skip


def test_publish_neither_writes_nor_removes_through_a_link_in_the_site(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out, site, victim = tmp_path / "out", tmp_path / "site", tmp_path / "victim"
    assert run("build", str(src), "-o", str(out), "--formats", "html")[0] == 0
    victim.mkdir()
    (victim / "keep.txt").write_text("mine", encoding="utf-8")
    site.mkdir()
    (site / "a").symlink_to(victim)  # a cloned gh-pages branch may hold links
    code, _, err = run("publish", str(out), str(site))
    assert code == 1
    one_error(err, "is a link or a file", f"{site / 'a'}: error:")
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    (site / "a").unlink()
    (site / "lnk").symlink_to(victim)
    (site / ".briefpress-published").write_text('["lnk/keep.txt", "../victim/keep.txt"]', encoding="utf-8")
    assert run("publish", str(out), str(site))[0] == 0
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (site / "a" / "a.html").is_file()


# -- mail headers: no encoded word reaches them ---------------------------------------------

INJECTION = "=?utf-8?b?DQpCY2M6IGV2aWxAZXZpbC5leGFtcGxlDQpYLUluamVjdGVkOiAx?="


def test_an_encoded_word_in_a_title_is_refused_with_its_line(tmp_path):
    src = source(tmp_path, "a.md", f'title: "Hello {INJECTION} world"\ndate: 2026-06-09')
    out = tmp_path / "out"
    code, _, err = run(
        "build", str(src), "-o", str(out), "--formats", "newsletter", "--from", "l@example.org"
    )
    assert code == 1
    one_error(err, "encoded word (RFC 2047)", f"{src}:2: error: 'title'")
    assert not out.exists()


def test_an_encoded_word_in_an_address_is_refused(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    code, _, err = run(
        "build", str(src), "-o", str(tmp_path / "out"), "--formats", "newsletter",
        "--from", f'"List {INJECTION}" <list@example.org>',
    )  # fmt: skip
    assert code == 2 and "encoded word" in err and not (tmp_path / "out").exists()


def test_a_title_the_email_library_would_decode_into_two_fields_is_not_mailed(tmp_path):
    """Below the field checks: a title that reaches the mail anyway (set through the API)."""
    from briefpress.editions.newsletter import checked, new_message
    from briefpress.errors import BuildError, Report
    from briefpress.options import Options
    from briefpress.sources import read_article

    article = read_article(source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09"), Report())
    article.meta.title = f"Hello {INJECTION}"
    with pytest.raises(BuildError, match="would gain a field"):
        checked(new_message(article, Options(), "all@example.org"), article)


# -- private state nested too deeply is one line ---------------------------------------------


@pytest.mark.parametrize("where", ["stamp", "site-stamp", "published", "config"])
def test_json_and_toml_nested_too_deeply_are_one_line(tmp_path, where, monkeypatch):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out, site = tmp_path / "out", tmp_path / "site"
    assert run("build", str(src), "-o", str(out), "--formats", "html")[0] == 0
    assert run("publish", str(out), str(site))[0] == 0
    deep = "[" * 100_000
    target = {
        "stamp": out / "a" / ".a.briefpress",
        "site-stamp": out / ".site.briefpress",
        "published": site / ".briefpress-published",
        "config": tmp_path / "briefpress.toml",
    }[where]
    target.write_text(f"x = {deep}" if where == "config" else deep, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    other = source(tmp_path, "b.md", "title: 乙\ndate: 2026-06-10")
    code, _, err = run("build", str(other), "-o", str(out), "--formats", "html")
    assert "internal error" not in err and "Traceback" not in err
    if where == "config":
        assert code == 1
        one_error(err, "nested too deeply", "briefpress.toml: error:")
        return
    # an unreadable stamp is no stamp; an unreadable site stamp leaves the files briefpress marked
    assert code == 0, err
    code, _, err = run("publish", str(out), str(site))
    assert code == 0 and "internal error" not in err


SPACED = "=?utf-8?q?=0D=0ACc:_evil@evil.example ?="  # Python decodes it, spaces and all


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--unsubscribe", "https://x.example/=?utf-8?q?=0D=0ACc:=20evil@evil.example?="),
        ("--unsubscribe", "mailto:leave@example.org?subject==?utf-8?q?=0D=0ACc:=20evil@evil.example?="),
        ("--from", f'"{SPACED}" <list@example.org>'),
        ("--to", f'all@example.org, "a {SPACED}" <b@example.org>'),
        ("--kindle-to", f'"k {SPACED}" <me@kindle.com>'),
    ],
)
def test_no_encoded_word_reaches_a_mail_header_from_an_option(tmp_path, flag, value):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    argv = ["--from", "list@example.org", "--to", "all@example.org", "--kindle-to", "me@kindle.com"]
    code, _, err = run(
        "build",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "--formats",
        "epub,newsletter,kindle",
        *argv,
        flag,
        value,
    )
    assert code == 2 and flag in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_mail_whose_header_would_gain_a_field_is_not_written(tmp_path):
    """The last guard, on the bytes: whatever value the email library decodes into a new field."""
    from briefpress.editions.newsletter import checked, new_message
    from briefpress.errors import BuildError, Report
    from briefpress.options import Options
    from briefpress.sources import read_article

    article = read_article(source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09"), Report())
    message = new_message(article, Options(), "all@example.org")
    message["List-Unsubscribe"] = "<https://x.example/=?utf-8?q?=0D=0ACc:=20evil@evil.example?=>"
    with pytest.raises(BuildError, match=r"would gain a field \(Cc\)"):
        checked(message, article)
    del message["List-Unsubscribe"]
    assert b"Cc:" not in checked(message, article)


def test_send_reads_a_hand_edited_mail_and_stamp_in_one_line(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out = tmp_path / "out"
    flags = ("--formats", "pdf,newsletter", "--from", "list@example.org", "--to", "all@example.org")
    assert run("build", str(src), "-o", str(out), *flags)[0] == 0
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text(encoding="utf-8"))
    data["about"]["date"] = []
    stamp.write_text(json.dumps(data), encoding="utf-8")
    code, out_text, err = run("send", str(out), "--smtp", "127.0.0.1:9", "--dry-run")
    assert code == 0 and "internal error" not in err, err
    mail = out / "a" / "a.eml"
    mail.write_bytes(
        mail.read_bytes().replace(b"From: list@example.org", b'From: "\r\nBcc: x@y " <list@example.org>')
    )
    code, _, err = run("send", str(out), "--smtp", "127.0.0.1:9", "--dry-run")
    assert code == 1
    one_error(err, "its header cannot be read", f"{mail}: error:")


def test_publish_believes_only_what_it_could_have_written(tmp_path):
    src = source(tmp_path, "a.md", "title: 甲\ndate: 2026-06-09")
    out, site = tmp_path / "out", tmp_path / "site"
    assert run("build", str(src), "-o", str(out), "--formats", "html")[0] == 0
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (site / "CNAME").write_text("news.example\n", encoding="utf-8")
    (site / ".briefpress-published").write_text('["CNAME", ".git/config", "a/a.epub"]', encoding="utf-8")
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text(encoding="utf-8"))
    data["files"] = [[], {"x": 1}, *data["files"]]
    stamp.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("publish", str(out), str(site))
    assert code == 0 and "internal error" not in err, err
    assert (site / "CNAME").is_file() and (site / ".git" / "config").is_file()
    assert (site / "a" / "a.html").is_file()
