"""``briefpress serve`` under attack, end to end against a real server on 127.0.0.1: a
page of another site reaching it by DNS rebinding (a foreign ``Host``), links and
dotfiles in the output folder, and connections held open to exhaust it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefpress.serve import STATE
from briefpress.serve_http import MAX_CONNECTIONS, TIMEOUT, WORKERS
from test_serve import COMMAND, Server, get, start, until

SECRET = "TOP-SECRET-7f3a"  # in files outside the output folder
RECIPIENT = "reader@example.org"  # in the private files inside it


def ask(port: int, path: str, *headers: str, method="GET", version="HTTP/1.1") -> tuple[int, str]:
    """Status and body of one request sent as written (``headers`` as ``Name: value``)."""
    request = "\r\n".join([f"{method} {path} {version}", *headers, "", ""]).encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1].strip("/"))


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Server]:
    """One server over an output folder holding what a hostile clone or a careless
    editor may put there: links out, private files, dot-folders."""
    folder = tmp_path_factory.mktemp("hostile-serve")
    made = subprocess.run(
        [*COMMAND, "new", "Serve test", "--date", "2026-11-20", "-o", "articles"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    running = start(folder, "articles/serve-test.md")
    out, article = running.output, running.output / "serve-test"
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "secret.html").write_text(f"<html><body>{SECRET}</body></html>", encoding="utf-8")
    (out / "site").symlink_to("/")
    (out / "secret.txt").symlink_to(folder / "secret.txt")
    (out / "secret.html").symlink_to(folder / "secret.html")
    (out / "up").symlink_to("..")
    (article / "hostname").symlink_to("/etc/hostname")
    (article / "stamp.txt").symlink_to(".serve-test.briefpress")  # inside, but to a dotfile
    (out / "alias.html").symlink_to("serve-test/serve-test.html")  # inside, public: served
    os.mkfifo(out / "pipe.txt")
    (article / "notes.txt").write_text("public notes", encoding="utf-8")
    (article / ".serve-test.sent").write_text(f'{{"to": "{RECIPIENT}"}}\n', encoding="utf-8")
    for name in ("serve-test.eml", "serve-test.kindle.eml", "SERVE-TEST.EML"):
        (article / name).write_text(f"To: {RECIPIENT}\r\n\r\nhello\r\n", encoding="utf-8")
    for private in (out / ".git", article / ".hidden"):
        private.mkdir()
        (private / "index.html").write_text(f"<html><body>{RECIPIENT}</body></html>", encoding="utf-8")
        (private / "notes.txt").write_text(RECIPIENT, encoding="utf-8")
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.communicate()


#: every kind of thing serve answers, and what it answers its own address
ENDPOINTS = {
    "/": 200,
    "/index.html": 200,
    "/feed.xml": 200,
    "/serve-test/": 404,  # no index.html in an article's folder: the "not built" page
    "/serve-test/serve-test.html": 200,
    "/serve-test/notes.txt": 200,
    STATE: 200,
    "/serve-test/.serve-test.briefpress": 404,
    "/serve-test/.serve-test.sent": 404,
    "/serve-test/serve-test.eml": 404,
    "/missing/missing.html": 404,
}


def test_a_foreign_host_is_misdirected_on_every_endpoint(served):
    port = port_of(served)
    assert (served.output / "serve-test" / ".serve-test.briefpress").is_file()
    hostile = [
        ["Host: attacker.example"],
        [f"Host: attacker.example:{port}"],
        ["Host: 127.0.0.1"],  # a browser sends the port when it is not 80
        [f"Host: 127.0.0.1:{port + 1}"],
        [f"Host: localhost.:{port}"],
        [f"Host: 127.0.0.1:{port}.attacker.example"],
        [f"Host: 127.0.0.1:{port}@attacker.example"],
        [f"Host: 127.0.0.2:{port}"],
        ["Host: "],
        [],  # no Host at all
        [f"Host: 127.0.0.1:{port}", "Host: attacker.example"],
        ["Host: attacker.example", f"Host: 127.0.0.1:{port}"],
    ]
    for headers in hostile:
        for path in ENDPOINTS:
            for method in ("GET", "HEAD"):
                status, body = ask(port, path, *headers, method=method)
                assert status == 421, (headers, path, method)
                assert body == "" if method == "HEAD" else body.startswith("421 Misdirected Request")
                assert "Serve test" not in body and "<" not in body and RECIPIENT not in body
                assert str(served.output.parent) not in body
    # and the same requests to its own address are answered
    for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        for path, status in ENDPOINTS.items():
            assert ask(port, path, f"Host: {good}")[0] == status, (good, path)
    assert "<title>Serve test" in ask(port, "/serve-test/serve-test.html", f"Host: localhost:{port}")[1]
    # HTTP/1.0 without a Host, and an absolute URL naming another host
    assert ask(port, "/serve-test/serve-test.html", version="HTTP/1.0")[0] == 421
    status, body = ask(port, "http://attacker.example/serve-test/serve-test.html", f"Host: 127.0.0.1:{port}")
    assert status == 400 and "Serve test" not in body


def test_links_out_of_the_output_folder_are_not_followed(served):
    port, host = port_of(served), f"Host: 127.0.0.1:{port_of(served)}"
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    outside = [
        "/site/etc/passwd",
        "/site/etc/hostname",
        "/site/",
        "/site/etc/",
        f"/site{served.output.parent}/secret.txt",
        "/secret.txt",
        "/secret.html",
        "/up/secret.txt",
        "/up/articles/serve-test.md",
        "/up/",
        "/serve-test/hostname",
        "/serve-test/stamp.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/serve-test/..%2f..%2fsecret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/pipe.txt",  # a FIFO: 404 at once, not a hung worker
        "/serve-test/serve-test.html%00.txt",
    ]
    for path in outside:
        status, body = ask(port, path, host)
        assert status == 404, path
        assert SECRET not in body and passwd not in body and "Serve test" not in body, path
        assert (hostname not in body or not hostname) and "Directory listing" not in body, path
        assert "serve-test.md" not in body and "articles" not in body, path
    # a link that stays inside the folder, to a public file, is served
    status, body = ask(port, "/alias.html", host)
    assert status == 200 and "<title>Serve test" in body
    status, _, text = get(served.url + "serve-test/notes.txt")
    assert (status, text) == (200, "public notes")


def test_dotfiles_stamps_sent_logs_and_mails_are_never_served(served):
    port, host = port_of(served), f"Host: 127.0.0.1:{port_of(served)}"
    source = str((served.output.parent / "articles" / "serve-test.md").resolve())
    stamp = (served.output / "serve-test" / ".serve-test.briefpress").read_text(encoding="utf-8")
    assert source in stamp  # what a served stamp would give away
    private = [
        "/serve-test/.serve-test.briefpress",
        "/serve-test/%2Eserve-test.briefpress",
        "/serve-test/.serve-test.sent",
        "/serve-test/serve-test.eml",
        "/serve-test/serve-test.kindle.eml",
        "/serve-test/SERVE-TEST.EML",
        "/serve-test/serve-test%2Eeml",
        "/.git/config",
        "/.git/",
        "/.git/index.html",
        "/.git/notes.txt",
        "/serve-test/.hidden/",
        "/serve-test/.hidden/notes.txt",
        "/serve-test/./.hidden/notes.txt",
        "/serve-test/.serve-test.briefpress?x=1",
    ]
    for path in private:
        for method in ("GET", "HEAD"):
            status, body = ask(port, path, host, method=method)
            assert status == 404, (path, method)
            assert RECIPIENT not in body and source not in body and "briefpress_version" not in body, path
    assert ask(port, "/serve-test/notes.txt", host) == (200, "public notes")


def threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


def still_open(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        connection.settimeout(TIMEOUT + 20)


def connections(pid: int, port: int) -> int:
    """How many connections to ``port`` the process ``pid`` holds open."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            inodes.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
    held = 0
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        listening = fields[3] == "0A"
        if int(fields[1].split(":")[1], 16) == port and not listening and f"socket:[{fields[9]}]" in inodes:
            held += 1
    return held


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="counts threads in /proc")
def test_idle_half_requests_hold_no_thread_and_are_dropped(tmp_path):
    made = subprocess.run(
        [*COMMAND, "new", "Serve test", "--date", "2026-11-20", "-o", "articles"],
        cwd=tmp_path,
        capture_output=True,
    )
    assert made.returncode == 0
    running = start(tmp_path, "articles/serve-test.md")
    pid, port = running.process.pid, port_of(running)
    try:
        assert running.page("serve-test")[0] == 200
        idle_threads = threads(pid)
        half = f"GET /serve-test/serve-test.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
        sockets = []
        for _ in range(50):
            connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT + 20)
            connection.sendall(half)  # and never the blank line that ends the request
            sockets.append(connection)
        until(lambda: connections(pid, port) >= MAX_CONNECTIONS, "the connections accepted")
        time.sleep(0.5)
        assert threads(pid) <= idle_threads + WORKERS  # not a thread per connection
        assert connections(pid, port) == MAX_CONNECTIONS  # the cap on open connections
        # the editor's page still comes while they are open
        status, _, page = running.page("serve-test")
        assert status == 200 and "<title>Serve test" in page
        assert sum(still_open(connection) for connection in sockets) > 0  # the timeout has not come yet
        for connection in sockets:
            with connection, contextlib.suppress(ConnectionResetError):
                assert connection.recv(4096) == b""  # closed by the server, no answer
        until(lambda: connections(pid, port) == 0, "the connections closed by the server")
        assert threads(pid) <= idle_threads + WORKERS
        assert running.page("serve-test")[0] == 200
    finally:
        code, _, err = running.stop()
    assert code == 0 and "Traceback" not in err, err
