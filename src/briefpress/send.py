"""``briefpress send DIR``: the built mails (newsletter and Send-to-Kindle), sent by SMTP.

Newest article first. Each mail accepted by the server is written to its article's
sent log (``.<slug>.sent``, beside the stamp) at once, so a batch that fails halfway
resumes where it stopped, and no article's mail goes out twice unless ``--resend``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from email.utils import getaddresses
from pathlib import Path

from .build.output import write_all
from .errors import BriefpressError, ConfigError

PASSWORD_VARIABLE = "BRIEFPRESS_SMTP_PASSWORD"
SENT = ".{slug}.sent"
MAIL_ENDINGS = (".kindle.eml", ".eml")


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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def find_mails(directory: Path) -> tuple[list[Mail], list[BriefpressError]]:
    """Every built mail under ``directory``, newest article first."""
    from .build.stamps import STAMP, read_stamp

    mails, problems = [], []
    for stamp in sorted(directory.glob("*/" + STAMP.format(slug="*"))):
        slug = stamp.name[1 : -len(".briefpress")]
        if stamp.parent.name != slug:
            continue
        about = read_stamp(stamp.parent, slug).get("about") or {}
        for ending in MAIL_ENDINGS:
            path = stamp.parent / f"{slug}{ending}"
            if not path.is_file() or (ending == ".eml" and path.name.endswith(".kindle.eml")):
                continue
            message = message_from_bytes(path.read_bytes(), policy=default)
            senders = [address for _, address in getaddresses(message.get_all("From", []))]
            recipients = [
                a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", [])) if a
            ]
            if not senders or not recipients:
                missing = "From" if not senders else "To"
                hint = "--from" if not senders else ("--kindle-to" if ending == ".kindle.eml" else "--to")
                problems.append(BriefpressError(f"has no {missing}: build it with {hint}", path))
                continue
            mails.append(
                Mail(path, slug, about.get("date", ""), senders[0], recipients, str(message["Subject"]))
            )
    mails.sort(key=lambda mail: (mail.date, mail.path.name), reverse=True)
    return mails, problems


def connect(server: str, security: str, user: str | None) -> smtplib.SMTP:
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
    default_port = {"ssl": 465, "starttls": 587}.get(security, 25)
    number = int(port) if port.isdigit() else default_port
    if security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, number, context=ssl.create_default_context(), timeout=60
        )
    else:
        client = smtplib.SMTP(host, number, timeout=60)
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if user:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            client.close()
            raise ConfigError(
                f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}"
            )
        client.login(user, password)
    return client


def send(
    directory: Path,
    server: str,
    security: str = "none",
    user: str | None = None,
    resend: bool = False,
    dry_run: bool = False,
) -> SendResult:
    """Send every built mail not sent before; stop at the first the server refuses."""
    result = SendResult()
    mails, result.errors = find_mails(directory)
    todo: list[Mail] = []
    for mail in mails:
        (todo if resend or mail.path.name not in sent_log(mail.log) else result.skipped).append(mail)
    if dry_run or not todo:
        result.sent = todo if dry_run else []
        return result
    try:
        client = connect(server, security, user)
    except (OSError, smtplib.SMTPException) as exc:
        result.errors.append(BriefpressError(f"cannot reach the mail server {server}: {exc}"))
        return result
    try:
        for mail in todo:
            try:
                client.sendmail(mail.sender, mail.recipients, mail.path.read_bytes())
            except (OSError, smtplib.SMTPException) as exc:
                result.errors.append(
                    BriefpressError(f"the mail server refused it ({exc}); nothing more was sent", mail.path)
                )
                break
            record(mail)
            result.sent.append(mail)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return result


def record(mail: Mail) -> None:
    """Write down, at once, that the server accepted ``mail``."""
    log = sent_log(mail.log)
    log[mail.path.name] = {
        "to": mail.recipients,
        "subject": mail.subject,
        "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    write_all({mail.log: json.dumps(log, ensure_ascii=False, indent=1).encode("utf-8")})
