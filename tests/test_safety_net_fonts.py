"""The editor's safety net (issue 24), fonts: every configured family is checked before a
source is read; a missing one is one line naming the option, the editions, the nearest
installed families and the package; a Chinese edition never takes a Japanese or Korean
face. Through the command line, with the exact message.

The messages name what this machine has installed: ``scripts/setup-system.sh``'s
fonts-noto-cjk and fonts-noto-core, as on every machine the tests run on.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from briefpress.cli import main
from briefpress.editions import ALL_FONTS, EDITIONS
from briefpress.fontcheck import font_options
from conftest import EXAMPLE

INSTALLED = "(fonts-noto-cjk is installed and has no family of that name)"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def build(tmp_path: Path, source: Path, *flags: str) -> tuple[int, str]:
    code, _, err = run("build", str(source), "-o", str(tmp_path / "out"), "-q", *flags)
    return code, err


def test_a_latin_font_the_handout_draws_with_that_is_not_installed_is_one_line(tmp_path, article_file):
    code, err = build(tmp_path, article_file(), "--latin-font", "Nonexistent", "--formats", "pdf")
    assert code == 1
    assert err == (
        "error: font 'Nonexistent' (--latin-font, for the pdf edition) is not installed; "
        "no installed family has a similar name (the default is 'Noto Serif')\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--cjk-sans-font", "Noto Sans CJK", "--formats", "pdf"),
         "font 'Noto Sans CJK' (--cjk-sans-font, for the pdf edition) is not installed; nearest "
         f"installed: Noto Sans CJK SC, Noto Sans CJK TC, Noto Sans CJK HK {INSTALLED}"),
        (("--cjk-sans-font", "Noto Sans CJK", "--formats", "pdf,epub", "--script", "hant"),
         "font 'Noto Sans CJK' (--cjk-sans-font, for the pdf and epub editions) is not installed; "
         f"nearest installed: Noto Sans CJK TC, Noto Sans CJK HK, Noto Sans CJK SC {INSTALLED}"),
        (("--cjk-font", "Noto Serif CJK", "--formats", "epub"),
         "font 'Noto Serif CJK' (--cjk-font, for the epub edition) is not installed; nearest "
         f"installed: Noto Serif CJK SC, Noto Serif CJK TC, Noto Serif CJK HK {INSTALLED}"),
        (("--cjk-sans-font", "Noto Sans CJK", "--formats", "newsletter"),
         "font 'Noto Sans CJK' (--cjk-sans-font, for the newsletter edition) is not installed; "
         f"nearest installed: Noto Sans CJK SC, Noto Sans CJK TC, Noto Sans CJK HK {INSTALLED}"),
        # the digest is a PDF and an EPUB when --formats asks for neither (nor the HTML page)
        (("--latin-sans-font", "Noto Sanz", "--formats", "kindle", "--digest", "第 1 期"),
         "font 'Noto Sanz' (--latin-sans-font, for the digest edition) is not installed; nearest "
         "installed: Noto Sans, Noto Sans Yi, Noto Sans CJK SC"),
    ],
)  # fmt: skip
def test_a_misspelt_family_names_the_nearest_installed_ones_and_the_package(
    tmp_path, article_file, flags, message
):
    code, err = build(tmp_path, article_file(), *flags)
    assert code == 1
    assert err.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--cjk-font", "Noto Serif CJK JP", "--formats", "pdf"),
         "font 'Noto Serif CJK JP' (--cjk-font, for the pdf edition) is a Japanese face: the Chinese "
         "text would take Japanese glyph forms; choose a Simplified Chinese (SC) face: Noto Serif CJK "
         "SC, Noto Sans CJK SC, Noto Sans Mono CJK SC"),
        (("--cjk-sans-font", "Noto Sans CJK KR", "--formats", "epub", "--script", "hant"),
         "font 'Noto Sans CJK KR' (--cjk-sans-font, for the epub edition) is a Korean face: the "
         "Chinese text would take Korean glyph forms; choose a Traditional Chinese (TC) face: Noto "
         "Sans CJK TC, Noto Sans CJK HK, Noto Sans Mono CJK TC"),
        # the HTML page draws nothing here, but every reader who has the face would get it
        (("--cjk-font", "Noto Serif CJK JP", "--formats", "html"),
         "font 'Noto Serif CJK JP' (--cjk-font, for the html edition) is a Japanese face: the Chinese "
         "text would take Japanese glyph forms; choose a Simplified Chinese (SC) face: Noto Serif CJK "
         "SC, Noto Sans CJK SC, Noto Sans Mono CJK SC"),
        (("--mono-font", "Noto Sans Mono CJK JP", "--formats", "pdf"),
         "font 'Noto Sans Mono CJK JP' (--mono-font, for the pdf edition) is a Japanese face: the "
         "Chinese text would take Japanese glyph forms; choose a Simplified Chinese (SC) face: Noto "
         "Sans Mono CJK SC, Noto Sans CJK SC, Noto Serif CJK SC"),
        (("--cjk-font", "Noto Serif", "--formats", "pdf"),
         "font 'Noto Serif' (--cjk-font, for the pdf edition) does not cover Simplified Chinese "
         "(fontconfig lists no zh-cn for it): the Chinese text would fall back to other fonts; choose "
         "a Simplified Chinese (SC) face: Noto Serif CJK SC, Noto Serif CJK TC, Noto Serif CJK HK"),
        (("--cjk-sans-font", "DejaVu Sans", "--formats", "pdf,epub", "--script", "hant"),
         "font 'DejaVu Sans' (--cjk-sans-font, for the pdf and epub editions) does not cover "
         "Traditional Chinese (fontconfig lists no zh-tw for it): the Chinese text would fall back to "
         "other fonts; choose a Traditional Chinese (TC) face, such as the default 'Noto Sans CJK TC'"),
    ],
)  # fmt: skip
def test_a_chinese_edition_never_takes_a_japanese_or_korean_face(tmp_path, article_file, flags, message):
    code, err = build(tmp_path, article_file(), *flags)
    assert code == 1
    assert err.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "out").exists()


def test_a_family_the_page_only_names_for_its_readers_is_a_warning_and_strict_fails(tmp_path, article_file):
    """The HTML page draws nothing here: its stacks name the families for the readers'
    machines, which show the page in their own font when they lack one. It is built, with
    one warning; with --strict it is an error and nothing is written."""
    source = article_file()
    message = (
        "font 'Noto Sarif' (--latin-font) is not installed; the html edition only names it for the "
        "readers' machines, which use their own font without it; nearest installed: Noto Serif, Noto "
        "Serif CJK SC, Noto Serif Lao"
    )
    code, err = build(tmp_path, source, "--latin-font", "Noto Sarif", "--formats", "html")
    assert code == 0
    assert err.splitlines() == [f"warning: {message} [font-not-installed]"]
    assert (tmp_path / "out" / "a" / "a.html").is_file()
    code, _, err = run("build", str(source), "-o", str(tmp_path / "strict"), "-q", "--formats", "html",
                       "--latin-font", "Noto Sarif", "--strict")  # fmt: skip
    assert code == 1
    assert err.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "strict").exists()


def test_an_option_the_editions_do_not_use_is_not_checked(tmp_path, article_file):
    """The EPUB never names the Latin faces: a misspelt one there says nothing."""
    code, err = build(tmp_path, article_file(), "--latin-font", "Nonexistent", "--formats", "epub")
    assert (code, err) == (0, "")


def test_a_family_written_in_another_case_is_the_installed_one(tmp_path, article_file):
    """fontconfig (and so WeasyPrint) matches a family without regard to case or spaces."""
    code, err = build(tmp_path, article_file(), "--latin-font", "noto serif", "--formats", "html")
    assert (code, err) == (0, "")


def test_every_font_option_is_declared_for_the_editions():
    assert sorted(ALL_FONTS) == sorted(name for name, _ in font_options())
    assert EDITIONS["pdf"].fonts == ALL_FONTS == EDITIONS["html"].names_fonts
    assert {name for name, kind in font_options() if kind.chinese} == {"cjk_font", "cjk_sans_font"}


# -- the faces the handout embeds ----------------------------------------------------------------


def embedded_fonts(pdf: Path) -> list[str]:
    """The base names of every font in ``pdf``, without their subset tags."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        names = {
            str(obj.BaseFont).lstrip("/")
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and "/BaseFont" in obj
        }
    return sorted(name.partition("+")[2] or name for name in names)


