"""Themes: a folder of styles and templates that override the built-in files by name."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.errors import Report
from briefpress.render import resource_dir
from briefpress.sources import read_article
from briefpress.theme import SHAPES, builtin_files
from conftest import EXAMPLE, RICH_SOURCE

SLUG = EXAMPLE.stem
MASTHEAD = '<p class="masthead">读书会 · 第 12 期</p>'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def build(out: Path, *flags: str, source: Path = EXAMPLE) -> Path:
    code, _, err = run("build", str(source), "-o", str(out), "-q", *flags)
    assert code == 0, err
    return out / source.stem


def page(folder: Path) -> str:
    return (folder / f"{folder.name}.html").read_text(encoding="utf-8")


@pytest.fixture
def theme(tmp_path) -> Path:
    """A theme that changes one stylesheet and one template."""
    folder = tmp_path / "theme"
    (folder / "styles").mkdir(parents=True)
    (folder / "templates").mkdir()
    css = (resource_dir("styles") / "screen.css").read_text(encoding="utf-8")
    (folder / "styles" / "screen.css").write_text(css + ".masthead { color: #7a1f1f; }\n", encoding="utf-8")
    template = (resource_dir("templates") / "article.html.j2").read_text(encoding="utf-8")
    body = '<body class="edition-{{ edition }}">\n'
    assert body in template
    (folder / "templates" / "article.html.j2").write_text(
        template.replace(body, body + MASTHEAD + "\n"), encoding="utf-8"
    )
    return folder


def test_theme_init_copies_every_built_in_file_with_a_readme(tmp_path):
    folder = tmp_path / "mytheme"
    code, out, err = run("theme", "init", str(folder))
    assert code == 0, err
    assert f"see {folder / 'README.md'}" in out
    assert sorted(builtin_files()) == sorted(SHAPES)  # every shipped file is described
    for name in builtin_files():
        top, rest = name.split("/", 1)
        assert (folder / name).read_bytes() == (resource_dir(top) / rest).read_bytes()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` | {SHAPES[name]} |" in readme for name in SHAPES)
    assert f"--theme {folder}" in readme
    # a folder that holds anything is never written into
    before = readme
    code, _, err = run("theme", "init", str(folder))
    assert (
        code == 1 and err.strip() == f"{folder}: error: is not an empty folder; name a new one for the theme"
    )
    assert (folder / "README.md").read_text(encoding="utf-8") == before


def test_a_copy_of_the_built_in_theme_changes_nothing(tmp_path):
    assert run("theme", "init", str(tmp_path / "copy"))[0] == 0
    plain = build(tmp_path / "plain", "--formats", "html,epub")
    themed = build(tmp_path / "themed", "--formats", "html,epub", "--theme", str(tmp_path / "copy"))
    assert page(themed) == page(plain)
    assert (themed / f"{SLUG}.epub").read_bytes() == (plain / f"{SLUG}.epub").read_bytes()


def test_a_theme_overrides_one_stylesheet_and_one_template_and_nothing_else(tmp_path, theme):
    plain = build(tmp_path / "plain", "--formats", "html,epub")
    themed = build(tmp_path / "themed", "--formats", "html,epub", "--theme", str(theme))
    expected = page(plain)
    screen = (resource_dir("styles") / "screen.css").read_text(encoding="utf-8")
    assert expected.count(screen) == 1
    expected = expected.replace(screen, screen + ".masthead { color: #7a1f1f; }\n")
    expected = expected.replace('<body class="edition-html">\n', f'<body class="edition-html">\n{MASTHEAD}\n')
    assert page(themed) == expected
    # the EPUB uses neither file: it is byte for byte the same
    assert (themed / f"{SLUG}.epub").read_bytes() == (plain / f"{SLUG}.epub").read_bytes()


def test_the_theme_from_briefpress_toml_and_a_wrong_theme(tmp_path, theme, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefpress.toml").write_text('theme = "theme"\n', encoding="utf-8")
    assert MASTHEAD in page(build(tmp_path / "out", "--formats", "html"))
    code, _, err = run("build", str(EXAMPLE), "--theme", str(tmp_path / "nowhere"))
    assert code == 2 and "--theme" in err and "must be an existing folder" in err and "Traceback" not in err
    (tmp_path / "briefpress.toml").write_text('theme = "nowhere"\n', encoding="utf-8")
    code, _, err = run("build", str(EXAMPLE), "-o", str(tmp_path / "x"))
    assert code == 1 and err.startswith("briefpress.toml: error: 'theme' must be an existing folder")


def test_the_theme_is_part_of_the_build_hash(tmp_path, theme):
    out = tmp_path / "out"
    build(out, "--formats", "html", "--theme", str(theme))
    code, stdout, _ = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 0 and "1 unchanged" in stdout
    css = theme / "styles" / "screen.css"
    css.write_text(css.read_text(encoding="utf-8") + ".masthead { font-weight: 700; }\n", encoding="utf-8")
    code, stdout, _ = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 0 and "0 unchanged" in stdout
    assert ".masthead { font-weight: 700; }" in page(out / SLUG)


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        ("{% if %}", 30, "template error: Expected an expression"),
        ("{{ c.no_such_field }}", 30, "template error: UndefinedError"),
    ],
)
def test_a_template_error_names_the_theme_file_and_line(tmp_path, theme, change, line, message):
    template = theme / "templates" / "article.html.j2"
    text = template.read_text(encoding="utf-8").replace(MASTHEAD, change)
    template.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html,pdf", "--theme", str(theme))
    assert code == 1
    assert err.startswith(f"{template}:{line}: error: {message}"), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (out / SLUG).exists()


def test_theme_assets_are_carried_and_nothing_outside_is_read(tmp_path, theme):
    shutil.copy(RICH_SOURCE.parent / "img" / "chart.png", theme / "styles" / "rule.png")
    css = theme / "styles" / "print.css"
    builtin = (resource_dir("styles") / "print.css").read_text(encoding="utf-8")
    css.write_text(builtin + "h2 { background: url(rule.png) no-repeat; }\n", encoding="utf-8")
    folder = build(tmp_path / "out", "--formats", "pdf", "--theme", str(theme))
    listed = subprocess.run(
        ["pdfimages", "-list", str(folder / f"{SLUG}.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert " 1200   500 " in listed, "the theme's image (1200×500) is drawn in the handout"
    css.write_text(builtin + "h2 { background: url(../../secret.png); }\n", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes((theme / "styles" / "rule.png").read_bytes())
    code, _, err = run(
        "build", str(EXAMPLE), "-o", str(tmp_path / "bad"), "--formats", "pdf", "--theme", str(theme)
    )
    lines = builtin.count("\n") + 1
    assert code == 1
    assert err.strip() == (
        f"{css}:{lines}: error: url(../../secret.png) leads out of the theme folder "
        f"(to {tmp_path / 'secret.png'}); a theme may use only files inside it"
    )


def test_the_pdf_fetcher_allows_the_theme_folder_and_nothing_more(tmp_path, theme):
    from briefpress.editions.pdf import ArticleFetcher

    logo = theme / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', encoding="utf-8")
    (tmp_path / "outside.svg").write_text(logo.read_text(encoding="utf-8"), encoding="utf-8")
    report = Report()
    fetcher = ArticleFetcher(read_article(EXAMPLE, Report()), report, theme)
    assert fetcher.fetch(logo.as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / "outside.svg").as_uri())
    assert len(report.warnings) == 1 and "refused to fetch" in report.warnings[0]
    with pytest.raises(ValueError):
        ArticleFetcher(read_article(EXAMPLE, Report()), Report()).fetch(logo.as_uri())


def test_a_theme_template_may_extend_the_built_in_one(tmp_path, theme):
    (theme / "styles" / "screen.css").unlink()
    (theme / "templates" / "index.html.j2").write_text(
        '{% extends "builtin/index.html.j2" %}\n', encoding="utf-8"
    )
    plain = build(tmp_path / "plain", "--formats", "html").parent
    themed = build(tmp_path / "themed", "--formats", "html", "--theme", str(theme)).parent
    index = (themed / "index.html").read_text(encoding="utf-8")
    assert index == (plain / "index.html").read_text(encoding="utf-8") and SLUG in index
