"""The page footer: drawn from the theme's ``templates/page.css.j2`` after layout, shown by
every engine, and read back by ``check`` through :func:`pagenumbers.footers`."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from briefpress.cli import main
from briefpress.editions.pagenumbers import RESOURCE, footers, number
from briefpress.editions.pdfdoc import save
from briefpress.options import Options
from conftest import EXAMPLE, ROOT

#: a theme that moves the footer to the bottom right, in Chinese, larger and rust-red
TOY_FOOTER = """\
{% extends "builtin/page.css.j2" %}
{% block footer %}
@page { @bottom-right { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
  font-family: "{{ options.cjk_font }}", serif; font-size: 12pt; color: #a2461f; } }
{% endblock %}
"""
RUST = (0xA2 / 255, 0x46 / 255, 0x1F / 255)
A4 = (595.28, 841.89)


def toy_theme(folder: Path) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "page.css.j2").write_text(TOY_FOOTER, encoding="utf-8")
    return folder


def blank(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=A4)
    return save(pdf)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def shown(path: Path, page: int) -> dict[str, str]:
    """The text each engine reads on ``page`` (from 1), spaces removed: poppler, MuPDF,
    Ghostscript."""
    commands = {
        "pdftotext": ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(path), "-"],
        "mutool": ["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path), str(page)],
        "gs": [
            "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite", f"-dFirstPage={page}",
            f"-dLastPage={page}", "-sOutputFile=-", str(path),
        ],
    }  # fmt: skip
    return {
        name: re.sub(r"\s+", "", subprocess.run(argv, capture_output=True, check=True).stdout.decode())
        for name, argv in commands.items()
    }


def words(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """pdftotext's words on ``page`` with their boxes (xMin, yMin, xMax, yMax from the top)."""
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    )
    return [(text, float(a), float(b), float(c), float(d)) for a, b, c, d, text in found]


def assert_footer(path: Path, page: int, text: str, options: Options) -> None:
    """``text`` is the footer of ``page`` as check reads it, and every engine shows it."""
    assert footers(path)[page - 1] == text
    for engine, seen in shown(path, page).items():
        assert seen.endswith(text.replace(" ", "")), (engine, page, seen[-40:])


def assert_toy_style(path: Path, page: int, total: int) -> None:
    """The toy theme's footer on ``page``: its text, at the bottom right, 12 pt, rust."""
    with pdfplumber.open(path) as pdf:
        sheet = pdf.pages[page - 1]
        chars = [c for c in sheet.chars if c["top"] > sheet.height - 57]  # A4's bottom margin: 20 mm
    assert "".join(c["text"] for c in chars).replace(" ", "") == f"第{page}页/共{total}页"
    assert {round(c["size"], 1) for c in chars} == {12.0}
    assert {tuple(round(v, 3) for v in c["non_stroking_color"]) for c in chars} == {
        tuple(round(v, 3) for v in RUST)
    }
    boxes = [w for w in words(path, page) if w[2] > sheet.height - 57]
    right = max(w[3] for w in boxes)
    assert sheet.width - 57 - 2 < right <= sheet.width - 57 + 0.5  # flush with the text's right edge
    assert min(w[1] for w in boxes) > sheet.width / 2


def test_the_built_in_footer_is_n_of_n_centred_and_every_engine_shows_it(tmp_path):
    path = tmp_path / "numbered.pdf"
    path.write_bytes(number(blank(3), Options()))
    assert footers(path) == ["1 / 3", "2 / 3", "3 / 3"]
    for page in (1, 2, 3):
        assert_footer(path, page, f"{page} / 3", Options())
        [*_, (text, left, top, right, bottom)] = words(path, page)
        assert text == "3" and abs((left + words(path, page)[0][1]) / 2 - A4[0] / 2) < 6  # centred
        assert A4[1] - 57 < top and bottom < A4[1]  # in the bottom margin
    with pdfplumber.open(path) as pdf:
        char = pdf.pages[0].chars[0]
    assert round(char["size"], 1) == 8.5 and char["fontname"].endswith("Noto-Serif")


def test_with_duplex_the_number_sits_at_the_outside_corner(tmp_path):
    path = tmp_path / "duplex.pdf"
    path.write_bytes(number(blank(2), Options(duplex=True)))
    right_page, left_page = words(path, 1), words(path, 2)
    assert right_page[0][1] > A4[0] / 2 > left_page[-1][3]


def test_a_theme_restyles_the_footer(tmp_path):
    options = Options(theme=toy_theme(tmp_path / "toy"))
    path = tmp_path / "toy.pdf"
    path.write_bytes(number(blank(12), options))
    assert footers(path)[2] == "第 3 页 / 共 12 页"
    for page in (3, 12):
        assert_footer(path, page, f"第 {page} 页 / 共 12 页", options)
        assert_toy_style(path, page, 12)


def test_each_page_draws_its_own_footer_as_a_pagination_artifact(tmp_path):
    with pikepdf.open(io.BytesIO(number(blank(2), Options()))) as pdf:
        forms = [page.Resources.XObject[RESOURCE] for page in pdf.pages]
        assert forms[0].objgen != forms[1].objgen
        for page in pdf.pages:
            last = pikepdf.parse_content_stream(page)[-5:]
            assert [str(instruction.operator) for instruction in last] == ["q", "BDC", "Do", "EMC", "Q"]
            [bdc] = [i for i in last if str(i.operator) == "BDC"]
            assert bdc.operands[0] == pikepdf.Name.Artifact and bdc.operands[1].Type == "/Pagination"


@pytest.mark.slow
def test_a_themed_handout_and_its_check(tmp_path):
    theme = toy_theme(tmp_path / "toy")
    out = tmp_path / "out"
    assert run("build", str(EXAMPLE), "-o", str(out), "--formats", "pdf", "--theme", str(theme))[0] == 0
    path = out / "openai-third-phase" / "openai-third-phase.pdf"
    total = len(footers(path))
    assert total > 3
    for page in (1, 2, total):
        assert_footer(path, page, f"第 {page} 页 / 共 {total} 页", Options())
        assert_toy_style(path, page, total)
    code, report, err = run("check", str(out), "--no-reading")  # the footers read as drawn
    assert code == 0, report + err


@pytest.mark.slow
@pytest.mark.parametrize("variant", [None, "pdf/ua-1"])
def test_a_themed_two_article_digest(tmp_path, variant):
    theme = toy_theme(tmp_path / "toy")
    out = tmp_path / "out"
    sources = [str(EXAMPLE), str(ROOT / "tests" / "articles" / "tiny")]
    tagged = ["--pdf-variant", variant] if variant else []
    argv = [
        "build",
        *sources,
        "-o",
        str(out),
        "--formats",
        "pdf",
        "--digest",
        "第 1 期",
        "--theme",
        str(theme),
    ]
    code, _, err = run(*argv, *tagged)
    assert code == 0, err
    path = out / "digest" / "digest.pdf"
    drawn = footers(path)
    total = len(drawn)
    assert drawn[:2] == ["", ""]  # the cover and the contents
    for page in range(3, total + 1):
        assert drawn[page - 1] == f"第 {page} 页 / 共 {total} 页"
    for page in (3, total):
        assert_footer(path, page, f"第 {page} 页 / 共 {total} 页", Options())
        assert_toy_style(path, page, total)
