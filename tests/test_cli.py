"""The command line, in process through main(argv): exit codes, messages, atomic output."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefpress.cli import main
from conftest import BODY, EXAMPLE, ROOT


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version_and_help():
    code, out, _ = run("--version")
    assert code == 0
    code, out, _ = run("build", "--help")
    assert code == 0 and "--formats" in out and "briefpress.toml" in out


def test_help_does_not_import_weasyprint():
    program = (
        "import sys, io; from briefpress.cli import main; "
        "main(['--help'], stdout=io.StringIO()); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('weasyprint', 'ebooklib', 'markdown_it', 'jinja2')))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_build_html_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("build", str(EXAMPLE), "-o", "out", "--formats", "html")
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (tmp_path / "out" / "openai-third-phase").glob("[!.]*")) == [
        "openai-third-phase.html"
    ]
    assert "1 of 1 article(s) built, 1 file(s), 0 warning(s), 0 error(s)" in out


def test_usage_errors_exit_2(tmp_path):
    assert run()[0] == 2
    code, _, err = run("build")
    assert code == 2 and "PATH" in err
    code, _, err = run("build", str(EXAMPLE), "--formats", "docx")
    assert code == 2 and "unknown format docx" in err
    code, _, err = run("biuld", "x")
    assert code == 2 and "invalid choice" in err and "Traceback" not in err


def test_missing_path_exits_1(tmp_path):
    code, _, err = run("build", str(tmp_path / "nope.md"), "-o", str(tmp_path / "o"))
    assert code == 1
    assert err == f"{tmp_path / 'nope.md'}: error: no such file or folder\n"


def test_bad_article_one_line_and_other_articles_still_build(tmp_path, article_file):
    good = article_file(BODY, name="good.md")
    bad = article_file(BODY + "\n# Refs\n\nx\n", name="bad.md")
    code, out, err = run("build", str(good), str(bad), "-o", str(tmp_path / "o"), "--formats", "html")
    assert code == 1
    assert (
        err == f"{bad}:22: error: unknown section '# Refs' (expected one of '# 核心观点', "
        "'# 跟我们的关联', '# 讨论引子', '# 原文', '# 译文', '# 讨论归档')\n"
    )
    assert (tmp_path / "o" / "good" / "good.html").exists()
    assert not (tmp_path / "o" / "bad").exists()
    assert "1 of 2 article(s) built" in out


@pytest.mark.slow
def test_failed_build_keeps_previous_outputs(tmp_path, article_file):
    source = article_file(BODY)
    out_dir = tmp_path / "o"
    assert run("build", str(source), "-o", str(out_dir), "--formats", "html,epub")[0] == 0
    folder = out_dir / "a"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    source.write_text(source.read_text(encoding="utf-8") + "\n# 原文\n\nagain\n", encoding="utf-8")
    code, _, err = run("build", str(source), "-o", str(out_dir), "--formats", "html,epub")
    assert code == 1 and "appears twice" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_strict_turns_warnings_into_failure(tmp_path, article_file):
    source = article_file(front="---\ntitle: T\ndate: 2026-01-01\nauthr: X\n---\n")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html", "--strict")
    assert code == 1
    assert f"{source}:4: warning: unknown front matter key 'authr'" in err
    assert f"{source}: error: 1 warning(s) and --strict: nothing written" in err
    assert not (tmp_path / "o" / "a").exists()
    code, _, _ = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html")
    assert code == 0 and (tmp_path / "o" / "a" / "a.html").exists()


def test_unwritable_output_folder(tmp_path, article_file):
    source = article_file(BODY)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run("build", str(source), "-o", str(blocker), "--formats", "html")
    assert code == 1
    assert err.startswith(f"{source}: error: cannot create the output folder {blocker / 'a'}")


@pytest.mark.slow
def test_config_file_and_flags_win(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text(
        'output = "from-toml"\nformats = ["html"]\nlang-ui = "en"\n', encoding="utf-8"
    )
    assert run("build", str(EXAMPLE))[0] == 0
    page = (tmp_path / "from-toml" / "openai-third-phase" / "openai-third-phase.html").read_text()
    assert '<h2 lang="en">Brief</h2>' in page
    assert run("build", str(EXAMPLE), "-o", "flag", "--lang-ui", "zh-Hans")[0] == 0
    page = (tmp_path / "flag" / "openai-third-phase" / "openai-third-phase.html").read_text()
    assert "<h2>阅读简报</h2>" in page


def test_config_file_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text('fromats = ["html"]\n', encoding="utf-8")
    code, _, err = run("build", str(EXAMPLE))
    assert code == 1 and err.startswith("briefpress.toml: error: unknown option 'fromats'")
    (tmp_path / "briefpress.toml").write_text("formats = [\n", encoding="utf-8")
    code, _, err = run("build", str(EXAMPLE))
    assert code == 1 and err.startswith("briefpress.toml: error: not valid TOML")


def test_missing_font_is_a_warning_listing_it(tmp_path):
    code, _, err = run(
        "build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "html", "--latin-font", "No Such Font"
    )
    assert code == 0
    assert "warning: font 'No Such Font' (--latin-font) is not installed; the html edition" in err


def test_characters_without_glyph_are_listed_and_strict_fails(tmp_path, article_file):
    source = article_file("# 原文\n\nA rune: \U00016a0b.\n")
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html")
    assert code == 0
    assert "1 character(s) have no glyph in the configured fonts" in err
    assert "U+16A0B" in err
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o2"), "--formats", "html", "--strict")
    assert code == 1 and not (tmp_path / "o2" / "a").exists()


def test_no_cjk_font_at_all_says_what_to_install(tmp_path, article_file, monkeypatch):
    from briefpress import fonts

    monkeypatch.setattr(fonts, "cjk_families", lambda: ())
    source = article_file(BODY)
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"), "--formats", "html")
    assert code == 1
    assert "no Chinese (CJK) font is installed: install one with 'apt-get install fonts-noto-cjk'" in err


def test_unreadable_source(tmp_path, article_file, monkeypatch):
    source = article_file(BODY)
    import os

    real_open = os.open

    def refuse(path, *args, **kwargs):  # chmod 0 does not stop root, so refuse the open here
        if Path(path) == source:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    code, _, err = run("build", str(source), "-o", str(tmp_path / "o"))
    assert code == 1 and err == f"{source}: error: cannot read the file: Permission denied\n"


def test_console_script_exit_code(tmp_path):
    script = ROOT / ".venv" / "bin" / "briefpress"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "briefpress"]
    result = subprocess.run([*command, "build", str(tmp_path / "missing.md")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "error: no such file" in result.stderr


@pytest.mark.slow
def test_python_api_shares_the_options(tmp_path):
    import briefpress
    from briefpress.options import Options

    result = briefpress.build(EXAMPLE, output=tmp_path, formats="html", lang_ui="en")
    assert result.ok and result.warnings == []
    assert [p.name for p in result.outputs] == ["openai-third-phase.html"]
    assert "Brief</h2>" in result.outputs[0].read_text(encoding="utf-8")
    result = briefpress.build([EXAMPLE], Options(output=tmp_path / "b", formats=("epub",)))
    assert [p.suffix for p in result.outputs] == [".epub"]


@pytest.mark.slow
def test_an_explicit_options_object_wins_over_briefpress_toml(tmp_path, monkeypatch):
    """Regression: briefpress.toml used to override the Options passed to briefpress.build."""
    import briefpress
    from briefpress.options import Options

    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text('formats = ["epub"]\nlang-ui = "en"\n', encoding="utf-8")
    result = briefpress.build(EXAMPLE, Options(output=tmp_path / "explicit", formats=("html",)))
    assert [p.name for p in result.outputs] == ["openai-third-phase.html"]
    assert "<h2>阅读简报</h2>" in result.outputs[0].read_text(encoding="utf-8")
    result = briefpress.build(EXAMPLE, Options(output=tmp_path / "both", formats=("html",)), lang_ui="en")
    assert "Brief</h2>" in result.outputs[0].read_text(encoding="utf-8")  # keyword overrides still apply
    result = briefpress.build(EXAMPLE, output=tmp_path / "file")  # no object: the file is read
    assert [p.suffix for p in result.outputs] == [".epub"]


def test_quiet_and_verbose(tmp_path):
    code, out, err = run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "html", "-q")
    assert (code, out, err) == (0, "", "")
    code, out, _ = run("build", str(EXAMPLE), "-o", str(tmp_path), "--formats", "html", "-v", "--force")
    assert code == 0
    assert re.search(r"openai-third-phase\.md: fonts \d+\.\d\d s, html \d+\.\d\d s", out)
    assert run("build", str(EXAMPLE), "-q", "-v")[0] == 2


def test_readme_table_of_options_is_made_from_the_declarations():
    import os

    from briefpress.options import markdown_table

    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    begin = text.index("-->\n", text.index("<!-- options:")) + 4
    end = text.index("<!-- options: end -->")
    if os.environ.get("UPDATE_GOLDEN"):
        readme.write_text(text[:begin] + markdown_table() + text[end:], encoding="utf-8")
    assert text[begin:end] == markdown_table()


def test_every_declared_option_is_a_flag_and_a_briefpress_toml_key(tmp_path, monkeypatch):
    from briefpress.options import declared, flag_name, load

    _, out, _ = run("build", "--help")
    for _field, spec in declared():
        for flag in spec.flags:
            assert flag in out, flag
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text('paper = "a5"\nnotes-lines = 2\nto = "a@example.org"\n')
    options = load()
    assert (options.paper, options.notes_lines, options.mail_to) == ("A5", 2, "a@example.org")
    assert flag_name("mail_to") == "to" and flag_name("lang_ui") == "lang-ui"
    code, _, err = run("build", str(EXAMPLE), "--paper", "B5")
    assert code == 2 and "'paper' must be one of A4, Letter, A5, not 'B5'" in err
