"""DAISY Ace, run with the system Chromium: its violations of one EPUB, by rule and impact."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .browser import FAILING_IMPACTS, OFFLINE_ARGS, ace_command, chromium_path


@dataclass
class AceResult:
    #: (rule, impact, document, description) of every violation
    violations: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def failing(self) -> list[tuple[str, str, str, str]]:
        return [v for v in self.violations if v[1] in FAILING_IMPACTS]

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(f"{rule} ({impact})" for rule, impact, _, _ in self.violations))


def ace(book: Path, timeout: float = 300) -> AceResult:
    """Run DAISY Ace on ``book`` with the system Chromium, offline; its violations.

    Ace aborts a book's http(s) requests itself; its Chromium is started through a
    wrapper that resolves no host name either, so no preconnect or WebSocket gets out."""
    command = ace_command()
    with tempfile.TemporaryDirectory(prefix="briefpress-ace-") as tmp:
        chromium = Path(tmp) / "chromium"
        chromium.write_text(
            f'#!/bin/sh\nexec {shlex.join([chromium_path(), *OFFLINE_ARGS])} "$@"\n', encoding="utf-8"
        )
        chromium.chmod(0o700)
        env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(chromium), PUPPETEER_SKIP_DOWNLOAD="1")
        done = subprocess.run(
            [
                *command,
                "--force",
                "--silent",
                "--outdir",
                tmp + "/report",
                "--tempdir",
                tmp + "/work",
                str(book),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        report = Path(tmp) / "report" / "report.json"
        if not report.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise RuntimeError(f"Ace did not write a report: {tail[0]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    result = AceResult()
    for document in data.get("assertions", []):
        where = document["earl:testSubject"]["url"]
        for item in document.get("assertions", []):
            test = item["earl:test"]
            result.violations.append(
                (test["dct:title"], test["earl:impact"], where, item["earl:result"]["dct:description"])
            )
    return result