def cjk_fonts(pdf: Path) -> list[str]:
    return [name for name in embedded_fonts(pdf) if "CJK" in name or "Han" in name]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "region"), [("hans", "SC"), ("hant", "TC")])
def test_the_handout_embeds_only_the_scripts_chinese_faces(tmp_path, script, region):
    code, err = build(tmp_path, EXAMPLE, "--formats", "pdf", "--script", script)
    assert code == 0, err
    [pdf] = (tmp_path / "out").glob("*/*.pdf")
    faces = cjk_fonts(pdf)
    assert faces and all(f"-CJK-{region}" in face for face in faces), faces
    assert not [face for face in embedded_fonts(pdf) if any(f"-{w}" in face for w in ("JP", "KR"))]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "region"), [("hans", "SC"), ("hant", "TC")])
def test_chinese_text_whose_stack_has_no_chinese_face_falls_back_to_the_scripts_face(
    tmp_path, script, region
):
    """A theme's headings in a Latin-only stack: their Chinese characters come from
    fontconfig's fallback, which is told the text's region (zh-cn, zh-tw), not its script
    (zh-Hans, for which it sorts Noto Sans CJK JP first)."""
    theme = tmp_path / "theme"
    code, _, err = run("theme", "init", str(theme))
    assert code == 0, err
    styles = theme / "styles" / "print.css"
    styles.write_text(
        styles.read_text(encoding="utf-8") + '\nh1, h2, h3 { font-family: "Noto Sans", sans-serif; }\n',
        encoding="utf-8",
    )
    code, err = build(tmp_path, EXAMPLE, "--formats", "pdf", "--script", script, "--theme", str(theme))
    assert code == 0, err
    [pdf] = (tmp_path / "out").glob("*/*.pdf")
    faces = cjk_fonts(pdf)
    assert f"Noto-Sans-CJK-{region}-Bold" in faces
    assert all(f"-CJK-{region}" in face for face in faces), faces
