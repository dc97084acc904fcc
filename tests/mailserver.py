"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it records what it is given,
and can defer, refuse, ask for a login and speak TLS as real servers do."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from pathlib import Path


class Server:
    """``refuse_after``: accept that many messages, then answer 451 to every DATA;
    ``defer``: answer 451 to the first that many DATA; ``refuse``: addresses RCPT answers
    550 for; ``auth``: offer AUTH and record every login (without TLS unless ``tls``);
    ``hold_first``: the first DATA waits for ``release``; ``tls``: a server certificate
    (see :func:`certificate`), for STARTTLS, or for TLS from the start when ``implicit``."""

    def __init__(
        self,
        refuse_after: int | None = None,
        auth: bool = False,
        hold_first: bool = False,
        defer: int = 0,
        refuse: frozenset[str] = frozenset(),
        tls: tuple[Path, Path] | None = None,
        implicit: bool = False,
    ):
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[str, bytes, bytes]] = []
        self.deferred = 0
        self.refuse_after, self.hold_first, self.defer, self.refuse = refuse_after, hold_first, defer, refuse
        self.holding, self.release = threading.Event(), threading.Event()
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        extra: dict = {}
        if auth:
            extra |= {"authenticator": self.authenticate, "auth_require_tls": tls is not None}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            extra |= (
                {"ssl_context": context} if implicit else {"tls_context": context, "require_starttls": True}
            )
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **extra)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.hold_first and not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        if self.deferred < self.defer or (
            self.refuse_after is not None and len(self.received) >= self.refuse_after
        ):
            self.deferred += 1
            return "451 4.3.0 try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def __enter__(self) -> str:
        self.controller.start()
        return f"127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.controller.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (trust it with SSL_CERT_FILE)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
