"""``briefpress serve``, driven as an editor uses it: a real server process, real files
edited on disk, the page read back over HTTP (and in Chromium, reloading by itself)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefpress.serve import STATE, with_script
from conftest import RICH_SOURCE, ROOT

SCRIPT = ROOT / ".venv" / "bin" / "briefpress"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "briefpress"]


def until(check: Callable[[], object], what: str, seconds: float = 30.0) -> object:
    """Poll ``check`` every 0.1 s until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def get(url: str) -> tuple[int, str, str]:
    """Status, content type and text of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read().decode("utf-8", "replace"),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8", "replace")


@dataclass
class Server:
    process: subprocess.Popen
    lines: queue.Queue
    url: str
    output: Path

    def page(self, slug: str) -> tuple[int, str, str]:
        return get(f"{self.url}{slug}/{slug}.html")

    def generation(self) -> int:
        return int(get(self.url + STATE.lstrip("/"))[2])

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=20)
        seen = []
        while not self.lines.empty():
            seen.append(self.lines.get())
        return self.process.returncode, "".join(seen) + out, err


def start(cwd: Path, *args: str, port: int = 0) -> Server:
    process = subprocess.Popen(
        [*COMMAND, "serve", *args, "-o", "out", "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue = queue.Queue()
    address: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                address.put(found[1])
            else:
                lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        url = address.get(timeout=60)
    except queue.Empty:
        process.kill()
        raise AssertionError(f"the server did not start: {process.communicate()[1]}") from None
    return Server(process, lines, url, cwd / "out")


@pytest.fixture
def article(tmp_path) -> Path:
    result = subprocess.run(
        [*COMMAND, "new", "Serve test", "--date", "2026-11-20", "-o", "articles"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / "articles" / "serve-test.md"


@pytest.fixture
def server(tmp_path, article) -> Iterator[Server]:
    running = start(tmp_path, "articles/serve-test.md")
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.communicate()  # closes the pipes


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serves_the_built_page_on_localhost_only(server):
    status, kind, index = get(server.url)
    assert status == 200 and kind.startswith("text/html")
    assert 'href="serve-test/serve-test.html"' in index
    status, _, page = server.page("serve-test")
    assert status == 200 and "<title>Serve test" in page
    # the reload script is in the served page, never in the edition on disk
    assert STATE in page
    on_disk = (server.output / "serve-test" / "serve-test.html").read_text(encoding="utf-8")
    assert STATE not in on_disk and "<title>Serve test" in on_disk
    # 127.0.0.1 and nothing else, not even another loopback address
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()
    code, out, err = server.stop()
    assert code == 0 and out.rstrip().endswith("stopped") and "Traceback" not in err


def test_a_changed_source_changes_the_page_and_an_error_shows_until_fixed(server, article, tmp_path):
    first = server.generation()
    edit(article, "Paste the original text here", "Edited while serving")
    until(lambda: "Edited while serving" in server.page("serve-test")[2], "the edited page")
    # the page is on disk before the build (and the index, in its own worker) is over
    until(lambda: server.generation() > first, "a new generation")
    # an error: the page shows the same line the CLI prints, and comes back when fixed
    edit(article, "# 原文\n", "# 原文 oops\n")
    status, _, page = until(lambda: (r := server.page("serve-test"))[0] == 500 and r, "the error page")  # type: ignore[misc]
    expected = subprocess.run(
        [*COMMAND, "build", "articles/serve-test.md", "-o", "cli", "--formats", "html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stderr.strip()
    assert re.fullmatch(r"articles/serve-test\.md:\d+: error: unknown section .*", expected)
    assert expected.replace("'", "&#x27;") in page
    assert STATE in page  # it reloads by itself when the build succeeds again
    assert expected.replace("'", "&#x27;") in get(server.url)[2]  # and the index says so too
    edit(article, "# 原文 oops\n", "# 原文\n")
    until(lambda: server.page("serve-test")[0] == 200, "the page back")
    assert "Edited while serving" in server.page("serve-test")[2]
    code, out, _ = server.stop()
    assert code == 0 and "1 error(s)" in out


def test_only_what_changed_is_rebuilt(tmp_path, article):
    other = article.with_name("other.md")
    other.write_text(article.read_text(encoding="utf-8").replace("Serve test", "Other"), encoding="utf-8")
    running = start(tmp_path, "articles")
    try:
        untouched = (running.output / "other" / "other.html").stat().st_mtime_ns
        edit(article, "Paste the original text here", "Only this one")
        until(lambda: "Only this one" in running.page("serve-test")[2], "the edited page")
        assert (running.output / "other" / "other.html").stat().st_mtime_ns == untouched
        # a new source in a folder being watched is built and listed
        new = article.with_name("third.md")
        new.write_text(article.read_text(encoding="utf-8").replace("Serve test", "Third"), encoding="utf-8")
        until(lambda: running.page("third")[0] == 200, "the new article's page")
        until(lambda: 'href="third/third.html"' in get(running.url)[2], "the new article in the index")
    finally:
        code, _, err = running.stop()
    assert code == 0, err


def test_a_port_in_use_is_a_clear_error(tmp_path, article):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*COMMAND, "serve", "articles/serve-test.md", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: port {port} on 127.0.0.1 is in use; choose another with --port"
    assert not (tmp_path / "output" / "serve-test").exists()  # nothing was built for a server that never ran


def test_the_reload_script_goes_before_the_body_end():
    page = with_script(b"<html><body><p>x</p></body></html>", 7)
    assert page.index(b"<script>") > page.index(b"<p>x</p>") and page.endswith(b"</body></html>")
    assert b'var seen = "7"' in page
    banner = with_script(b"<html><body class=a><p>x</p></body></html>", 1, ["a.md:3: error: no"])
    assert banner.index(b"a.md:3: error: no") < banner.index(b"<p>x</p>")


@pytest.mark.slow
def test_pdf_theme_and_settings_are_watched(tmp_path, article):
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "screen.css").write_text("body { background: #ffffff; }\n", encoding="utf-8")
    running = start(tmp_path, "articles/serve-test.md", "--pdf", "--theme", "theme")
    try:
        status, kind, _ = get(running.url + "serve-test/serve-test.pdf")
        assert status == 200 and kind == "application/pdf"
        (theme / "styles" / "screen.css").write_text("body { background: #fafaf0; }\n", encoding="utf-8")
        until(lambda: "#fafaf0" in running.page("serve-test")[2], "the theme's new colour")
        (tmp_path / "briefpress.toml").write_text('lang-ui = "en"\n', encoding="utf-8")
        until(lambda: "Brief</h2>" in running.page("serve-test")[2], "the English labels of briefpress.toml")
    finally:
        code, _, err = running.stop()
    assert code == 0, err


@pytest.mark.slow
@pytest.mark.browser
def test_the_open_page_reloads_itself_in_a_browser(server, article):
    from briefpress import reading

    with reading.Browser() as browser, browser.page(server.url + "serve-test/serve-test.html") as page:
        assert "Edited in the browser" not in page.inner_text("body")
        edit(article, "Paste the original text here", "Edited in the browser")
        page.wait_for_function("document.body.innerText.includes('Edited in the browser')", timeout=30_000)
        edit(article, "# 原文\n", "# 原文 oops\n")
        page.wait_for_function("document.body.innerText.includes('error: unknown section')", timeout=30_000)
        edit(article, "# 原文 oops\n", "# 原文\n")
        page.wait_for_function("document.body.innerText.includes('Edited in the browser')", timeout=30_000)


def test_a_changed_image_changes_the_page(tmp_path):
    from PIL import Image

    shutil.copytree(RICH_SOURCE.parent, tmp_path / "rich")
    running = start(tmp_path, "rich/rich.md")
    try:
        before = running.page("rich")[2]
        Image.new("RGB", (300, 120), "#336699").save(tmp_path / "rich" / "img" / "chart.png")
        until(lambda: running.page("rich")[2] != before, "the page with the new image")
        assert running.page("rich")[0] == 200
    finally:
        code, _, err = running.stop()
    assert code == 0, err


def test_a_broken_theme_template_shows_on_every_page_until_fixed(tmp_path, article):
    assert (
        subprocess.run([*COMMAND, "theme", "init", "theme"], cwd=tmp_path, capture_output=True).returncode
        == 0
    )
    template = tmp_path / "theme" / "templates" / "article.html.j2"
    good = template.read_text(encoding="utf-8")
    running = start(tmp_path, "articles/serve-test.md", "--theme", "theme")
    try:
        assert running.page("serve-test")[0] == 200
        template.write_text(good.replace("<body", "{% if %}<body", 1), encoding="utf-8")
        status, _, page = until(lambda: (r := running.page("serve-test"))[0] == 500 and r, "the error page")  # type: ignore[misc]
        assert f"{template.resolve()}:" in page and "error: template error:" in page
        assert page.count("template error") == 1  # one line, not one per article
        template.write_text(good, encoding="utf-8")
        until(lambda: running.page("serve-test")[0] == 200, "the page back")
    finally:
        code, _, err = running.stop()
    assert code == 0, err
