"""The built wheel carries styles/ and templates/ and builds the example on its own."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


def test_wheel_installs_and_builds_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("briefpress-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        "briefpress/styles/print.css",
        "briefpress/styles/epub.css",
        "briefpress/templates/article.html.j2",
        "briefpress/templates/epub/chapter.xhtml.j2",
        "briefpress/schemas/article.schema.json",
    ):
        assert name in names

    # A fresh virtualenv outside the repository; the dependencies are borrowed from this
    # environment through a path file so that the test needs no network.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "zz-borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import briefpress; print(briefpress.__file__)"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(site))
    result = subprocess.run(
        [str(venv / "bin" / "briefpress"), "build", str(EXAMPLE), "-o", "out"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    built = work / "out" / "openai-third-phase"
    assert sorted(p.name for p in built.glob("[!.]*")) == [
        "openai-third-phase.epub",
        "openai-third-phase.html",
        "openai-third-phase.pdf",
    ]
    assert "阅读简报" in (built / "openai-third-phase.html").read_text(encoding="utf-8")
