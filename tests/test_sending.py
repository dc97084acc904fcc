"""`briefpress send` as an editor sends a weekly issue to a list (issue 27): one message per
reader, dated when it goes, a Message-ID of its own; proofs; changed mails; the server as
people run it (deferrals, refusals, TLS, logins from ~/.netrc). Every server is on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import shutil
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.send.stamp import PROOF
from conftest import BODY
from mailserver import Server, certificate

SENDER = "Weekly Reading <editor@example.org>"
LIST = """# the reading group, as exported from the sign-up sheet
address,name,unsubscribe
ann@example.org,Ann Lee,https://example.org/u/ann
"Bob, Jr." <bob@example.net>

cy@Example.COM
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def dry_run(mails: Path, readers: Path, slug: str) -> tuple[int, str, str]:
    """What a send of ``slug``'s mails to the list would do (no server is reached)."""
    return run(
        "send", str(mails), "--smtp", "127.0.0.1:9", "--recipients", str(readers), "--only", slug, "--dry-run"
    )


def parsed(content: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(content, policy=default)  # type: ignore[return-value]


def article(folder: Path, slug: str, title: str, day: int, body: str = BODY) -> Path:
    path = folder / f"{slug}.md"
    path.write_text(
        f'---\ntitle: "{title}"\ndate: 2026-03-{day:02d}\nslug: {slug}\n---\n\n{body}', encoding="utf-8"
    )
    return path


BUILD = ("--formats", "newsletter,kindle", "--kindle-to", "reader@kindle.com", "--from", SENDER,
         "--unsubscribe", "https://example.org/unsubscribe")  # fmt: skip


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sources")
    article(folder, "week-a", "第一篇：读书会", 2)
    article(folder, "week-b", "第二篇：讨论", 3)
    return folder


@pytest.fixture(scope="module")
def built(sources, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "out"
    code, _, err = run("build", *map(str, sorted(sources.glob("*.md"))), "-o", str(out), *BUILD)
    assert code == 0, err
    return out


@pytest.fixture
def mails(built, tmp_path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "out"))


@pytest.fixture
def readers(tmp_path) -> Path:
    path = tmp_path / "readers.csv"
    path.write_text(LIST, encoding="utf-8")
    return path


pytestmark = pytest.mark.slow


def test_each_reader_gets_a_message_of_their_own_dated_now(mails, readers):
    smtp = Server()
    started = dt.datetime.now(dt.UTC)
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--recipients", str(readers))
    assert (code, err) == (0, ""), err
    assert out.splitlines()[-1] == "8 sent, 0 already sent before, 0 error(s)"
    newsletters = [m for m in smtp.received if m[1] != ["reader@kindle.com"]]
    kindles = [m for m in smtp.received if m[1] == ["reader@kindle.com"]]
    assert len(newsletters) == 6 and len(kindles) == 2  # 2 articles x 3 readers; 2 Kindle mails
    ids = set()
    for sender, recipients, content in smtp.received:
        message = parsed(content)
        to = [address.addr_spec for address in message["To"].addresses]
        assert sender == "editor@example.org" and to == recipients and len(to) == 1
        assert "Bcc" not in message and "Cc" not in message
        sent = parsedate_to_datetime(message["Date"])
        assert abs((sent - started).total_seconds()) < 60, message["Date"]
        assert message["Message-ID"].endswith("@example.org>")
        ids.add(message["Message-ID"])
    assert len(ids) == 8
    by_reader = {m[1][0]: parsed(m[2]) for m in newsletters if "第一篇" in parsed(m[2])["Subject"]}
    assert set(by_reader) == {"ann@example.org", "bob@example.net", "cy@Example.COM"}
    assert str(by_reader["bob@example.net"]["To"]) == '"Bob, Jr." <bob@example.net>'
    assert by_reader["ann@example.org"]["List-Unsubscribe"] == "<https://example.org/u/ann>"
    assert by_reader["cy@Example.COM"]["List-Unsubscribe"] == "<https://example.org/unsubscribe>"
    # the built mail is the template: the same bytes as before the send
    template = parsed((mails / "week-a" / "week-a.eml").read_bytes())
    assert template["Date"].startswith("Mon, 02 Mar 2026") and "To" not in template
    code, out, _ = run("send", str(mails), "--smtp", server, "--recipients", str(readers), "--dry-run")
    assert out.splitlines() == ["0 would send, 8 already sent before, 0 error(s)"]


def test_a_dry_run_lists_what_goes_to_whom(mails, readers):
    code, out, err = dry_run(mails, readers, "week-b")
    assert (code, err) == (0, "")
    folder = mails / "week-b"
    assert out.splitlines() == [
        f"would send {folder / 'week-b.kindle.eml'} to reader@kindle.com",
        f"would send {folder / 'week-b.eml'} to Ann Lee <ann@example.org>",
        f'would send {folder / "week-b.eml"} to "Bob, Jr." <bob@example.net>',
        f"would send {folder / 'week-b.eml'} to cy@Example.COM",
        "4 would send, 0 already sent before, 0 error(s)",
    ]


def test_bcc_sends_one_message_with_the_readers_in_its_envelope_only(mails, readers):
    smtp = Server()
    with smtp as server:
        code, out, err = run(
            "send", str(mails), "--smtp", server, "--recipients", str(readers), "--bcc", "--only", "week-a"
        )
    assert (code, err) == (0, "")
    [newsletter] = [m for m in smtp.received if m[1] != ["reader@kindle.com"]]
    assert newsletter[1] == ["ann@example.org", "bob@example.net", "cy@Example.COM"]
    message = parsed(newsletter[2])
    assert str(message["To"]) == SENDER and b"ann@example.org" not in newsletter[2]
    assert out.splitlines()[-1] == "4 sent, 0 already sent before, 0 error(s)"  # 3 readers + the Kindle
    code, out, _ = dry_run(mails, readers, "week-a")
    assert out.splitlines()[-1] == "0 would send, 4 already sent before, 0 error(s)"


def test_a_proof_is_marked_and_does_not_count_as_sent(mails, readers):
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--proof", "me@example.org")
        assert (code, err) == (0, "")
        assert [m[1] for m in smtp.received] == [["me@example.org"], ["me@example.org"]]  # no Kindle mail
        assert all(parsed(m[2])["Subject"].startswith(PROOF) for m in smtp.received)
        assert not list(mails.rglob(".*.sent"))
        code, out, err = run("send", str(mails), "--smtp", server, "--recipients", str(readers))
    assert (code, err) == (0, "") and out.splitlines()[-1] == "8 sent, 0 already sent before, 0 error(s)"
    assert not any(parsed(m[2])["Subject"].startswith(PROOF) for m in smtp.received[2:])


def test_a_mail_changed_since_it_was_sent_waits_for_resend(mails, readers, sources, tmp_path):
    smtp = Server()
    with smtp as server:
        assert (
            run("send", str(mails), "--smtp", server, "--recipients", str(readers), "--only", "week-a")[0]
            == 0
        )
        # built again unchanged: the same version, nothing to send
        code, _, err = run("build", str(sources / "week-a.md"), "-o", str(mails), *BUILD)
        assert code == 0, err
        code, out, _ = run(
            "send", str(mails), "--smtp", server, "--recipients", str(readers), "--only", "week-a"
        )
        assert out.splitlines() == ["0 sent, 4 already sent before, 0 error(s)"]
        # corrected and built again
        changed = article(tmp_path, "week-a", "第一篇：读书会（更正）", 2)
        code, _, err = run("build", str(changed), "-o", str(mails), *BUILD, "--force")
        assert code == 0, err
        code, out, err = run(
            "send", str(mails), "--smtp", server, "--recipients", str(readers), "--only", "week-a"
        )
        assert (code, err) == (0, "")
        lines = out.splitlines()
        assert lines[-1] == "0 sent, 0 already sent before, 4 changed since sent, 0 error(s)"
        today = dt.datetime.now(dt.UTC).date().isoformat()
        assert (
            f"week-a.eml: changed since sent on {today}" in lines[1]
            and "--resend to send the new version" in lines[1]
        )
        count = len(smtp.received)
        code, out, err = run(
            "send", str(mails), "--smtp", server, "--recipients", str(readers), "--only", "week-a", "--resend"
        )
        assert (code, err) == (0, "") and out.splitlines()[-1] == "4 sent, 0 already sent before, 0 error(s)"
    resent = [parsed(m[2]) for m in smtp.received[count:]]
    assert {m["Subject"] for m in resent if "kindle" not in str(m["To"])} == {"第一篇：读书会（更正）"}
    entries = [json.loads(line) for line in (mails / "week-a" / ".week-a.sent").read_text().splitlines()]
    assert len({e["version"] for e in entries if e["mail"] == "week-a.eml"}) == 2
    assert len({e["message_id"] for e in entries}) == 8


def test_a_server_that_defers_is_tried_again_and_a_refused_reader_is_named(mails, readers):
    smtp = Server(defer=2, refuse=frozenset({"bob@example.net"}))
    with smtp as server:
        code, out, err = run(
            "send",
            str(mails),
            "--smtp",
            server,
            "--recipients",
            str(readers),
            "--only",
            "week-a",
            "--retry-wait",
            "0.01",
        )
    assert code == 1 and smtp.deferred == 2
    assert err.count("\n") == 1, err
    assert "week-a.eml: error: the mail server refused" in err and "bob@example.net" in err
    assert "550 5.1.1 no such user here" in err and "the other readers are sent" in err
    assert sorted(m[1][0] for m in smtp.received) == [
        "ann@example.org",
        "cy@Example.COM",
        "reader@kindle.com",
    ]
    assert out.splitlines()[-1] == "3 sent, 0 already sent before, 1 error(s)"


def test_a_send_that_stops_resumes_and_no_reader_gets_a_version_twice(mails, readers):
    failing = Server(refuse_after=3)
    with failing as server:
        code, _, err = run(
            "send", str(mails), "--smtp", server, "--recipients", str(readers), "--retries", "0"
        )
    assert code == 1 and "451" in err and "send again to resume where it stopped" in err
    working = Server()
    with working as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--recipients", str(readers))
    assert (code, err) == (0, "") and out.splitlines()[-1] == "5 sent, 3 already sent before, 0 error(s)"
    delivered = [(parsed(m[2])["Subject"], m[1][0]) for m in failing.received + working.received]
    assert len(delivered) == len(set(delivered)) == 8


def test_starttls_logs_in_with_the_password_from_netrc(mails, readers, tmp_path, monkeypatch):
    cert, key = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.delenv("BRIEFPRESS_SMTP_PASSWORD", raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login editor password s3cret-from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    smtp = Server(auth=True, tls=(cert, key))
    with smtp as server:
        code, out, err = run(
            "send", str(mails), "--smtp", server, "--starttls", "--to", "ann@example.org", "--only", "week-a"
        )
    assert (code, err) == (0, "")
    assert smtp.logins == [("PLAIN", b"editor", b"s3cret-from-netrc")]
    assert "s3cret" not in out and len(smtp.received) == 2


def test_implicit_tls(mails, tmp_path, monkeypatch):
    cert, key = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    smtp = Server(tls=(cert, key), implicit=True)
    with smtp as server:
        code, _, err = run(
            "send", str(mails), "--smtp", server, "--ssl", "--to", "ann@example.org", "--only", "week-b"
        )
    assert (code, err) == (0, "") and len(smtp.received) == 2


def test_a_wrong_line_in_the_list_stops_the_send_before_any_mail(mails, tmp_path):
    path = tmp_path / "readers.csv"
    path.write_text("ann@example.org\n# fine so far\nnot an address\n", encoding="utf-8")
    smtp = Server()
    with smtp as server:
        code, out, err = run("send", str(mails), "--smtp", server, "--recipients", str(path))
    assert code == 1 and out == "" and smtp.received == []
    assert err == f"{path}:3: error: 'not an address': it is not a mail address (name@example.org)\n"
