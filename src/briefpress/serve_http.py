"""The HTTP side of ``briefpress serve``: whom it answers (a ``Host`` naming its own
address), what it serves (regular files inside the output folder, never a dotfile or a
mail) and how many connections it holds, for how long. The preview itself (pages, the
reload script, the build's errors) is in serve.py.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import os
import queue
import selectors
import socket
import stat
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import unquote

from .fields import private

#: connections open at once: those still sending their request and those being answered
MAX_CONNECTIONS = 32
#: threads answering complete requests; more requests wait for one (never a thread each)
WORKERS = 8
#: seconds a connection has to send its whole request, and that any one write may block
TIMEOUT = 5.0
#: the longest request head (request line and headers) read
HEAD_LIMIT = 64 * 1024

_ADDRESSES = ("127.0.0.1", "localhost", "[::1]")


def own_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values that name this server: its loopback names with its port (a
    browser leaves the port out only when it is 80)."""
    hosts = {f"{name}:{port}" for name in _ADDRESSES}
    return frozenset(hosts | set(_ADDRESSES) if port == 80 else hosts)


def public_file(root: Path, target: str) -> Path | None:
    """The file the request target ``target`` names in ``root`` (a resolved folder), links
    resolved, a folder's ``index.html`` for a folder; it may not exist yet (a page not
    built). None when it must not be served: outside ``root`` once links are resolved, a
    dotfile or anything in a dot-folder (stamps, sent logs), a mail (``.eml``), or there
    but not a regular file."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None
    parts = [part for part in unquote(path, errors="surrogateescape").split("/") if part]
    if any(part.startswith(".") for part in parts):  # "..", dotfiles and dot-folders alike
        return None
    try:
        found = root.joinpath(*parts).resolve()
        if found.is_dir():
            found = (found / "index.html").resolve()
        if not found.is_relative_to(root) or found == root:
            return None
        inside = found.relative_to(root).parts
        names = [*parts[-1:], found.name]
        if any(part.startswith(".") for part in inside) or any(private(name) for name in names):
            return None
        if found.exists() and not found.is_file():  # a FIFO, a device, a socket
            return None
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte, a name too long
        return None
    return found


def open_regular(path: Path) -> BinaryIO | None:
    """``path`` opened for reading when it is a regular file, not through a link at its
    last step (a link swapped in after ``public_file`` looked); None otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: a FIFO put there since does not hang
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb")


