"""The mails a build left in an output folder: each article's (and digest's) newsletter
``<slug>.eml`` and Send-to-Kindle ``<slug>.kindle.eml``, found through the stamps."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from email.utils import getaddresses
from pathlib import Path

from ..errors import BriefpressError
from .log import SENT
from .readers import Reader, problem
from .stamp import version

NEWSLETTER, KINDLE = ".eml", ".kindle.eml"


@dataclass
class Mail:
    path: Path
    slug: str
    date: str
    sender: str
    #: who the built mail is addressed to (the build's --to or --kindle-to)
    readers: list[Reader]
    subject: str
    version: str

    @property
    def log(self) -> Path:
        return self.path.parent / SENT.format(slug=self.slug)

    @property
    def kindle(self) -> bool:
        return self.path.name.endswith(KINDLE)


def find_mails(directory: Path, only: tuple[str, ...] = ()) -> tuple[list[Mail], list[BriefpressError]]:
    """Every built mail under ``directory`` (of the slugs ``only`` names, when it names
    any), newest article first."""
    from ..build.stamps import stamped

    mails, problems = [], []
    stamps = [stamp for stamp in stamped(directory) if not only or stamp.slug in only]
    for missing in sorted(set(only) - {stamp.slug for stamp in stamped(directory)}):
        problems.append(
            BriefpressError(f"--only {missing}: no article or digest of that slug was built here")
        )
    for stamp in stamps:
        about = stamp.data.get("about")
        about = about if isinstance(about, dict) else {}
        date = about["date"] if isinstance(about.get("date"), str) else ""  # a stamp edited by hand
        for ending in (KINDLE, NEWSLETTER):
            path = stamp.folder / f"{stamp.slug}{ending}"
            if path.is_file() and not (ending == NEWSLETTER and path.name.endswith(KINDLE)):
                try:
                    mails.append(_mail(path, stamp.slug, date))
                except BriefpressError as exc:
                    problems.append(exc)
    mails.sort(key=lambda mail: (mail.date, mail.path.name), reverse=True)
    return mails, problems


def _mail(path: Path, slug: str, date: str) -> Mail:
    data = path.read_bytes()
    try:
        message = message_from_bytes(data, policy=default)
        senders = [address for _, address in getaddresses(message.get_all("From", []))]
        named = getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
        subject = str(message["Subject"])
    except Exception as exc:  # the email library's parser, on a mail edited by hand
        raise BriefpressError(
            f"its header cannot be read ({type(exc).__name__}); build it again", path
        ) from None
    if not senders:
        raise BriefpressError("has no From: build it with --from", path)
    readers = [Reader(address, name) for name, address in named if address and problem(address, name) is None]
    return Mail(path, slug, date, senders[0], readers, subject, version(data))
