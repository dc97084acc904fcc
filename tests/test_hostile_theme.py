"""Hostile themes, configs, imports and caches (issue 23): a theme is data, a config found
in the working folder is announced, an edited source is not replaced, a cache is trusted
only as far as it is private — each end to end through the command line."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from briefpress import cache
from briefpress.cli import main
from briefpress.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "openai-third-phase.md"
SLUG = "openai-third-phase"


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def one_error(err: str, where: Path, line: int | None, fragment: str) -> None:
    errors = [row for row in err.splitlines() if ": error: " in row]
    assert len(errors) == 1, err
    place = f"{where}:{line}: error: " if line else f"{where}: error: "
    assert errors[0].startswith(place), err
    assert fragment in errors[0], err
    assert "Traceback" not in err


@pytest.fixture
def theme(tmp_path) -> Path:
    folder = tmp_path / "theme"
    code, _, err = run("theme", "init", str(folder))
    assert code == 0, err
    return folder


def fonts_template(theme: Path, line: str) -> tuple[Path, int]:
    """``line`` appended to the theme's fonts.css.j2; the file and the line's number."""
    template = theme / "templates" / "fonts.css.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text + line + "\n", encoding="utf-8")
    return template, text.count("\n") + 1


# -- 1. a theme runs no code and reads nothing outside ------------------------------------

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('touch MARK') }}",
    "{{ lipsum.__globals__['os'].system('touch MARK') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ options.theme.joinpath('../../MARK').write_text('x') }}",
    "{{ options.output.parent.parent.joinpath('etc/passwd').read_text() }}",
    "{{ c.meta.title.__class__ }}",
    "{% set x = c.sections.append('MARK') %}",
    "{{ range.__self__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ 9 ** 999999 }}",
    "{{ 'x' * 10 ** 9 }}",
    "{{ 10 ** 9 * ['x'] }}",
    "{{ ((((9 ** 64) ** 64) ** 64) ** 64) ** 64 }}",
    "{{ '%1000000000d' | format(1) }}",
    "{{ '%1000000000d' % 1 }}",
    "{{ '{:>1000000000}'.format(1) }}",
    "{{ '{0:>{1}}'.format_map({'0': 1, '1': 1000000000}) }}",
    "{{ 'x' | center(2000000000) }}",
    "{{ '%*d' % (1000000000, 1) }}",
    "{{ 'a'.ljust(300000000) }}",
    "{{ 'a'.zfill(300000000) }}",
    "{{ 'a'.center(width=300000000) }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_theme_template_runs_no_code(tmp_path, theme, escape):
    template, line = fonts_template(theme, escape)
    out = tmp_path / "out"
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 1
    one_error(err, template, line, "template error: ")
    assert not (tmp_path / "MARK").exists() and not Path("MARK").exists()
    assert not (out / SLUG).exists()


def test_the_sandbox_still_renders_every_builtin_template(tmp_path, theme):
    code, _, err = run(
        "build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--formats", "html,epub,newsletter",
        "--theme", str(theme), "--digest", "Week",
    )  # fmt: skip
    assert code == 0, err


@pytest.mark.parametrize(
    "make",
    ["styles-file", "templates-folder", "included-file"],
)
def test_theme_files_are_read_only_inside_the_theme(tmp_path, theme, make):
    key = tmp_path / "id_ed25519"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETSECRET\n", encoding="utf-8")
    if make == "styles-file":
        (theme / "styles" / "screen.css").unlink()
        (theme / "styles" / "screen.css").symlink_to(key)
        named = theme / "styles" / "screen.css"
    elif make == "templates-folder":
        shutil.rmtree(theme / "templates")
        (theme / "templates").symlink_to(tmp_path)
        named = theme / "templates" / "fonts.css.j2"
        (tmp_path / "fonts.css.j2").write_text("{% include 'id_ed25519' %}", encoding="utf-8")
    else:
        (theme / "templates" / "key.txt").symlink_to(key)
        fonts_template(theme, "{% include 'key.txt' %}")
        named = theme / "templates" / "key.txt"
    out = tmp_path / "out"
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 1
    one_error(err, named, None, "leads out of the theme folder")
    assert "SECRET" not in err
    assert not (out / SLUG).exists()


@pytest.mark.parametrize(
    "rule",
    [
        "a { content: '</style><img src=http://127.0.0.1:9/pixel>' }",
        "/* </STYLE><img src=http://127.0.0.1:9/pixel> */",
        'a { content: "\\3c/style><img src=http://127.0.0.1:9/pixel>" }',
        "a { content: '\\3C \\2F style>' }",
        'a { background: url("#\\3c/style><img src=http://127.0.0.1:9/pixel>") }',
        'a { background: url("data:,\\3c/style>") }',
        '@import "https://tracker.example/a.css";',
        "@import url(theme-extra.css);",
        "h1 { background: url(https://tracker.example/p.png) }",
        "h1 { background: URL( 'http://tracker.example/p.png' ) }",
        'h1 { background: u\\72l("//tracker.example/p.png") }',
        "h1 { background: url(/etc/hostname) }",
        'h1 { background: image-set("https://tracker.example/p.png" 1x) }',
        "@font-face { font-family: X; src: url(ftp://tracker.example/x.woff2) }",
    ],
)
def test_a_theme_stylesheet_fetches_nothing(tmp_path, theme, rule):
    css = theme / "styles" / "screen.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + rule + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 1
    one_error(err, css, text.count("\n") + 1, "theme")
    assert not (out / SLUG).exists()


def test_a_theme_stylesheet_keeps_data_urls_and_fragments(tmp_path, theme):
    css = theme / "styles" / "screen.css"
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    css.write_text(css.read_text() + f"h1 {{ background: url({pixel}); filter: url(#f) }}\n")
    out = tmp_path / "out"
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "html", "--theme", str(theme))
    assert code == 0, err
    page = (out / SLUG / f"{SLUG}.html").read_text(encoding="utf-8")
    assert pixel in page and "url(#f)" in page


# -- 2. a config found in the working folder is announced and kept to its folder ---------


def test_a_config_that_names_a_theme_and_an_output_is_announced(tmp_path, theme):
    shutil.move(theme, tmp_path / ".theme")
    (tmp_path / "briefpress.toml").write_text('theme = ".theme"\noutput = "site"\n', encoding="utf-8")
    code, _, err = run("build", str(EXAMPLE), "--formats", "html", cwd=tmp_path)
    assert code == 0, err
    named = f"using briefpress.toml: theme {(tmp_path / '.theme').resolve()}"
    assert err.splitlines()[0] == f"{named}, output site"
    assert (tmp_path / "site" / SLUG / f"{SLUG}.html").is_file()
    # what the command line sets is not announced as the file's
    code, _, err = run("build", str(EXAMPLE), "--formats", "html", "-o", "elsewhere", cwd=tmp_path)
    assert code == 0 and err.splitlines()[0] == named


@pytest.mark.parametrize("where", ["outside", "link-out"])
def test_a_config_may_name_only_a_theme_inside_its_folder(tmp_path, theme, where):
    work = tmp_path / "clone"
    work.mkdir()
    if where == "outside":
        named = str(theme)
    else:
        (work / ".theme").symlink_to(theme)
        named = ".theme"
    (work / "briefpress.toml").write_text(f'theme = "{named}"\n', encoding="utf-8")
    code, _, err = run("build", str(EXAMPLE), "--formats", "html", "-o", str(tmp_path / "out"), cwd=work)
    assert code == 1
    one_error(err, Path("briefpress.toml"), None, "lies outside this file's folder")
    assert not (tmp_path / "out").exists()


# -- import keeps an edited source ---------------------------------------------------------


def test_import_does_not_replace_an_edited_source(tmp_path):
    dump = ROOT / "tests" / "dumps" / "openai-third-phase.txt"
    if not dump.is_file():
        dump = next((ROOT / "tests" / "dumps").glob("*.txt"))
    code, _, err = run("import", str(dump), "-o", str(tmp_path))
    assert code == 0, err
    source = tmp_path / f"{dump.stem}.md"
    # the same import again writes the same file: no error
    assert run("import", str(dump), "-o", str(tmp_path))[0] == 0
    edited = source.read_text(encoding="utf-8") + "\n<!-- my edit -->\n"
    source.write_text(edited, encoding="utf-8")
    code, _, err = run("import", str(dump), "-o", str(tmp_path))
    assert code == 1
    one_error(err, dump, None, "differs from what this dump gives")
    assert source.read_text(encoding="utf-8") == edited
    code, _, err = run("import", str(dump), "-o", str(tmp_path), "--force")
    assert code == 0 and "my edit" not in source.read_text(encoding="utf-8")


# -- 6. the cache: private, entries checked ------------------------------------------------


def test_the_cache_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(tmp_path / "c"))
    cache.put("covers", "k", b"data")
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "c" / "covers").stat().st_mode & 0o777 == 0o700
    assert cache.get("covers", "k") == b"data"


@pytest.mark.parametrize("problem", ["group-writable", "other-owner", "a-link"])
def test_a_cache_others_can_write_is_refused_in_one_line(tmp_path, monkeypatch, problem):
    folder = tmp_path / "c"
    if problem == "a-link":
        (tmp_path / "real").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "real")
    else:
        folder.mkdir(mode=0o700)
    if problem == "group-writable":
        folder.chmod(0o770)
    if problem == "other-owner":
        if os.geteuid() != 0:
            pytest.skip("needs root to give the folder to another user")
        os.chown(folder, 65534, 65534)
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(folder))
    with pytest.raises(ConfigError, match="cannot be trusted"):
        cache.check()
    assert cache.get("covers", "k") is None
    cache.put("covers", "k", b"x")
    assert not any(folder.rglob("k")), "nothing is written into a cache that is not private"
    code, _, err = run("build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 1
    one_error(err, folder, None, "cannot be trusted")
    assert not (tmp_path / "out").exists()


def test_a_bad_entry_is_discarded(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(tmp_path / "c"))
    cache.put("covers", "k", b"genuine")
    entry = tmp_path / "c" / "covers" / "k"
    entry.write_bytes(entry.read_bytes()[:-1] + b"X")  # one byte changed
    assert cache.get("covers", "k") is None and not entry.exists()
    planted = tmp_path / "planted"
    planted.write_bytes(b"evil")
    entry.symlink_to(planted)
    assert cache.get("covers", "k") is None
    assert not entry.is_symlink() and planted.read_bytes() == b"evil"
    entry.write_bytes(b"evil, without the checksum")
    assert cache.get("covers", "k") is None


@pytest.mark.slow
def test_planted_cache_entries_never_reach_an_edition(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(tmp_path / "c"))
    out = tmp_path / "out"
    assert run("build", str(EXAMPLE), "-o", str(out), "--formats", "epub,pdf")[0] == 0
    epub, pdf = out / SLUG / f"{SLUG}.epub", out / SLUG / f"{SLUG}.pdf"
    cover = cover_of(epub)
    handout = pdf.read_bytes()
    planted = tmp_path / "evil.png"
    planted.write_bytes(b"\x89PNG\r\n\x1a\nEVIL")
    entries = [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    assert entries
    for number, entry in enumerate(entries):
        entry.unlink()
        if number % 2:
            entry.symlink_to(planted)  # a link an attacker planted under the public key
        else:
            entry.write_bytes(planted.read_bytes())  # a file without the checksum
    code, _, err = run("build", str(EXAMPLE), "-o", str(out), "--formats", "epub,pdf", "--force")
    assert code == 0, err
    assert cover_of(epub) == cover
    assert pdf.read_bytes() == handout
    assert b"EVIL" not in epub.read_bytes()
    assert planted.read_bytes().endswith(b"EVIL")


def cover_of(epub: Path) -> bytes:
    with zipfile.ZipFile(epub) as book:
        names = [n for n in book.namelist() if "cover" in n and n.endswith((".png", ".jpg"))]
        assert names, book.namelist()
        return book.read(names[0])


def test_a_folder_planted_at_an_entry_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_CACHE", str(tmp_path / "c"))
    cache.put("covers", "k", b"genuine")
    entry = tmp_path / "c" / "covers" / "k"
    entry.unlink()
    entry.mkdir()
    (entry / "inside").write_bytes(b"x")
    assert cache.get("covers", "k") is None and not entry.exists()
    cache.put("covers", "k", b"again")
    assert cache.get("covers", "k") == b"again"


def test_a_config_that_names_the_mail_s_addresses_is_announced(tmp_path):
    (tmp_path / "briefpress.toml").write_text(
        'to = "Someone <a@evil.example>"\nkindle-to = "x@kindle.com"\nfrom = "l@example.org"\n',
        encoding="utf-8",
    )
    code, _, err = run("build", str(EXAMPLE), "--formats", "html", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 0, err
    assert err.splitlines()[0] == (
        "using briefpress.toml: from l@example.org, to Someone <a@evil.example>, kindle-to x@kindle.com"
    )
