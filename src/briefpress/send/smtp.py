"""The mail server as people run it: plain, STARTTLS or implicit TLS, a login whose
password comes from the environment or ``~/.netrc`` (never from the command line, never
printed), a rate limit, and retries with a growing wait when the server says "later".

A password never travels unencrypted except, with ``--insecure-auth``, to a test server
on this machine.
"""

from __future__ import annotations

import netrc
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

PASSWORD_VARIABLE = "BRIEFPRESS_SMTP_PASSWORD"
#: the hosts --insecure-auth may log in to without TLS: this machine only
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass
class Server:
    """Where and how to send: ``--smtp HOST[:PORT]`` and the options beside it."""

    address: str
    security: str = "none"  # "none", "starttls" or "ssl"
    user: str | None = None
    insecure_auth: bool = False
    #: at most this many messages a minute (None: as fast as the server takes them)
    per_minute: float | None = None
    #: how often a message the server defers (4xx) or a dropped connection is tried again
    retries: int = 3
    #: seconds before the first retry; doubled for each one after
    retry_wait: float = 5.0


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


def netrc_path() -> Path:
    return Path(os.environ.get("NETRC") or Path.home() / ".netrc")


def credentials(server: Server) -> tuple[str, str] | None:
    """(user, password) to log in with, or None. The password is ``$BRIEFPRESS_SMTP_PASSWORD``
    or the host's ``~/.netrc`` entry (``$NETRC`` names another file); without ``--user``
    the entry's login is used, and only over an encrypted connection."""
    host, _ = split_server(server.address)
    entry = _netrc_entry(host)
    encrypted = server.security != "none" or server.insecure_auth
    user = server.user or (entry[0] if entry and encrypted else None)
    if not user:
        return None
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password and entry and entry[0] in ("", user):
        password = entry[1]
    if not password:
        raise ConfigError(
            f"--user {user} needs a password: set the environment variable {PASSWORD_VARIABLE} "
            f"or add 'machine {host} login {user} password …' to {netrc_path()}"
        )
    return user, password


def _netrc_entry(host: str) -> tuple[str, str] | None:
    path = netrc_path()
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        raise ConfigError(f"cannot read it: {exc.msg}", path, exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read it ({type(exc).__name__})", path) from None
    if not found or not found[2]:
        return None
    return found[0] or "", found[2]


def connect(server: Server) -> smtplib.SMTP:
    """A client connected to the server, logged in only over TLS (see check_login)."""
    login = credentials(server)
    check_login(server.address, server.security, login[0] if login else None, server.insecure_auth)
    host, port = split_server(server.address)
    number = port or {"ssl": 465, "starttls": 587}.get(server.security, 25)
    if server.security == "ssl":
        context = ssl.create_default_context()
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, number, context=context, timeout=60)
    else:
        client = smtplib.SMTP(host, number, timeout=60)
        if server.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if login:
        if not isinstance(client.sock, ssl.SSLSocket) and not server.insecure_auth:
            client.close()  # never reached through the options: check_login refused them
            raise ConfigError(
                f"the connection to {server.address} is not encrypted (the password was not sent)"
            )
        client.login(*login)
    return client


def deferred(exc: Exception) -> bool:
    """The server said "not now" (4xx) or went away: worth trying again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError)


def reply(exc: Exception) -> str:
    """The server's answer, on one line: ``550 5.1.1 no such user``."""
    text: bytes | str
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return " ".join(str(exc).split()) or type(exc).__name__
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(f"{code} {said}".split())


@dataclass
class Connection:
    """One connection to the server, opened when the first message goes and again after
    it drops; paced to ``per_minute`` and retrying what the server defers."""

    server: Server
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    client: smtplib.SMTP | None = None
    last: float | None = None
    tries: list[str] = field(default_factory=list)

    def send(self, sender: str, recipients: list[str], data: bytes) -> dict:
        """Hand one message to the server; the recipients it refused (when it took it for
        others). Raises what the server said when it is not deferred, or deferred still
        after the retries."""
        wait = self.server.retry_wait
        for attempt in range(self.server.retries + 1):
            self._pace()
            try:
                if self.client is None:
                    self.client = connect(self.server)
                return self.client.sendmail(sender, recipients, data)
            except (OSError, smtplib.SMTPException) as exc:
                if not deferred(exc) or attempt == self.server.retries:
                    raise
                self.tries.append(reply(exc))
                if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
                    exc, smtplib.SMTPException
                ):
                    self.close()  # gone: connect again for the retry
                self.sleep(wait)
                wait *= 2
        raise AssertionError("unreachable")

    def _pace(self) -> None:
        if self.server.per_minute:
            interval = 60.0 / self.server.per_minute
            if self.last is not None and (left := self.last + interval - self.clock()) > 0:
                self.sleep(left)
        self.last = self.clock()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
