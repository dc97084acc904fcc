"""``briefpress serve``: the editor's preview loop.

Build the HTML (and with ``--pdf`` the PDF) of the sources into the output folder,
serve that folder on 127.0.0.1 only, watch the sources, their folders (images), the
theme and ``briefpress.toml``, rebuild when something changes (the build's stamps
skip every article that did not), and reload the open page. The reload script is
added to HTML pages as they are served, never written into an edition. While a
source fails to build, its page (and any page not built yet) shows the build's
``file:line: error:`` lines, and comes back when the source is fixed.
Whom it answers and what it serves (its own Host only, public regular files inside
the output folder, so many connections for so long) is serve_http.py's.
"""

from __future__ import annotations

import errno
import functools
import html
import mimetypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .errors import BriefpressError, BuildError, Report, printable
from .options import CONFIG_FILE, Options, load
from .serve_http import GuardedHandler, Server, open_regular, public_file

#: the path the pages poll for the build generation
STATE = "/__briefpress__/state"

_SCRIPT = """<script>/* briefpress serve: reloads the page after each build; preview only */
(function () {{
  var seen = "{generation}";
  function poll() {{
    fetch("{state}", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (now) {{
      if (now !== seen) {{ location.reload(); return; }}
      setTimeout(poll, 300);
    }}).catch(function () {{ setTimeout(poll, 1000); }});
  }}
  setTimeout(poll, 300);
}})();
</script>"""

_ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · briefpress serve</title>
<style>
body {{ font: 16px/1.6 system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 60rem;
  padding: 0 1rem; color: #1b1b1b; background: #fdfcf9; }}
h1 {{ color: #a1260d; font-size: 1.4rem; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #fff4f0; border-left: 4px solid #a1260d;
  padding: .8rem 1rem; font: 14px/1.5 "Noto Sans Mono CJK SC", monospace; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #1b1b1b; }}
  pre {{ background: #3a1d17; }} h1 {{ color: #ff9b85; }} }}
</style></head>
<body><h1>{title}</h1>
<p>{advice}</p>
<pre>{lines}</pre>
</body></html>
"""


_BANNER = (
    "white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding:.8rem 1rem;background:#fff4f0;"
    "color:#1b1b1b;border-left:4px solid #a1260d;font:14px/1.5 monospace"
)


@dataclass
class State:
    """What the server shows: the build generation and the current errors."""

    generation: int = 0
    errors: list[BriefpressError] = field(default_factory=list)
    #: the sources of the last build, resolved: an error naming another file (the theme,
    #: briefpress.toml) concerns every page
    sources: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error_lines(self, source: str | None = None) -> list[str]:
        """The errors as the CLI prints them, each once; with ``source`` (a resolved path),
        those that concern its page: its own, and those of no source (a theme's template)."""
        with self.lock:
            chosen = [e for e in self.errors if source is None or _concerns(e, source, self.sources)]
        lines = [error.printed() for error in chosen]
        return list(dict.fromkeys(lines))


def _concerns(error: BriefpressError, source: str, sources: set[str]) -> bool:
    if error.path is None:
        return True
    path = str(Path(error.path).resolve())
    return path == source or path not in sources


def with_script(page: bytes, generation: int, banner: list[str] | None = None) -> bytes:
    """``page`` with the reload script before its ``</body>`` (and the build's errors
    at the top of its body, when ``banner`` holds any)."""
    script = _SCRIPT.format(generation=generation, state=STATE).encode("utf-8")
    at = page.rfind(b"</body>")
    page = page + script if at < 0 else page[:at] + script + page[at:]
    body = page.find(b">", page.find(b"<body")) + 1 if banner and b"<body" in page else 0
    if body:
        lines = html.escape("\n".join(banner or []))
        block = f'<pre role="alert" style="{_BANNER}">{lines}</pre>'.encode()
        page = page[:body] + block + page[body:]
    return page


def error_page(lines: list[str], generation: int, missing: bool = False) -> bytes:
    title = "Not built" if missing and not lines else "The build failed"
    advice = (
        "Fix the source and save it: this page reloads by itself."
        if lines
        else "No edition here yet; it appears when a build makes it."
    )
    text = _ERROR_PAGE.format(title=title, advice=advice, lines=html.escape("\n".join(lines))).encode("utf-8")
    return with_script(text, generation)


class _Handler(GuardedHandler):
    """The preview's answers, once GuardedHandler has let the request through."""

    def __init__(self, *args: Any, state: State, root: Path, **kwargs: Any) -> None:
        self.state, self.root = state, root  # set before the base class handles the request
        super().__init__(*args, **kwargs)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        """An HTML page with the reload script (or the build's errors); any other public
        file as it is; 404 for what is not built, not public or not inside the output."""
        generation = self.state.generation
        if self.path.split("?", 1)[0] == STATE:
            self.send_body(200, str(generation).encode("ascii"), "text/plain; charset=utf-8")
            return
        target = public_file(self.root, self.path)
        file = open_regular(target) if target is not None else None
        if target is None:
            self.not_found()
        elif target.suffix != ".html":
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self.send_file(file, kind) if file is not None else self.not_found()
        elif file is None:
            self.send_body(404, error_page(self.state.error_lines(), generation, missing=True))
        else:
            with file:
                page = file.read()
            self._page(target, page, generation)

    def _page(self, target: Path, page: bytes, generation: int) -> None:
        source = _source_of(target)
        failing = self.state.error_lines(source) if source else []
        if failing:
            self.send_body(500, error_page(failing, generation))
        else:
            banner = self.state.error_lines() if target == self.root / "index.html" else None
            self.send_body(200, with_script(page, generation, banner))


def _source_of(page: Path) -> str | None:
    """The source an article page was built from, as its stamp records it."""
    from .build.stamps import read_stamp

    if page.parent.name != page.stem:
        return None
    source = read_stamp(page.parent, page.stem).get("source")
    return str(source) if source else None


def bind(port: int, output: Path, state: State) -> Server:
    """The server for ``output`` on 127.0.0.1:``port`` (0: any free port); a port in use is a BuildError."""
    handler = functools.partial(_Handler, state=state, root=output.resolve())
    try:
        return Server(port, handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BuildError(f"port {port} on 127.0.0.1 is in use; choose another with --port") from None
        raise BuildError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None


@dataclass
class Preview:
    """The preview loop behind ``briefpress serve``; the CLI only prints what it says."""

    paths: list[Path]
    #: the options the command line set; briefpress.toml is read again before each build
    overrides: dict[str, Any]
    pdf: bool = False
    say: Callable[[str], None] = print
    state: State = field(default_factory=State)
    options: Options | None = None
    #: the sources the last build found, with their images
    inputs: dict[Path, list[Path]] = field(default_factory=dict)

    def load_options(self) -> Options:
        formats = ("html", "pdf") if self.pdf else ("html",)
        return load({**self.overrides, "formats": formats})

    def rebuild(self) -> None:
        """Build what changed; the page reloads when anything was written or the errors changed."""
        from .build.steps import build

        started = time.perf_counter()
        report = Report(echo=lambda line: self.say(line))
        try:
            self.options = self.load_options()
            result = build(self.paths, self.options, report, notice=self.say)
            errors, self.inputs = result.errors, result.inputs
            written = len(result.outputs) + len(result.retired.unlisted)  # the index changed
            if result.retired.unlisted:
                self.say(f"{len(result.retired.unlisted)} article(s) whose sources are gone left the index")
        except BriefpressError as exc:  # briefpress.toml or the theme is wrong
            errors, written = [exc], 0
        before = self.state.error_lines()
        sources = {str(source.resolve()) for source in self.inputs}
        with self.state.lock:
            self.state.errors, self.state.sources = list(errors), sources
        now = self.state.error_lines()
        if now != before:
            for line in now:
                self.say(line)
        if written or now != before or self.state.generation == 0:
            self.state.generation += 1
            seconds = time.perf_counter() - started
            state = f"{len(now)} error(s)" if now else "ok"
            self.say(f"[{self.state.generation}] {written} file(s) written, {state}, in {seconds:.1f} s")

    def watched(self) -> list[Path]:
        """The folders to watch, each on its own (not recursively: an output folder or a
        virtualenv inside a source folder is not watched): those of the sources and their
        images (as the last build read them), every folder under a folder named, the
        theme's, and the working folder for briefpress.toml."""
        folders = {Path.cwd().resolve()}
        output = (self.options.output if self.options else Path("output")).resolve()
        for path in self.paths:
            path = path.resolve()
            if path.is_dir():
                folders |= {p for p in _folders_under(path) if not p.is_relative_to(output)}
            else:
                folders.add(path.parent)
        for source, images in self.inputs.items():
            folders |= {path.resolve().parent for path in [source, *images]}
        theme = self.options.theme if self.options else None
        if theme is not None:
            folders |= set(_folders_under(theme))
        return sorted(f for f in folders if f.is_dir())

    def relevant(self, changed: str) -> bool:
        """Whether a change may matter to a build: a source named or found in a folder
        named (a new one too), an image, the theme, briefpress.toml. Never the output,
        an editor's hidden or backup file, or a log written beside the sources."""
        from .sources import is_source
        from .sources.images import EXTENSIONS

        path = Path(changed)
        output = (self.options.output if self.options else Path("output")).resolve()
        if path.is_relative_to(output) or path.name.startswith(".") or path.name.endswith("~"):
            return False
        theme = self.options.theme if self.options else None
        named = {p.resolve() for p in self.paths}
        return (
            path in named
            or (path.name == CONFIG_FILE and path.parent == Path.cwd().resolve())
            or (theme is not None and path.is_relative_to(theme))
            or path.suffix.lower() in EXTENSIONS
            or (
                any(path.is_relative_to(p) for p in named if p.is_dir())
                and (not path.exists() or is_source(path))
            )
        )

    def watch(self, ready: Callable[[], None] | None = None, stop: threading.Event | None = None) -> None:
        """Rebuild on every relevant change until Ctrl-C (KeyboardInterrupt) or ``stop``.
        ``ready`` is called once the folders are watched: a change from then on is seen."""
        import watchfiles

        while not (stop and stop.is_set()):
            folders, started = self.watched(), False
            for changes in watchfiles.watch(
                *folders,
                recursive=False,
                debounce=150,
                step=50,
                rust_timeout=250,
                yield_on_timeout=True,  # an empty set first: the watcher is running
                stop_event=stop,
                raise_interrupt=True,
            ):
                if not started:  # what changed while the watcher started is built now
                    started = True
                    self.rebuild()
                    if ready is not None:
                        ready()
                        ready = None
                if changes and any(self.relevant(path) for _, path in changes):
                    self.rebuild()
                    if self.watched() != folders:
                        break  # a new source or image folder: watch it too


def _folders_under(root: Path) -> list[Path]:
    found = [root]
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = [
            s for s in subfolders if not s.startswith(".") and s not in ("__pycache__", "node_modules")
        ]
        found += [Path(folder) / s for s in subfolders]
    return found


def serve(
    paths: list[Path],
    overrides: dict[str, Any],
    port: int = 8000,
    pdf: bool = False,
    out: TextIO | None = None,
) -> int:
    """Run ``briefpress serve`` until Ctrl-C; the exit code."""

    def say(line: str) -> None:
        print(printable(line), file=out, flush=True)

    preview = Preview(paths, overrides, pdf, say)
    output = preview.load_options().output  # a wrong briefpress.toml stops here, before serving
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot make the output folder: {exc.strerror or exc}", output) from None
    server = bind(port, output, preview.state)
    thread = threading.Thread(target=server.serve_forever, name="briefpress-serve", daemon=True)
    try:
        preview.rebuild()
        thread.start()
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        preview.watch(ready=lambda: say(f"serving {output} at {address} (Ctrl-C stops)"))
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown() if thread.is_alive() else None
        server.server_close()
    say("stopped")
    return 0
