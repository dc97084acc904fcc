"""The sent log: which version of which mail went to which reader, and when.

One log per article (or digest) folder, ``.<slug>.sent`` beside the stamp, one JSON
object a line: ``{"mail", "version", "to", "message_id", "at"}``. A line is appended, and
synced, as soon as the server accepts a message, so a send that fails or is killed
resumes where it stopped and no reader gets one version twice. A last line cut short
(the send was killed while writing it) is dropped by the next send; any other line that
is not an entry stops the send before the first mail, as a log that cannot be read
would otherwise send everything again. A log written by briefpress before this format
(one JSON object naming each mail sent) is read as it was and rewritten as lines.
"""

from __future__ import annotations

import glob
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..build.lock import exclusive
from ..build.output import stage
from ..errors import BriefpressError
from .readers import key

SENT = ".{slug}.sent"
#: held by the send that is sending the folder (an flock, gone with its process)
LOCK = ".briefpress-send.lock"
#: one entry is a line of a few hundred bytes; a longer line is not one
LINE_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Entry:
    mail: str
    #: the mail's version (``stamp.version``); None in a log of the older format
    version: str | None
    to: str
    at: str
    message_id: str = ""

    def line(self) -> bytes:
        data = {"mail": self.mail, "version": self.version, "to": self.to}
        data |= {"message_id": self.message_id, "at": self.at}
        return json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass
class Log:
    path: Path
    entries: list[Entry]
    #: the log is in the older format, or ends in a line cut short: rewrite it first
    stale: bool = False

    def entries_for(self, mail: str, to: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.mail == mail and entry.to == to]


def read(path: Path) -> Log:
    """What the log at ``path`` says went out (nothing when there is none yet)."""
    raw = _read_bytes(path)
    if raw is None:
        return Log(path, [])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(path, "it is not UTF-8") from None
    legacy = _legacy(text)
    if legacy is not None:
        return Log(path, legacy, stale=True)
    entries, lines = [], text.split("\n")
    for number, line in enumerate(lines[:-1], start=1):
        if line.strip():
            entries.append(_entry(line, path, number))
    if not lines[-1].strip():
        return Log(path, entries)
    # no line break after the last line: the send was killed while writing it, before
    # the line was whole or just after (then it counts: the server had the message)
    with suppress(BriefpressError):
        entries.append(_entry(lines[-1], path, len(lines)))
    return Log(path, entries, stale=True)


def _read_bytes(path: Path) -> bytes | None:
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        raise _unreadable(path, "it is a folder" if stat.S_ISDIR(mode) else "it is not a regular file")
    with os.fdopen(handle, "rb") as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise _unreadable(path, exc.strerror or str(exc)) from None


def _legacy(text: str) -> list[Entry] | None:
    """The entries of a log in the older format (``{mail: {"to": [...], "at": ...}}``)."""
    if not text.lstrip().startswith("{") or "\n" not in text.strip():
        return None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or "mail" in data:
        return None
    entries = []
    for mail, sent in data.items():
        sent = sent if isinstance(sent, dict) else {}
        targets = sent["to"] if isinstance(sent.get("to"), list) else []
        at = sent["at"] if isinstance(sent.get("at"), str) else ""
        entries += [Entry(mail, None, key(str(to)), at) for to in targets]
    return entries


def _entry(line: str, path: Path, number: int) -> Entry:
    if len(line) > LINE_LIMIT:
        raise _unreadable(path, f"the line is over {LINE_LIMIT // 1024} KB", number)
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise _unreadable(path, "the line is not JSON", number) from None
    fields = ("mail", "to", "at")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in fields):
        raise _unreadable(path, "the line is not an entry of a sent log", number)
    version = data["version"] if isinstance(data.get("version"), str) else None
    ident = data["message_id"] if isinstance(data.get("message_id"), str) else ""
    return Entry(data["mail"], version, data["to"], data["at"], ident)


def _unreadable(path: Path, reason: str, line: int | None = None) -> BriefpressError:
    return BriefpressError(
        f"cannot read this sent log: {reason}. It records which mails went out: restore it, or "
        "delete it to send its article's mails again (nothing was sent)",
        path,
        line,
    )


def rewrite(log: Log) -> None:
    """A stale log written again as lines, in one step (see :func:`replace`)."""
    replace(log.path, b"".join(entry.line() for entry in log.entries))
    log.stale = False


def append(path: Path, entry: Entry) -> None:
    """Write down, at once and synced, that the server accepted a message."""
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        size = os.fstat(handle).st_size
        try:
            data = entry.line()
            while data:
                data = data[os.write(handle, data) :]
            os.fsync(handle)
        except OSError:
            with suppress(OSError):  # the log as it was: the entry is not known to be kept
                os.ftruncate(handle, size)
            raise
    finally:
        os.close(handle)


def replace(path: Path, data: bytes) -> None:
    """Replace the file at ``path`` in one step: written in full beside it, synced, then
    renamed over it, so a failed or killed write leaves the previous one as it was."""
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


def clear_stale(path: Path) -> None:
    """Remove what a killed rewrite of ``path`` left beside it (under the lock: none is
    in use)."""
    for stale in path.parent.glob(glob.escape(f".{path.name}.") + "*.tmp"):
        stale.unlink(missing_ok=True)


def check_writable(path: Path) -> None:
    """Fail now, before a mail goes, if the sent log could not be written after it."""
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise BriefpressError(
            f"cannot write this sent log ({exc.strerror or exc}): nothing was sent; make its folder writable",
            path,
        ) from None
    os.close(handle)
    os.unlink(temp)


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
