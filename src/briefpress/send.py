"""``briefpress send DIR``: the built mails (newsletter and Send-to-Kindle), sent by SMTP.

Newest article first. Each mail accepted by the server is written to its article's
sent log (``.<slug>.sent``, beside the stamp) at once, so a batch that fails halfway
resumes where it stopped, and no article's mail goes out twice unless ``--resend``.
One send of a folder runs at a time (a lock file in it), a sent log that cannot be read
or written stops the send before the first mail, and a password never travels unencrypted
except, with ``--insecure-auth``, to a test server on this machine.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import smtplib
import ssl
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from email.utils import getaddresses
from pathlib import Path

from .build.lock import exclusive
from .build.output import stage
from .errors import BriefpressError, ConfigError

PASSWORD_VARIABLE = "BRIEFPRESS_SMTP_PASSWORD"
SENT = ".{slug}.sent"
MAIL_ENDINGS = (".kindle.eml", ".eml")
#: held by the send that is sending the folder (an flock, gone with its process)
LOCK = ".briefpress-send.lock"
#: the hosts --insecure-auth may log in to without TLS: this machine only
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: a sent log holds a line or two per mail; anything larger is not one
LOG_LIMIT = 1024 * 1024


@dataclass
class Mail:
    path: Path
    slug: str
    date: str
    sender: str
    recipients: list[str]
    subject: str

    @property
    def log(self) -> Path:
        return self.path.parent / SENT.format(slug=self.slug)


@dataclass
class SendResult:
    sent: list[Mail] = field(default_factory=list)
    skipped: list[Mail] = field(default_factory=list)
    errors: list[BriefpressError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def sent_log(path: Path) -> dict[str, dict]:
    """What the sent log at ``path`` says went out; {} when there is none yet.

    A log that is there but cannot be read is an error, not "nothing sent": read as
    empty, it would send every mail of its article again.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        raise _unreadable(path, "it is a folder" if stat.S_ISDIR(mode) else "it is not a regular file")
    with os.fdopen(handle, "rb") as stream:
        try:
            raw = stream.read(LOG_LIMIT + 1)
        except OSError as exc:
            raise _unreadable(path, exc.strerror or str(exc)) from None
    if len(raw) > LOG_LIMIT:
        raise _unreadable(path, f"it is over {LOG_LIMIT // 1024} KB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _unreadable(path, "it is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _unreadable(path, f"it is not JSON, or cut short ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise _unreadable(path, "it is nested too deeply to be a sent log") from None
    if not isinstance(data, dict):
        raise _unreadable(path, "it is not a JSON object")
    return data


def _unreadable(path: Path, reason: str) -> BriefpressError:
    return BriefpressError(
        f"cannot read this sent log: {reason}. It records which mails went out: restore it, or "
        "delete it to send its article's mails again (nothing was sent)",
        path,
    )


def find_mails(directory: Path) -> tuple[list[Mail], list[BriefpressError]]:
    """Every built mail under ``directory``, newest article first."""
    from .build.stamps import stamped

    mails, problems = [], []
    for stamp in stamped(directory):
        slug = stamp.slug
        about = stamp.data.get("about")
        about = about if isinstance(about, dict) else {}
        date = about["date"] if isinstance(about.get("date"), str) else ""  # a stamp edited by hand
        for ending in MAIL_ENDINGS:
            path = stamp.folder / f"{slug}{ending}"
            if not path.is_file() or (ending == ".eml" and path.name.endswith(".kindle.eml")):
                continue
            try:
                message = message_from_bytes(path.read_bytes(), policy=default)
                senders = [address for _, address in getaddresses(message.get_all("From", []))]
                recipients = [
                    a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", [])) if a
                ]
                subject = str(message["Subject"])
            except Exception as exc:  # the email library's parser, on a mail edited by hand
                problems.append(
                    BriefpressError(f"its header cannot be read ({type(exc).__name__}); build it again", path)
                )
                continue
            if not senders or not recipients:
                missing = "From" if not senders else "To"
                hint = "--from" if not senders else ("--kindle-to" if ending == ".kindle.eml" else "--to")
                problems.append(BriefpressError(f"has no {missing}: build it with {hint}", path))
                continue
            mails.append(Mail(path, slug, date, senders[0], recipients, subject))
    mails.sort(key=lambda mail: (mail.date, mail.path.name), reverse=True)
    return mails, problems


def split_server(server: str) -> tuple[str, int | None]:
    """``HOST[:PORT]`` (an IPv6 address bare or as ``[::1]:PORT``): the host and the port."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif server.count(":") == 1:
        host, _, port = server.partition(":")
    else:
        host, port = server, ""
    return host, int(port) if port.isdigit() else None


def check_login(server: str, security: str, user: str | None, insecure_auth: bool = False) -> None:
    """Refuse, before connecting, a login whose password would cross the network in clear."""
    host, _ = split_server(server)
    if insecure_auth and host.lower() not in LOOPBACK:
        raise ConfigError(
            f"--insecure-auth is only for a test server on this machine (127.0.0.1, ::1, localhost), "
            f"not {host}: log in over --starttls or --ssl"
        )
    if user and security == "none" and not insecure_auth:
        raise ConfigError(
            f"--user {user} would send the password unencrypted: add --starttls or --ssl "
            "(--insecure-auth allows it to a test server on 127.0.0.1 only)"
        )


def connect(server: str, security: str, user: str | None, insecure_auth: bool = False) -> smtplib.SMTP:
    """A client connected to ``server``, logged in as ``user`` only over TLS (see check_login)."""
    check_login(server, security, user, insecure_auth)
    password = os.environ.get(PASSWORD_VARIABLE) if user else None
    if user and not password:
        raise ConfigError(f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}")
    host, port = split_server(server)
    number = port or {"ssl": 465, "starttls": 587}.get(security, 25)
    if security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, number, context=ssl.create_default_context(), timeout=60
        )
    else:
        client = smtplib.SMTP(host, number, timeout=60)
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if user and password:
        if not isinstance(client.sock, ssl.SSLSocket) and not insecure_auth:
            client.close()  # never reached through the options: check_login refused them
            raise ConfigError(f"the connection to {server} is not encrypted (the password was not sent)")
        client.login(user, password)
    return client


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the lock of ``directory``'s sent logs; refuse if another send holds it."""
    path = directory / LOCK

    def problem(reason: str | None) -> BriefpressError:
        if reason is None:
            return BriefpressError("this lock is not a regular file: move it away (nothing was sent)", path)
        return BriefpressError(
            f"cannot open the lock of the sent logs ({reason}): send writes its lock "
            "and logs in this folder, make it writable (nothing was sent)",
            path,
        )

    def busy(pid: int | None) -> None:
        raise BriefpressError(
            "another 'briefpress send' is sending this folder: nothing was sent; "
            "run send again when it has finished",
            path,
        )

    with exclusive(path, problem, busy):
        yield


def check_writable(log: Path) -> None:
    """Fail now, before a mail goes, if the sent log could not be written after it."""
    try:
        handle, temp = tempfile.mkstemp(dir=log.parent, prefix=f".{log.name}.", suffix=".tmp")
    except OSError as exc:
        raise BriefpressError(
            f"cannot write this sent log ({exc.strerror or exc}): nothing was sent; make its folder writable",
            log,
        ) from None
    os.close(handle)
    os.unlink(temp)


def send(
    directory: Path,
    server: str,
    security: str = "none",
    user: str | None = None,
    resend: bool = False,
    dry_run: bool = False,
    insecure_auth: bool = False,
) -> SendResult:
    """Send every built mail not sent before; stop at the first the server refuses.

    Raises, before anything is sent, for a login without TLS, a folder another send is
    sending, and a sent log that cannot be read or written.
    """
    check_login(server, security, user, insecure_auth)
    result = SendResult()
    mails, result.errors = find_mails(directory)
    if dry_run:
        result.sent, result.skipped = _split(mails, resend)
        return result
    with locked(directory):  # the logs are read under the lock: a second send sees what went
        todo, result.skipped = _split(mails, resend)
        for log in dict.fromkeys(mail.log for mail in mails):
            for stale in log.parent.glob(glob.escape(f".{log.name}.") + "*.tmp"):
                stale.unlink(missing_ok=True)  # a killed send's: under the lock, none is in use
        for log in dict.fromkeys(mail.log for mail in todo):
            check_writable(log)
        if todo:
            _deliver(todo, server, security, user, insecure_auth, result)
    return result


def _split(mails: list[Mail], resend: bool) -> tuple[list[Mail], list[Mail]]:
    """The mails to send and the mails sent before."""
    logs = {log: sent_log(log) for log in dict.fromkeys(mail.log for mail in mails)}
    todo = [mail for mail in mails if resend or mail.path.name not in logs[mail.log]]
    return todo, [mail for mail in mails if mail not in todo]


def _deliver(
    todo: list[Mail], server: str, security: str, user: str | None, insecure_auth: bool, result: SendResult
) -> None:
    try:
        client = connect(server, security, user, insecure_auth)
    except (OSError, smtplib.SMTPException) as exc:
        result.errors.append(BriefpressError(f"cannot reach the mail server {server}: {exc}"))
        return
    try:
        for mail in todo:
            try:
                client.sendmail(mail.sender, mail.recipients, mail.path.read_bytes())
            except (OSError, smtplib.SMTPException) as exc:
                result.errors.append(
                    BriefpressError(f"the mail server refused it ({exc}); nothing more was sent", mail.path)
                )
                break
            result.sent.append(mail)
            try:
                record(mail)
            except OSError as exc:
                result.errors.append(
                    BriefpressError(
                        f"the server accepted it, but its sent log could not be written "
                        f"({exc.strerror or exc}); nothing more was sent, and the next send sends it again",
                        mail.log,
                    )
                )
                break
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def record(mail: Mail) -> None:
    """Write down, at once, that the server accepted ``mail``."""
    log = sent_log(mail.log)
    log[mail.path.name] = {
        "to": mail.recipients,
        "subject": mail.subject,
        "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    write_log(mail.log, json.dumps(log, ensure_ascii=False, indent=1).encode("utf-8"))


def write_log(path: Path, data: bytes) -> None:
    """Replace the log at ``path`` in one step: written in full beside it, synced, then
    renamed over it, so a failed or killed write leaves the previous log as it was."""
    temp = stage(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:  # so that the rename itself survives a crash; not every file system can
        folder = os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass
