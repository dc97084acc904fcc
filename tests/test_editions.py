"""Editions declared once (issue 25): a toy edition is one module and its registration
line; --help imports no renderer; each option rebuilds only the editions it changes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefpress import editions
from briefpress.check import check_folder
from briefpress.cli import main

BODY = "# 原文\n\nFirst paragraph.\n\n# 译文\n\n第一段。\n\n# 讨论引子\n\n1. 这对我们意味着什么？\n"


def article(folder: Path) -> Path:
    path = folder / "src" / "a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: 测试文章\ndate: 2026-06-09\nslug: toy\n---\n\n{BODY}", encoding="utf-8")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def toy(monkeypatch):
    """The toy edition (tests/toy_edition.py), registered by its one line."""
    monkeypatch.setattr(editions, "REGISTERED", [*editions.REGISTERED, "toy_edition"])
    declared = editions.register("toy_edition")
    yield declared
    del editions.EDITIONS[declared.name]


def test_a_toy_edition_is_one_module_and_its_registration_line(tmp_path, toy):
    source, out = article(tmp_path), tmp_path / "out"
    code, _, err = run("build", str(source), "-o", str(out), "--formats", "html,text", "-q")
    assert (code, err) == (0, "")
    text = out / "toy" / "toy.txt"
    assert text.read_text(encoding="utf-8").startswith("测试文章\n\n")  # the build wrote it
    stamp = json.loads((out / "toy" / ".toy.briefpress").read_text(encoding="utf-8"))
    assert "toy.txt" in stamp["files"] and set(stamp["editions"]) == {"html", "text"}  # recorded
    assert '<a href="toy/toy.txt">text</a>' in (out / "index.html").read_text(encoding="utf-8")
    rows = check_folder(out / "toy", "toy", run_epubcheck=False).rows
    assert [(r.check, r.ok) for r in rows if r.check == "text"] == [("text", True)]  # its check
    text.write_text("another title\n", encoding="utf-8")
    rows = check_folder(out / "toy", "toy", run_epubcheck=False).rows
    assert [(r.check, r.ok) for r in rows if r.check == "text"] == [("text", False)]
    code, _, err = run("build", str(source), "-o", str(out), "--formats", "html,texts", "-q")
    assert code == 2 and "choose from html, pdf, epub, kindle, kepub, newsletter, text," in err


def test_help_and_the_declarations_import_no_renderer():
    script = (
        "import sys\nfrom briefpress.cli import main\nfrom briefpress.editions import EDITIONS\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('weasyprint', 'ebooklib', 'briefpress.editions.pdf') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_each_option_names_the_editions_it_changes():
    from briefpress.options import Options

    options = Options().replace(mail_to="a@example.org")
    assert "mail_to" in options.output_settings(["newsletter"])
    assert "mail_to" not in options.output_settings(["pdf"]) | options.output_settings(["html", "epub"])
    assert "paper" in options.output_settings(["pdf"]) and "paper" not in options.output_settings(["epub"])
    assert "script" in options.output_settings(["kindle"])  # None: every edition


@pytest.fixture
def layouts(monkeypatch, tmp_path):
    """How many documents WeasyPrint lays out (in this process and the workers it forks)."""
    from weasyprint import HTML

    tally, real = tmp_path / "layouts", HTML.render

    def counted(self, *args, **kwargs):
        with tally.open("a") as stream:
            stream.write("x")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", counted)

    def count() -> int:
        done = len(tally.read_text()) if tally.exists() else 0
        tally.unlink(missing_ok=True)
        return done

    return count


@pytest.mark.slow
def test_changing_to_lays_out_no_pdf(tmp_path, layouts):
    source, out = article(tmp_path), tmp_path / "out"
    build = ("build", str(source), "-o", str(out), "-j", "1", "-q")
    assert run(*build, "--formats", "pdf,newsletter", "--to", "a@example.org")[0] == 0
    assert layouts() >= 1
    pdf, mail = out / "toy" / "toy.pdf", out / "toy" / "toy.eml"
    before = pdf.stat()
    assert run(*build, "--formats", "pdf,newsletter", "--to", "b@example.org")[0] == 0
    assert layouts() == 0  # the mail again, the handout kept
    assert "b@example.org" in mail.read_text(encoding="utf-8")
    assert (pdf.stat().st_ino, pdf.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # the mail alone: its attachment from the chapter cache, keyed by the PDF's options only
    assert run(*build, "--formats", "newsletter", "--to", "c@example.org")[0] == 0
    assert layouts() == 0 and "c@example.org" in mail.read_text(encoding="utf-8")
    assert run(*build, "--formats", "pdf,newsletter", "--to", "c@example.org", "--duplex")[0] == 0
    assert layouts() >= 1  # a PDF option: laid out again
    assert pdf.stat().st_mtime_ns != before.st_mtime_ns
