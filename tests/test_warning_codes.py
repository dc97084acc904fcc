"""Warnings as records with a code: every call in src/ gives one from the one table, a
line ends with it, --strict=CODES and --suppress (flag or briefpress.toml) act on codes,
an unknown code is a usage error, repeated engine warnings are folded, and the records
cross a worker's pipe whole."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.errors import Finding, Report, fold
from briefpress.warnings import CODES, DEFAULT_CODE, TRUNCATED
from conftest import PAIRS

SRC = Path(__file__).resolve().parents[1] / "src" / "briefpress"

UNKNOWN_KEY = "unknown front matter key 'colour' is ignored"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def _calls_with_codes() -> tuple[list[str], set[str]]:
    """Each ``.warn(...)`` call in src/ without ``code=`` (file:line), and every code that
    a call or a Finding names as a literal, or that a ``code = "..."`` assignment holds."""
    missing, named = [], set()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                is_warn = isinstance(func, ast.Attribute) and func.attr == "warn"
                is_finding = isinstance(func, ast.Name) and func.id == "Finding"
                codes = [k.value for k in node.keywords if k.arg == "code"]
                if is_warn and not codes:
                    missing.append(f"{path.relative_to(SRC)}:{node.lineno}")
                if is_warn or is_finding:
                    named |= {c.value for c in codes if isinstance(c, ast.Constant)}
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                named |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return missing, {c for c in named if isinstance(c, str)}


def test_every_warning_in_src_has_a_code_from_the_table_and_every_code_is_used():
    missing, named = _calls_with_codes()
    assert missing == [], f"report.warn(...) without code=: {missing}"
    assert named - set(CODES) == set(), "codes not in briefpress/warnings.py's table"
    unused = set(CODES) - named - {DEFAULT_CODE, TRUNCATED}
    assert unused == set(), f"codes no warning uses: {unused}"


def test_a_finding_is_formatted_once_with_its_place_and_code():
    assert str(Finding("odd", "a.md", 3, 7, "unknown-key")) == "a.md:3:7: warning: odd [unknown-key]"
    assert str(Finding("odd", "a.md", code="weasyprint", more=2)) == (
        "a.md: warning: odd (and 2 more like this) [weasyprint]"
    )
    report = Report()
    report.warn("no code given", "a.md", 2)  # a caller outside briefpress: still works
    assert report.warnings == ["a.md:2: warning: no code given [other]"]
    assert report.findings == [Finding("no code given", "a.md", 2, None, DEFAULT_CODE)]


def test_findings_that_differ_only_in_their_numbers_fold_into_the_first():
    said = [
        Finding("WeasyPrint: Ignored `hyphens: x` at 3:5, unknown property.", "a.md", code="weasyprint"),
        Finding("WeasyPrint: Ignored `hyphens: x` at 9:1, unknown property.", "a.md", code="weasyprint"),
        Finding("WeasyPrint: Ignored `gap: y` at 12:1, unknown property.", "a.md", code="weasyprint"),
        Finding("WeasyPrint: Ignored `hyphens: x` at 20:3, unknown property.", "a.md", code="weasyprint"),
        Finding("WeasyPrint: Ignored `hyphens: x` at 20:3, unknown property.", "b.md", code="weasyprint"),
    ]
    assert fold(said) == [
        Finding(said[0].message, "a.md", code="weasyprint", more=2),
        said[2],
        said[4],
    ]


def test_weasyprints_repeated_lines_are_one_warning_with_how_many_more(article_file):
    from weasyprint.logger import LOGGER

    from briefpress.editions.pdf import weasyprint_warnings
    from briefpress.options import Options
    from briefpress.sources import read_article

    article = read_article(article_file(), Report())
    report = Report()
    with weasyprint_warnings([article], report, Options()):
        for line in range(1, 31):  # as for a property used in thirty rules
            LOGGER.warning("Ignored `hyphens: x` at %d:5, unknown property.", line)
        LOGGER.warning("Failed to load image at %r: no such file", "file:///x.png")
        assert report.warnings == []  # said once the layout is over, folded
    assert report.warnings == [
        f"{article.path}: warning: WeasyPrint: Ignored `hyphens: x` at 1:5, unknown property. "
        "(and 29 more like this) [weasyprint]",
        f"{article.path}: warning: WeasyPrint: Failed to load image at 'file:///x.png': no such file "
        "[weasyprint]",
    ]


@pytest.fixture
def odd(article_file):
    """An article whose only warning is an unknown front matter key, on line 4."""
    front = "---\ntitle: 测试文章\ndate: 2026-06-09\ncolour: red\n---\n"
    return article_file(front=front)


def test_a_warnings_line_ends_with_its_code(tmp_path, odd):
    code, out, err = run("build", str(odd), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 0
    [line] = err.splitlines()
    assert line.startswith(f"{odd}:4: warning: {UNKNOWN_KEY} (known keys: ")
    assert line.endswith(") [unknown-key]")
    assert "1 warning(s)" in out


def test_strict_with_codes_fails_only_for_those(tmp_path, odd):
    code, _, err = run("build", "--strict=no-brief,no-translation", str(odd), "-o", str(tmp_path / "a"))
    assert code == 0, err
    assert (tmp_path / "a" / "a" / "a.html").is_file()
    for strict in ("--strict=unknown-key", "--strict=weasyprint,unknown-key", "--strict"):
        out = tmp_path / strict.replace("=", "-").replace(",", "-")
        code, _, err = run("build", strict, str(odd), "-o", str(out), "--formats", "html")
        assert code == 1
        assert "1 warning(s) and --strict: nothing written" in err
        assert not (out / "a").exists()


def test_suppress_silences_a_code_and_its_count(tmp_path, odd, monkeypatch):
    code, out, err = run(
        "build", str(odd), "-o", str(tmp_path / "a"), "--formats", "html", "--suppress", "unknown-key"
    )
    assert (code, err) == (0, "")
    assert "0 warning(s)" in out
    code, _, err = run("build", str(odd), "-o", str(tmp_path / "b"), "--suppress", "unknown-key", "--strict")
    assert (code, err) == (0, "")  # nothing left to fail on
    monkeypatch.chdir(tmp_path)
    Path("briefpress.toml").write_text('suppress = ["unknown-key"]\nstrict = ["unknown-key"]\n')
    code, out, err = run("build", str(odd), "-o", str(tmp_path / "c"), "--formats", "html")
    assert (code, err) == (0, "")
    assert "0 warning(s)" in out


def test_a_repeated_flag_adds_its_codes(tmp_path, article_file):
    """--suppress A --suppress B silences both, --strict=A --strict=B fails on either
    (the last flag used to replace the ones before it)."""
    front = "---\ntitle: 测试文章\ndate: 2026-06-09\ncolour: red\n---\n"
    source = article_file(PAIRS, front=front, brief=False)
    code, _, err = run("build", str(source), "-o", str(tmp_path / "a"), "--formats", "html")
    assert sorted(line.rsplit(" [", 1)[-1] for line in err.splitlines()) == ["no-brief]", "unknown-key]"]
    flags = ["--suppress", "unknown-key", "--suppress", "no-brief"]
    code, out, err = run("build", str(source), "-o", str(tmp_path / "b"), "--formats", "html", *flags)
    assert (code, err) == (0, "") and "0 warning(s)" in out
    for strict in (
        ["--strict=unknown-key", "--strict=no-brief"],
        ["--strict=no-brief", "--strict=unknown-key"],
    ):
        out = tmp_path / "-".join(strict)
        code, _, err = run(
            "build", *strict, str(source), "-o", str(out), "--formats", "html", "--suppress", "no-brief"
        )
        assert code == 1 and "1 warning(s) and --strict: nothing written" in err
        assert not (out / "a").exists()
    code, _, err = run("build", "--strict=weasyprint", "--strict", str(source), "-o", str(tmp_path / "d"))
    assert code == 1  # --strict alone: every code


@pytest.mark.parametrize(
    "flags", [["--strict=unknwon-key"], ["--suppress", "unknown-key,bogus"], ["--strict="]]
)
def test_an_unknown_code_is_a_usage_error_naming_the_codes(tmp_path, odd, flags):
    code, _, err = run("build", *flags, str(odd), "-o", str(tmp_path / "out"))
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("briefpress: error: argument --")
    assert "must name warning codes from unknown-key, yaml-comment," in line
    assert not (tmp_path / "out").exists()


def test_an_unknown_code_in_briefpress_toml_is_one_error(tmp_path, odd, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("briefpress.toml").write_text('suppress = ["no-such-code"]\n')
    code, _, err = run("build", str(odd), "-o", str(tmp_path / "out"))
    assert code == 1
    [line] = err.splitlines()
    assert "'suppress' must name warning codes from unknown-key," in line
    assert "no-such-code is not one" in line


def test_the_warnings_command_lists_every_code_once():
    code, out, _ = run("warnings")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CODES)
    assert "unknown-key  " in out and "a front matter key briefpress does not know" in out


def test_records_cross_a_worker_process_whole(tmp_path, article_file, odd):
    from briefpress.build.steps import build
    from briefpress.options import Options

    other = article_file(body="# 原文\n\nFirst.\n\n# 译文\n\n第一。\n", name="b.md", brief=False)
    result = build([odd, other], Options(output=tmp_path / "out", formats=("html",), jobs=2))
    assert result.ok, [str(e) for e in result.errors]
    by_code = {f.code: f for f in result.findings}
    assert set(by_code) == {"unknown-key", "no-brief"}
    assert (by_code["unknown-key"].path, by_code["unknown-key"].line) == (str(odd), 4)
    assert by_code["no-brief"].path == str(other) and by_code["no-brief"].line is None
    assert result.warnings == [str(f) for f in result.findings]
    strict = Options(output=tmp_path / "strict", formats=("html",), jobs=2, strict=("no-brief",))
    result = build([odd, other], strict)
    assert [Path(p).name for p in result.failed] == ["b.md"] and result.built == 1


@pytest.mark.slow
def test_a_themes_property_weasyprint_ignores_in_every_rule_is_one_line(tmp_path, article_file):
    """A real layout: WeasyPrint says 'Ignored ...' for each of the rules; the build says it
    once, and again the same way when the chapter comes from the cache."""
    from briefpress.render import resource_dir

    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    rules = "".join(f"h{n} {{ briefpress-no-such: 1 }}\n" for n in range(1, 7))
    (theme / "styles" / "print.css").write_text(
        (resource_dir("styles") / "print.css").read_text(encoding="utf-8") + rules, encoding="utf-8"
    )
    source = article_file()
    lines = []
    for out in ("a", "b"):
        code, _, err = run(
            "build", str(source), "-o", str(tmp_path / out), "--formats", "pdf", "--theme", str(theme), "-q"
        )
        assert code == 0, err
        lines.append([line for line in err.splitlines() if "briefpress-no-such" in line])
    [line] = lines[0]
    assert line.startswith(f"{source}: warning: WeasyPrint: Ignored `briefpress-no-such: 1 ` at ")
    assert line.endswith("unknown property. (and 5 more like this) [weasyprint]")
    assert lines[1] == lines[0]
