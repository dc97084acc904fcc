"""The list under attack: `briefpress send` and the mails it sends (issue 23).

Every server here is a real SMTP server (aiosmtpd) on 127.0.0.1. Each test asserts the
safe behaviour: no password in clear, no mail twice, no mail before a bad sent log is
found, a sent log never left half-written, and MIME parts a title cannot end early.
"""

from __future__ import annotations

import email
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.editions import newsletter
from briefpress.errors import ConfigError
from briefpress.send import LOCK, check_login
from conftest import BODY, ROOT
from mailserver import Server

#: a title that is the closing delimiter of the Kindle mail's old fixed boundary
#: ("=_briefpress_kindle_" + slug): it ended the mail before the EPUB
CLOSING_TITLE = "--=_briefpress_kindle_t--"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def one_error(err: str, path: Path, fragment: str) -> None:
    """``err`` is exactly one line: ``path: error: ...fragment...``."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"{path}: error: ") and fragment in err, err


def message_ids(server: Server) -> list[str]:
    return [email.message_from_bytes(m[2], policy=default)["Message-ID"] for m in server.received]


#: the editions and addresses of every build here: four mails from two articles
MAIL_FLAGS = ("--formats", "pdf,epub,kindle,newsletter", "--kindle-to", "reader@kindle.com",
              "--from", "list@example.org", "--to", "all@example.org")  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Two articles, each with a newsletter and a Kindle mail: four mails, two sent logs.
    One title is the closing delimiter of the Kindle mail's old fixed boundary."""
    folder = tmp_path_factory.mktemp("mail-sources")
    (folder / "t.md").write_text(
        f'---\ntitle: "{CLOSING_TITLE}"\ndate: 2026-02-02\nslug: t\n---\n\n{BODY}', encoding="utf-8"
    )
    shutil.copy(ROOT / "tests" / "articles" / "tiny" / "tiny.md", folder / "tiny.md")
    out = tmp_path_factory.mktemp("mail-built") / "out"
    code, _, err = run(
        "build",
        str(folder / "t.md"),
        str(folder / "tiny.md"),
        "-o",
        str(out),
        *MAIL_FLAGS,
    )
    assert code == 0, err
    return out


@pytest.fixture
def mails(built, tmp_path) -> Path:
    """A fresh copy of the built folder, nothing sent yet."""
    return Path(shutil.copytree(built, tmp_path / "out"))


# -- --user without TLS ---------------------------------------------------------------------


def test_login_without_tls_is_refused_before_the_password_goes(mails, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_SMTP_PASSWORD", "secret")
    smtp = Server(auth=True)
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--user", "bob")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: --user bob would send the password unencrypted")
    assert "--starttls or --ssl" in err
    assert smtp.logins == [] and smtp.received == []  # the server never saw AUTH, nor a mail


def test_insecure_auth_logs_in_to_a_test_server_on_this_machine(mails, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_SMTP_PASSWORD", "secret")
    smtp = Server(auth=True)
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--user", "bob", "--insecure-auth")
    assert (code, err) == (0, "")
    assert smtp.logins == [("PLAIN", b"bob", b"secret")]
    assert len(smtp.received) == 4 and out.splitlines()[-1] == "4 sent, 0 already sent before, 0 error(s)"


def test_insecure_auth_to_another_host_is_refused_without_connecting(mails, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_SMTP_PASSWORD", "secret")
    connections: list[object] = []
    real = socket.create_connection
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a) or real(*a, **k))
    for server in ("192.0.2.1:2525", "localhost.example.org", "[2001:db8::1]:25"):
        code, out, err = run("send", str(mails), "--smtp", server, "--user", "bob", "--insecure-auth")
        assert code == 1 and out == "", err
        assert err.count("\n") == 1 and err.startswith("error: --insecure-auth is only for a test server")
    assert connections == []


@pytest.mark.parametrize("server", ["127.0.0.1:2525", "localhost", "LOCALHOST:25", "[::1]:2525", "::1"])
def test_the_loopback_hosts_insecure_auth_allows(server):
    check_login(server, "none", "bob", insecure_auth=True)


@pytest.mark.parametrize("server", ["10.0.0.1", "127.0.0.1.example.org:25", "0.0.0.0:25", "mail"])
def test_hosts_insecure_auth_refuses(server):
    with pytest.raises(ConfigError, match="only for a test server"):
        check_login(server, "none", "bob", insecure_auth=True)


def test_a_login_over_tls_passes_the_check():
    for security in ("starttls", "ssl"):
        check_login("mail.example.org", security, "bob")
    check_login("mail.example.org", "none", None)  # no login, nothing to protect
    with pytest.raises(ConfigError, match="unencrypted"):
        check_login("mail.example.org", "none", "bob")


# -- two sends at once ----------------------------------------------------------------------


