"""A built mail made into the message that goes out: dated now, its own Message-ID.

The ``.eml`` a build writes is a template: the same sources give the same bytes, dated
with the article's date. What is sent is stamped when it is sent: ``Date`` the moment it
goes (a mail dated months ago sorts far down an inbox, and spam filters score it), a
``Message-ID`` made new for each message under the sender's domain (RFC 5322 §3.6.4
wants it unique; mail services drop a message whose id they already hold), the reader in
``To`` alone, the reader's own unsubscribe address when the list gives one, and for a
proof a subject that says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP, compat32
from email.utils import format_datetime, getaddresses, make_msgid

from ..errors import BriefpressError
from .readers import Reader

#: the subject of a proof begins with this
PROOF = "[Proof] "
#: what a message says of itself and is made new for each one sent
_STAMPED = ("Date", "Message-ID")
#: the fields a version leaves out: they differ between the sends of one version
_NOT_CONTENT = {"date", "message-id", "to", "cc", "bcc"}


def version(template: bytes) -> str:
    """What a built mail says, as a short hash: its header without the fields stamped at
    send time or naming readers, and its body. A rebuild that changes nothing keeps it."""
    head, _, body = template.partition(b"\r\n\r\n")
    if not body:
        head, _, body = template.partition(b"\n\n")
    parsed = BytesHeaderParser(policy=compat32).parsebytes(head + b"\r\n\r\n", headersonly=True)
    digest = hashlib.sha256()
    for key, value in parsed.items():
        if key.lower() not in _NOT_CONTENT:
            digest.update(f"{key}: {value}\n".encode("utf-8", "surrogateescape"))
    digest.update(body)
    return digest.hexdigest()[:16]


def domain_of(sender: str) -> str:
    """The domain Message-IDs are made under: the sender's."""
    _, address = getaddresses([sender])[0]
    domain = address.rpartition("@")[2].strip().lower()
    return domain or "briefpress.invalid"


def stamp(
    template: bytes,
    now: dt.datetime,
    to: Reader | None = None,
    proof: bool = False,
    bcc: bool = False,
) -> tuple[bytes, str]:
    """The message to send and its Message-ID.

    ``to``: the one reader it is addressed to (None: the template's To stays); ``bcc``:
    the readers are only in the envelope, and ``To`` names the sender.
    """
    message = message_from_bytes(template, policy=SMTP)
    assert isinstance(message, EmailMessage)
    sender = str(message["From"] or "")
    for name in _STAMPED:
        del message[name]
    message["Date"] = format_datetime(now.astimezone())
    ident = make_msgid(domain=domain_of(sender))
    message["Message-ID"] = ident
    if bcc:
        del message["To"], message["Cc"]
        message["To"] = sender
    elif to is not None:
        del message["To"], message["Cc"]
        message["To"] = to.header()
        if to.unsubscribe:
            _unsubscribe(message, to.unsubscribe)
    if proof:
        subject = str(message["Subject"] or "")
        del message["Subject"]
        message["Subject"] = PROOF + subject
    return _checked(message, to), ident


def _unsubscribe(message: EmailMessage, target: str) -> None:
    """The reader's own unsubscribe address: in List-Unsubscribe (RFC 2369, one click by
    RFC 8058 for https) and wherever the mail's text shows the list's."""
    old = str(message["List-Unsubscribe"] or "").strip().strip("<>")
    del message["List-Unsubscribe"], message["List-Unsubscribe-Post"]
    message["List-Unsubscribe"] = f"<{target}>"
    if target.startswith("https:"):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if not old:
        return
    for part in message.walk():
        if part.get_content_maintype() != "text" or part.is_attachment():
            continue
        assert isinstance(part, EmailMessage)
        content = part.get_content()
        if old in content:
            subtype = part.get_content_subtype()
            part.set_content(content.replace(old, target), subtype=subtype, charset="utf-8", cte="base64")


def _checked(message: EmailMessage, reader: Reader | None) -> bytes:
    """The bytes, when their header holds the fields set and no more (a name holding an
    encoded line break must not start a field of its own)."""
    data = message.as_bytes()
    written = BytesHeaderParser(policy=compat32).parsebytes(data, headersonly=True)
    if sorted(k.lower() for k in written) != sorted(k.lower() for k in message):
        whom = f" for {reader.address}" if reader else ""
        raise BriefpressError(f"the message{whom} would gain a header field; check the reader's name")
    return data
