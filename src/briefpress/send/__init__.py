"""``briefpress send DIR``: the built mails (newsletters, the digest's, Send-to-Kindle), sent
by SMTP, one message per reader.

Each newsletter goes to the readers of ``--recipients FILE`` and ``--to`` (or, when
neither is given, those the build addressed it to), each in a message of their own
(``--bcc``: one message, the readers in its envelope only); a Kindle mail to its Kindle
address. Every message is stamped as it goes (:mod:`.stamp`). The sent log records each
(mail, version, reader) the server accepted, at once (:mod:`.log`), so a send that fails
resumes where it stopped, no reader gets one version twice, and a mail rebuilt with other
content after it was sent is reported, not sent, until ``--resend``. ``--proof ADDRESS``
sends each newsletter to one address, marked, and records nothing. One send of a folder
runs at a time (a lock file in it).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefpressError
from . import log as sentlog
from .log import LOCK, SENT, Entry, Log, locked
from .mails import Mail, find_mails
from .readers import Reader, from_file, from_to, unique
from .smtp import PASSWORD_VARIABLE, Connection, Server, check_login, credentials, reply, split_server
from .stamp import PROOF, stamp

__all__ = [
    "LOCK",
    "PASSWORD_VARIABLE",
    "PROOF",
    "SENT",
    "Mail",
    "Sending",
    "SendResult",
    "Server",
    "check_login",
    "send",
    "split_server",
]

#: readers refused one after another before the send stops: the server refuses the mail
REFUSED_IN_A_ROW = 5


@dataclass
class Sending:
    """What to send, to whom (the CLI's ``send`` options, for the Python API too)."""

    server: Server
    to: str | None = None
    recipients: Path | None = None
    bcc: bool = False
    proof: str | None = None
    resend: bool = False
    dry_run: bool = False
    #: the slugs of the articles or digests to send (none: every one)
    only: tuple[str, ...] = ()

    def readers(self) -> list[Reader] | None:
        """The readers the options name, or None: each mail's own."""
        if self.to is None and self.recipients is None:
            return None
        listed = from_file(self.recipients) if self.recipients is not None else []
        return unique(listed + (from_to(self.to) if self.to is not None else []))


@dataclass
class Delivery:
    """One message: ``mail`` to ``readers`` (several only with --bcc)."""

    mail: Mail
    readers: list[Reader]
    proof: bool = False
    bcc: bool = False

    def describe(self) -> str:
        if self.bcc:
            return f"{len(self.readers)} reader(s) in Bcc: " + ", ".join(r.address for r in self.readers)
        return ", ".join(str(reader) for reader in self.readers)


@dataclass
class Changed:
    """A mail sent before in another version: not sent again without --resend."""

    mail: Mail
    readers: list[Reader]
    when: str


@dataclass
class SendResult:
    sent: list[Delivery] = field(default_factory=list)
    #: (mail, reader) pairs sent before in this version
    skipped: list[tuple[Mail, Reader]] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    errors: list[BriefpressError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> int:
        return sum(len(d.readers) if d.bcc else 1 for d in self.sent)


def send(
    directory: Path, how: Sending, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
) -> SendResult:
    """Send every built mail to each of its readers who has not had this version.

    Raises, before anything is sent, for a login without TLS or without a password, a
    list of readers with a wrong line, a folder another send is sending, and a sent log
    that cannot be read or written.
    """
    server = how.server
    check_login(server.address, server.security, server.user, server.insecure_auth)
    readers = how.readers()
    result = SendResult()
    mails, result.errors = find_mails(directory, how.only)
    if how.proof is not None:
        proofs = [Delivery(m, from_to(how.proof), proof=True) for m in mails if not m.kindle]
        if how.dry_run:
            result.sent = proofs
        elif proofs:
            credentials(server)
            _deliver(proofs, server, result, now, record=False)
        return result
    if how.dry_run:
        _plan(mails, readers, how, {m.log: sentlog.read(m.log) for m in mails}, result)
        return result
    credentials(server)
    with locked(directory):  # the logs are read under the lock: a second send sees what went
        logs = {mail.log: sentlog.read(mail.log) for mail in mails}
        todo = _plan(mails, readers, how, logs, result)
        for path, log in logs.items():
            sentlog.clear_stale(path)
            if any(d.mail.log == path for d in todo):
                sentlog.check_writable(path)
                if log.stale:
                    sentlog.rewrite(log)
        if todo:
            _deliver(todo, server, result, now, record=True)
    return result


def _plan(
    mails: list[Mail], readers: list[Reader] | None, how: Sending, logs: dict[Path, Log], result: SendResult
) -> list[Delivery]:
    """The messages to send; what was sent before goes to ``result``."""
    todo: list[Delivery] = []
    for mail in mails:
        targets = mail.readers if mail.kindle or readers is None else readers
        if not targets:
            hint = "--kindle-to" if mail.kindle else "--to: or give send --to or --recipients"
            result.errors.append(BriefpressError(f"has no To: build it with {hint}", mail.path))
            continue
        fresh, changed, when = [], [], ""
        for reader in targets:
            before = logs[mail.log].entries_for(mail.path.name, reader.key)
            same = [e for e in before if e.version in (mail.version, None)]
            if not before or how.resend:
                fresh.append(reader)
            elif same:
                result.skipped.append((mail, reader))
            else:
                changed.append(reader)
                when = max(when, max(e.at for e in before))
        if changed:
            result.changed.append(Changed(mail, changed, when))
        if fresh and how.bcc and not mail.kindle:
            todo.append(Delivery(mail, fresh, bcc=True))
        else:
            todo += [Delivery(mail, [reader]) for reader in fresh]
    result.sent = todo if how.dry_run else []
    return todo


def _deliver(
    todo: list[Delivery], server: Server, result: SendResult, now: Callable[[], dt.datetime], record: bool
) -> None:
    connection = Connection(server)
    refused = 0
    try:
        for delivery in todo:
            mail = delivery.mail
            first = None if delivery.bcc else delivery.readers[0]
            data, ident = stamp(mail.path.read_bytes(), now(), first, delivery.proof, delivery.bcc)
            addresses = [reader.address for reader in delivery.readers]
            try:
                turned_down = connection.send(mail.sender, addresses, data)
            except smtplib.SMTPRecipientsRefused as exc:
                refused += 1
                result.errors.append(_refused(delivery, exc, connection, refused >= REFUSED_IN_A_ROW))
                if refused >= REFUSED_IN_A_ROW:
                    break
                continue
            except (OSError, smtplib.SMTPException) as exc:
                result.errors.append(_stopped(delivery, exc, connection, server))
                break
            refused = 0
            accepted = [r for r in delivery.readers if r.address not in turned_down]
            result.sent.append(Delivery(mail, accepted, delivery.proof, delivery.bcc))
            for address, answer in turned_down.items():
                result.errors.append(
                    BriefpressError(f"the mail server refused {address} ({reply_of(answer)})", mail.path)
                )
            if record and not _recorded(delivery, accepted, ident, result):
                break
    finally:
        connection.close()


def reply_of(answer: tuple[int, bytes]) -> str:
    code, text = answer
    return " ".join(f"{code} {text.decode('utf-8', 'replace')}".split())


def _refused(delivery: Delivery, exc: Exception, connection: Connection, stop: bool) -> BriefpressError:
    after = f" after {len(connection.tries) + 1} tries" if connection.tries else ""
    rest = (
        f"{REFUSED_IN_A_ROW} readers in a row were refused: nothing more was sent"
        if stop
        else "the other readers are sent"
    )
    return BriefpressError(
        f"the mail server refused {delivery.describe()} ({reply(exc)}){after}; {rest}", delivery.mail.path
    )


def _stopped(delivery: Delivery, exc: Exception, connection: Connection, server: Server) -> BriefpressError:
    tries = len(connection.tries) + 1
    after = f" after {tries} tries" if tries > 1 else ""
    if connection.client is None and not isinstance(exc, smtplib.SMTPResponseException):
        what = f"cannot reach the mail server {server.address} ({reply(exc)}){after}"
    else:
        what = f"the mail server refused it for {delivery.describe()} ({reply(exc)}){after}"
    return BriefpressError(
        f"{what}; nothing more was sent: send again to resume where it stopped", delivery.mail.path
    )


def _recorded(delivery: Delivery, accepted: list[Reader], ident: str, result: SendResult) -> bool:
    mail = delivery.mail
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    try:
        for reader in accepted:
            sentlog.append(mail.log, Entry(mail.path.name, mail.version, reader.key, at, ident))
    except OSError as exc:
        result.errors.append(
            BriefpressError(
                f"the server accepted it, but its sent log could not be written "
                f"({exc.strerror or exc}); nothing more was sent, and the next send sends it again",
                mail.log,
            )
        )
        return False
    return True