def test_two_concurrent_sends_deliver_each_mail_exactly_once(mails):
    smtp = Server(hold_first=True)
    with smtp as server:
        first = subprocess.Popen(
            [sys.executable, "-m", "briefpress", "send", str(mails), "--smtp", server],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert smtp.holding.wait(60), "the first send never reached the server"
            # the first send is in the middle of its first mail: a second one starts now
            code, out, err = run("send", str(mails), "--smtp", server)
            assert code == 1 and out == ""
            one_error(err, mails / LOCK, "another 'briefpress send' is sending this folder")
        finally:
            smtp.release.set()
            out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        assert out.splitlines()[-1] == "4 sent, 0 already sent before, 0 error(s)"
        code, out, err = run("send", str(mails), "--smtp", server)  # after it: nothing left
        assert (code, err) == (0, "") and out.splitlines()[-1] == "0 sent, 4 already sent before, 0 error(s)"
    ids = message_ids(smtp)
    assert len(ids) == 4 and len(set(ids)) == 4


# -- a sent log that cannot be read or written ----------------------------------------------


def _sent_once(mails: Path) -> Path:
    with Server() as server:
        assert run("send", str(mails), "--smtp", server)[0] == 0
    return mails / "t" / ".t.sent"


@pytest.mark.parametrize(
    ("damage", "fragment", "line"),
    [
        (lambda log: log.write_bytes(b"{ torn\n" + log.read_bytes()), "the line is not JSON", 1),
        (lambda log: log.write_bytes(b"\xff\xfe sent\n"), "not UTF-8", None),
        (lambda log: log.write_text('["t.eml"]\n', encoding="utf-8"), "the line is not an entry", 1),
        (lambda log: log.write_bytes(log.read_bytes() + b"x" * (65 * 1024) + b"\n"), "over 64 KB", 3),
        (lambda log: log.write_bytes(b"[" * 10_000 + b"\n"), "the line is not JSON", 1),
    ],
    ids=["torn-line", "not-utf8", "not-an-entry", "oversized-line", "nested"],
)
def test_a_damaged_sent_log_stops_the_send_before_any_mail(mails, damage, fragment, line):
    log = _sent_once(mails)
    damage(log)
    named = f"{log}:{line}" if line else log
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server)
        assert code == 1 and out == ""
        one_error(err, named, fragment)
        assert "restore it, or delete it" in err
        code, out, err = run("send", str(mails), "--smtp", server, "--dry-run")  # a dry run says so too
        assert code == 1
        one_error(err, named, fragment)
    assert smtp.received == []


def test_a_last_line_cut_short_sends_that_one_message_again(mails):
    """A send killed while appending leaves a last line without its end: the message it
    recorded is sent again (the server may not have had it), nothing else."""
    log = _sent_once(mails)
    lines = log.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2  # t.eml and t.kindle.eml, one reader each
    log.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "1 sent, 3 already sent before, 0 error(s)"
    assert [json.loads(line)["mail"] for line in log.read_text(encoding="utf-8").splitlines()] == [
        json.loads(lines[0])["mail"],
        json.loads(lines[1])["mail"],
    ]


def test_an_empty_sent_log_records_nothing(mails):
    log = _sent_once(mails)
    log.write_bytes(b"")
    with Server() as server:
        code, out, _ = run("send", str(mails), "--smtp", server, "--dry-run")
    assert code == 0 and out.splitlines()[-1] == "2 would send, 2 already sent before, 0 error(s)"


def test_a_sent_log_of_the_older_format_is_read_and_rewritten(mails):
    """A log written before version 0.x named each mail once: read as sent to those
    readers, and rewritten as lines by the next send that sends from its folder."""
    log = mails / "t" / ".t.sent"
    older = {"t.eml": {"to": ["all@example.org"], "subject": "t", "at": "2026-11-01T09:00:00+00:00"}}
    log.write_text(json.dumps(older, indent=1), encoding="utf-8")
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server)
    assert (code, err) == (0, "") and out.splitlines()[-1] == "3 sent, 1 already sent before, 0 error(s)"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["mail"], e["to"], e["version"]) for e in entries][0] == ("t.eml", "all@example.org", None)
    assert {e["mail"] for e in entries} == {"t.eml", "t.kindle.eml"}


def test_a_sent_log_that_is_a_folder_stops_the_send_before_any_mail(mails):
    log = mails / "t" / ".t.sent"
    log.mkdir()
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server)
    assert code == 1 and out == "" and "internal error" not in err
    one_error(err, log, "it is a folder")
    assert smtp.received == []