class GuardedHandler(http.server.BaseHTTPRequestHandler):
    """One request, whose head the Server has read, answered only when its ``Host`` names
    this server (421 otherwise, before anything of the output is looked at). HTTP/1.0:
    one request per connection."""

    timeout = TIMEOUT  # per connection, for every write of the answer

    def __init__(self, request: Any, address: Any, server: Any, *, head: bytes, hosts: frozenset[str]):
        self.head, self.hosts = head, hosts
        super().__init__(request, address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = io.BytesIO(self.head)  # the whole request: GET and HEAD have no body

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # the terminal shows builds, not requests

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.hosts:
            names = " or ".join(sorted(h for h in self.hosts if h.startswith(("127.", "localhost"))))
            text = f"421 Misdirected Request: this server answers only Host {names}\n"
            self.send_body(421, text.encode("ascii"), "text/plain; charset=utf-8")
            return False
        if not self.path.startswith("/"):  # an absolute URL names a host of its own
            self.send_body(400, b"400 Bad Request: a path starting with / is expected\n", "text/plain")
            return False
        return True

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_body(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_file(self, file: BinaryIO, kind: str) -> None:
        """``file`` as it is (and closed)."""
        with file:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(os.fstat(file.fileno()).st_size))
            self.end_headers()
            if self.command != "HEAD":
                self.copyfile(file)

    def copyfile(self, file: BinaryIO) -> None:
        while chunk := file.read(64 * 1024):
            self.wfile.write(chunk)

    def not_found(self) -> None:
        self.send_body(404, b"404 Not Found\n", "text/plain; charset=utf-8")


@dataclass
class _Waiting:
    """A connection still sending its request head."""

    address: Any
    deadline: float
    head: bytearray = field(default_factory=bytearray)


class Server:
    """127.0.0.1:``port``. One loop accepts connections and reads their request heads
    without a thread each; WORKERS threads answer the complete ones. At most
    MAX_CONNECTIONS are open: a new one beyond that drops the one that has waited longest
    for its head (all answering: the new one is closed at once). A head not complete
    within TIMEOUT seconds, or over HEAD_LIMIT, is dropped. The same calls as
    socketserver's: ``serve_forever``, ``shutdown``, ``server_close``, ``server_address``."""

    def __init__(self, port: int, handler: Callable[..., object]) -> None:
        self.socket = socket.create_server(("127.0.0.1", port), backlog=MAX_CONNECTIONS * 4)
        self.socket.setblocking(False)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.hosts = own_hosts(self.server_address[1])
        self.handler = handler
        self.selector = selectors.DefaultSelector()
        self.waiting: dict[socket.socket, _Waiting] = {}  # oldest first
        self.answering = 0
        self.lock = threading.Lock()
        self.requests: queue.SimpleQueue[tuple[socket.socket, Any, bytes] | None] = queue.SimpleQueue()
        self.wake, self.waker = socket.socketpair()
        self.stopping, self.stopped = threading.Event(), threading.Event()

    def serve_forever(self) -> None:
        workers = [
            threading.Thread(target=self._work, name=f"briefpress-serve-{n}", daemon=True)
            for n in range(WORKERS)
        ]
        try:
            for worker in workers:
                worker.start()
            self.selector.register(self.socket, selectors.EVENT_READ)
            self.selector.register(self.wake, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in self.selector.select(self._wait()):
                    if key.fileobj is self.socket:
                        self._accept()
                    elif key.fileobj is not self.wake:
                        self._read(cast(socket.socket, key.fileobj))
                self._expire()
        finally:
            for _ in workers:
                self.requests.put(None)
            self.stopped.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` (running in another thread) and wait until it has."""
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.waker.send(b"x")
        self.stopped.wait()

    def server_close(self) -> None:
        for sock in list(self.waiting):
            self._drop(sock)
        self.selector.close()
        for sock in (self.socket, self.wake, self.waker):
            sock.close()

    def _wait(self) -> float | None:
        if not self.waiting:
            return None
        return max(0.0, next(iter(self.waiting.values())).deadline - time.monotonic())

    def _accept(self) -> None:
        while True:
            try:
                sock, address = self.socket.accept()
            except OSError:  # none left (BlockingIOError), or out of descriptors: next time
                return
            with self.lock:
                answering = self.answering
            if answering + len(self.waiting) >= MAX_CONNECTIONS:
                if not self.waiting:
                    sock.close()
                    continue
                self._drop(next(iter(self.waiting)))
            sock.setblocking(False)
            self.waiting[sock] = _Waiting(address, time.monotonic() + TIMEOUT)
            self.selector.register(sock, selectors.EVENT_READ)

    def _read(self, sock: socket.socket) -> None:
        waiting = self.waiting.get(sock)
        if waiting is None:  # dropped for a newer connection in this same round
            return
        try:
            data = sock.recv(HEAD_LIMIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        seen = max(0, len(waiting.head) - 2)
        waiting.head += data
        if not data or len(waiting.head) > HEAD_LIMIT:
            self._drop(sock)
        elif waiting.head.find(b"\n\n", seen) >= 0 or waiting.head.find(b"\n\r\n", seen) >= 0:
            self.selector.unregister(sock)
            del self.waiting[sock]
            with self.lock:
                self.answering += 1
            self.requests.put((sock, waiting.address, bytes(waiting.head)))

    def _expire(self) -> None:
        now = time.monotonic()
        while self.waiting:
            sock, waiting = next(iter(self.waiting.items()))
            if waiting.deadline > now:
                return
            self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        del self.waiting[sock]
        sock.close()

    def _work(self) -> None:
        while (request := self.requests.get()) is not None:
            sock, address, head = request
            try:
                self.handler(sock, address, self, head=head, hosts=self.hosts)
            except OSError:
                pass  # the client went away, or stopped reading for TIMEOUT seconds
            except Exception:  # a bug: say so, as socketserver does, and keep serving
                traceback.print_exc()
            finally:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_WR)
                sock.close()
                with self.lock:
                    self.answering -= 1
