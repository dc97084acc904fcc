"""The parts of `briefpress send` that need no build and no server: the list of readers,
the stamp put on each message, its version, the pacing, the password (issue 27)."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default
from email.utils import parsedate_to_datetime

import pytest

from briefpress.errors import BriefpressError, ConfigError
from briefpress.send.readers import Reader, from_file, from_to
from briefpress.send.smtp import Connection
from briefpress.send.smtp import Server as Smtp
from briefpress.send.stamp import PROOF, stamp, version
from test_sending import LIST


def parsed(content: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(content, policy=default)  # type: ignore[return-value]


def test_the_list_file_reads_names_comments_and_unsubscribe_targets(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\ufeff" + LIST + "ann@example.org,Duplicate\n", encoding="utf-8")
    assert from_file(path) == [
        Reader("ann@example.org", "Ann Lee", "https://example.org/u/ann"),
        Reader("bob@example.net", "Bob, Jr."),
        Reader("cy@Example.COM"),
        Reader("ann@example.org", "Duplicate"),
    ]
    assert Reader("cy@Example.COM").key == "cy@example.com"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a@example.org,A,B,C\n", 1, "has 4 columns"),
        ('a@example.org,"A\x07"\n', 1, "control character"),
        ("ü@example.org\n", 1, "not ASCII"),
        ("a@example.org,A,javascript:alert(1)\n", 1, "not an unsubscribe address"),
        ("# nobody\n\n", None, "lists no reader"),
    ],
)
def test_a_wrong_list_names_its_line(tmp_path, text, line, fragment):
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        from_file(path)
    assert caught.value.line == line and fragment in caught.value.message


def test_to_rejects_a_name_that_would_start_a_header_field():
    with pytest.raises(ConfigError, match="control character"):
        from_to('"Eve\r\nBcc: all@example.org" <eve@example.org>')


TEMPLATE = (
    b"Subject: t\r\nFrom: Ed <ed@example.org>\r\nTo: all@example.org\r\n"
    b"Date: Mon, 02 Mar 2026 00:00:00 +0000\r\n"
    b"Message-ID: <t.2026-03-02@briefpress.invalid>\r\nList-Unsubscribe: <https://example.org/u>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLeave: https://example.org/u\r\n"
)


def test_a_stamp_dates_addresses_and_marks_the_message():
    now = dt.datetime(2026, 12, 2, 20, 30, tzinfo=dt.UTC)
    data, ident = stamp(
        TEMPLATE, now, Reader("ann@example.org", "Ann", "https://example.org/u/ann"), proof=True
    )
    message = parsed(data)
    assert parsedate_to_datetime(message["Date"]) == now
    assert message["Message-ID"] == ident and ident.endswith("@example.org>")
    assert str(message["To"]) == "Ann <ann@example.org>" and message["Subject"] == PROOF + "t"
    assert message["List-Unsubscribe"] == "<https://example.org/u/ann>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://example.org/u/ann" in message.get_content() and "/u\r" not in message.get_content()
    assert stamp(TEMPLATE, now)[1] != ident  # each message its own id


def test_a_version_is_the_content_not_the_date_or_the_readers():
    other = TEMPLATE.replace(b"To: all@example.org", b"To: x@example.org").replace(b"Mon, 02", b"Tue, 03")
    assert version(other) == version(TEMPLATE)
    assert version(TEMPLATE.replace(b"Leave:", b"Go:")) != version(TEMPLATE)
    assert version(TEMPLATE.replace(b"Subject: t", b"Subject: u")) != version(TEMPLATE)


def test_per_minute_spaces_the_messages():
    clock, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    connection = Connection(Smtp("127.0.0.1:9", per_minute=30), clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        connection._pace()
        clock[0] += 0.5  # the message took half a second
    assert slept == [1.5, 1.5]  # 2 s apart


def test_a_password_is_asked_for_not_guessed(monkeypatch, tmp_path):
    from briefpress.send.smtp import credentials

    monkeypatch.delenv("BRIEFPRESS_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    with pytest.raises(ConfigError, match="BRIEFPRESS_SMTP_PASSWORD"):
        credentials(Smtp("mail.example.org", "starttls", "bob"))
    assert credentials(Smtp("mail.example.org", "starttls")) is None
    bad = tmp_path / "netrc"
    bad.write_text("machine mail.example.org login a password b\nfoo bar\n")
    monkeypatch.setenv("NETRC", str(bad))
    with pytest.raises(BriefpressError) as caught:
        credentials(Smtp("mail.example.org", "starttls"))
    assert caught.value.path == str(bad) and caught.value.line == 2