@contextmanager
def unwritable(folder: Path):
    """``folder`` made unwritable, also for root (the immutable attribute), or skip."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.access(folder, os.W_OK) or os.geteuid() == 0:
            immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        try:
            (folder / ".probe").touch()
        except OSError:
            pass
        else:
            (folder / ".probe").unlink()
            pytest.skip("cannot make a folder unwritable here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("where", ["article", "output"])
def test_an_unwritable_folder_stops_the_send_before_any_mail(mails, where):
    folder = mails / "t" if where == "article" else mails
    named = mails / "t" / ".t.sent" if where == "article" else mails / LOCK
    smtp = Server()
    with smtp as server, unwritable(folder):
        code, out, err = run("send", str(mails), "--smtp", server)
    assert code == 1 and out == "" and "internal error" not in err
    one_error(err, named, "nothing was sent")
    assert smtp.received == []
    assert not (mails / "tiny" / ".tiny.sent").exists()  # not even the other article's mails


# -- the sent log is appended to, synced ----------------------------------------------------

_KILLED_AT_SYNC = """
import os, signal, sys
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed while writing the log
from briefpress.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_send_killed_while_writing_the_log_resumes_after_that_message(mails):
    log = _sent_once(mails)
    before = log.read_bytes()
    smtp = Server()
    with smtp as server:
        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_AT_SYNC, "send", str(mails), "--smtp", server, "--resend"],
            capture_output=True,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert len(smtp.received) == 1  # the server took one mail; then the log was being synced
        after = log.read_bytes()
        assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
        code, out, err = run("send", str(mails), "--smtp", server)
    assert (code, err) == (0, "") and out.splitlines()[-1] == "0 sent, 4 already sent before, 0 error(s)"
    assert not list(mails.rglob("*.tmp"))


def test_a_failed_log_write_is_one_line_and_keeps_the_previous_log(mails, monkeypatch):
    _sent_once(mails)
    before = {path: path.read_bytes() for path in mails.rglob(".*.sent")}
    real = os.fsync

    def fsync(handle):
        if os.readlink(f"/proc/self/fd/{handle}").endswith(".sent"):
            raise OSError(28, "No space left on device")
        return real(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--resend")
    assert code == 1 and len(smtp.received) == 1  # nothing more after the log failed
    one_error(err, mails / "t" / ".t.sent", "the server accepted it, but its sent log could not be written")
    assert "No space left on device" in err and "the next send sends it again" in err
    assert out.splitlines()[-1] == "1 sent, 0 already sent before, 1 error(s)"
    assert {path: path.read_bytes() for path in mails.rglob(".*.sent")} == before


# -- MIME boundaries ------------------------------------------------------------------------


def test_a_title_that_closes_the_old_boundary_keeps_the_kindle_mail_whole(built):
    raw = (built / "t" / "t.kindle.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert message["Subject"] == CLOSING_TITLE
    assert message.defects == [] and not message.epilogue
    text, book = message.get_payload()
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed",
        "text/plain",
        "application/epub+zip",
    ]
    assert text.get_content().splitlines() == [CLOSING_TITLE]
    assert book.get_content() == (built / "t" / "t.epub").read_bytes()
    boundary = message.get_boundary()
    assert boundary is not None and boundary.encode() not in b"".join(p.as_bytes() for p in (text, book))


def test_a_title_that_closes_the_old_boundary_keeps_the_newsletter_whole(built):
    raw = (built / "t" / "t.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert message.defects == [] and not message.epilogue
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    for kind, name in (("plain", "t.newsletter.txt"), ("html", "t.newsletter.html")):
        built_text = (built / "t" / name).read_text(encoding="utf-8")
        assert message.get_body((kind,)).get_content().splitlines() == built_text.splitlines(), kind
    assert (built / "t" / "t.newsletter.txt").read_text(encoding="utf-8").startswith(CLOSING_TITLE + "\n")
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content() == (built / "t" / "t.pdf").read_bytes()
    boundaries = [p.get_boundary() for p in message.walk() if p.is_multipart()]
    assert len(set(boundaries)) == 2 and all(b and b.startswith("=_briefpress_") for b in boundaries)


def test_mails_are_the_same_bytes_when_built_again(built, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "t.md").write_text(
        f'---\ntitle: "{CLOSING_TITLE}"\ndate: 2026-02-02\nslug: t\n---\n\n{BODY}', encoding="utf-8"
    )
    code, _, err = run(
        "build",
        str(sources / "t.md"),
        "-o",
        str(tmp_path / "again"),
        *MAIL_FLAGS,
    )
    assert code == 0, err
    for name in ("t.eml", "t.kindle.eml"):
        assert (tmp_path / "again" / "t" / name).read_bytes() == (built / "t" / name).read_bytes(), name


def test_a_boundary_found_in_the_content_is_derived_again(monkeypatch):
    """Were the first boundary derived from the content in the content (here forced),
    the next one is taken: the parts stay whole."""
    real = hashlib.sha256
    planted = "=_briefpress_" + real(b"planted").hexdigest()[:32]
    first = lambda data=b"": real(b"planted" if data.endswith(b"\n0") else data)  # noqa: E731
    message = EmailMessage(policy=SMTP)
    message["Subject"] = "x"
    message.set_content(f"--{planted}--\n", subtype="plain", charset="utf-8", cte="7bit")
    message.add_attachment(b"BOOK", maintype="application", subtype="epub+zip", filename="b.epub")
    monkeypatch.setattr(newsletter.hashlib, "sha256", first)
    newsletter.set_boundaries(message)
    monkeypatch.undo()
    assert message.get_boundary() != planted
    parsed = email.message_from_bytes(message.as_bytes(), policy=default)
    text, book = parsed.get_payload()
    assert text.get_content().splitlines() == [f"--{planted}--"] and book.get_content() == b"BOOK"
