"""What every PDF engine draws: the render layer.

The test PDFs — handouts, side-by-side, A5, the booklet, 2-up, tagged, digests (one in
Traditional Chinese) — are built from articles that differ in everything a renderer
cares about: code, a table, images, an emoji and a character no installed font has,
Traditional Chinese, a very long and a very short article; and from generated ones
(:mod:`strategies`). Each is drawn by poppler (``pdftoppm``), MuPDF (``mutool draw``)
and Ghostscript (the engine of CUPS and many print shops): none may report a font or
glyph error, and the glyph check (:mod:`briefpress.check.glyphs`) finds nothing. Each
page of a digest chapter must look, as pixels, like the same page of the article's own
handout, running head and footer aside: text extraction passes on a PDF that prints
boxes; pixels do not.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from briefpress.build.steps import build
from briefpress.check.glyphs import Font, glyph_problems
from briefpress.cli import main
from briefpress.errors import Report
from briefpress.fonts import unshown
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE, RICH_SOURCE, ROOT
from strategies import article_source

pytestmark = pytest.mark.slow  # WeasyPrint layouts and three PDF engines

ARTICLES = ROOT / "tests" / "articles"
GLYPHS, HANT, TINY = (ARTICLES / name / f"{name}.md" for name in ("glyphs", "hant", "tiny"))
CORPUS = [GLYPHS, EXAMPLE, RICH_SOURCE, HANT, TINY]
RARE, EMOJI = "\U00031350", "\U0001f600"
#: also in no font: the second in glyphs.md (one code for both in a CJK font), the digest's name's
NO_FONT = {RARE, "\U00031351", "\U00031352", EMOJI}
#: what each build of the fixture makes, and the PDFs the tests draw
BUILDS = {
    "a4": ([*CORPUS], {"digest": "渲染测试\U00031352"}),
    "side-by-side": ([GLYPHS, RICH_SOURCE], {"bilingual": "side-by-side"}),
    "a5": ([GLYPHS, TINY], {"paper": "A5", "imposition": "booklet"}),
    "2up": ([GLYPHS], {"imposition": "2up"}),
    "tagged": ([GLYPHS, EXAMPLE], {"pdf_variant": "pdf/ua-1", "digest": "D"}),
    # oldest first: the chapter with the character no font has is the last one
    "hant": ([HANT, GLYPHS], {"script": "hant", "digest": "D", "order": "date-asc"}),
}
PDFS = [
    "a4/glyphs/glyphs.pdf",
    "a4/openai-third-phase/openai-third-phase.pdf",
    "a4/rich/rich.pdf",
    "a4/hant/hant.pdf",
    "a4/tiny/tiny.pdf",
    "a4/digest/digest.pdf",
    "side-by-side/glyphs/glyphs.pdf",
    "side-by-side/rich/rich.pdf",
    "a5/glyphs/glyphs.pdf",
    "a5/glyphs/glyphs.booklet.pdf",
    "a5/tiny/tiny.booklet.pdf",  # one page, and three blank ones
    "2up/glyphs/glyphs.2up.pdf",
    "tagged/glyphs/glyphs.pdf",
    "tagged/digest/digest.pdf",
    "hant/digest/digest.pdf",
]
#: what an engine may say that is not about the document (this MuPDF has no colour management)
BENIGN = ("warning: ICC support is not available",)


def engines() -> dict[str, list[str]]:
    return {"poppler": ["pdftoppm"], "mupdf": ["mutool"], "ghostscript": ["gs"]}


def draw(
    engine: str, pdf: Path, folder: Path, dpi: int = 40, pages: tuple[int, int] | None = None
) -> list[Path]:
    """``pdf``'s pages drawn by ``engine`` as grey PNGs; fails on any word from the engine."""
    folder.mkdir(parents=True, exist_ok=True)
    first, last = pages or (1, 0)
    if engine == "poppler":
        command = ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(first)]
        command += ["-l", str(last)] if last else []
        command += [str(pdf), str(folder / "p")]
    elif engine == "mupdf":
        command = [
            "mutool",
            "draw",
            "-q",
            "-r",
            str(dpi),
            "-c",
            "gray",
            "-o",
            str(folder / "p-%04d.png"),
            str(pdf),
        ]
        command += [f"{first}-{last}"] if last else []
    else:
        command = ["gs", "-q", "-dSAFER", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pnggray", f"-r{dpi}"]
        command += ["-dTextAlphaBits=4", "-dGraphicsAlphaBits=4", f"-dFirstPage={first}"]
        command += [f"-dLastPage={last}"] if last else []
        command += [f"-sOutputFile={folder / 'p-%04d.png'}", str(pdf)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    said = [
        line for line in (result.stdout + result.stderr).splitlines() if line.strip() and line not in BENIGN
    ]
    assert result.returncode == 0 and said == [], (engine, pdf.name, said[:10])
    return sorted(folder.glob("p-*.png"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """Every build of :data:`BUILDS`, and the warnings of each."""
    if not all(shutil.which(tool[0]) for tool in engines().values()):
        pytest.fail("poppler-utils, mupdf-tools and ghostscript are needed: run make setup")
    out = tmp_path_factory.mktemp("render")
    warnings = {}
    for name, (sources, settings_) in BUILDS.items():
        result = build(sources, Options(output=out / name, formats=("pdf",), jobs=2, **settings_), Report())
        assert result.ok, [str(e) for e in result.errors]
        warnings[name] = result.warnings
    return out, warnings


@pytest.mark.parametrize("engine", list(engines()))
@pytest.mark.parametrize("name", PDFS)
def test_every_engine_draws_every_pdf_without_a_font_error(built, tmp_path, name, engine):
    out, _ = built
    assert draw(engine, out / name, tmp_path)


@pytest.mark.parametrize("name", PDFS)
def test_every_glyph_drawn_is_in_its_embedded_font(built, name):
    out, _ = built
    data = (out / name).read_bytes()
    assert data.startswith(b"%PDF-1.7")  # /Lang, XMP and DisplayDocTitle need 1.4 or later
    assert [str(p) for p in glyph_problems(data, NO_FONT)] == []


def chapter_starts(digest: Path) -> list[tuple[str, int]]:
    """(title, first page from 1) of each article of a digest, from its bookmarks."""
    with pikepdf.open(digest) as pdf, pdf.open_outline() as outline:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        starts = []
        for item in outline.root:
            target = item.destination if item.destination is not None else item.action.D
            starts.append((item.title, index[target[0].objgen]))
        return starts


def masked(path: Path, options: Options, page_height: float) -> Image.Image:
    """A page without its running head and footer (the margin bands above and below the text)."""
    from briefpress.editions.pagenumbers import bottom_margin, margins, points

    image = Image.open(path).convert("L")
    scale = image.height / page_height
    head, foot = round(points(margins(options)["top"]) * scale), round(bottom_margin(options) * scale)
    image.paste(255, (0, 0, image.width, head))
    image.paste(255, (0, image.height - foot, image.width, image.height))
    return image


@pytest.mark.parametrize("engine", list(engines()))
@pytest.mark.parametrize("build_name", ["a4", "hant"])
def test_digest_chapters_look_like_their_handouts(built, tmp_path, build_name, engine):
    out, _ = built
    digest = out / build_name / "digest" / "digest.pdf"
    sources, settings_ = BUILDS[build_name]
    options = Options(**{k: v for k, v in settings_.items() if k != "digest"})
    starts = chapter_starts(digest)
    assert len(starts) == len(sources)
    drawn = draw(engine, digest, tmp_path / "digest")
    for title, first in starts:
        source = next(p for p in sources if read_article(p, Report(), options).meta.title == title)
        handout = out / build_name / source.stem / f"{source.stem}.pdf"
        own = draw(engine, handout, tmp_path / source.stem)
        for n, page in enumerate(own):
            mine, theirs = masked(page, options, 841.89), masked(drawn[first - 1 + n], options, 841.89)
            assert mine.size == theirs.size
            differing = (
                ImageChops.difference(mine, theirs).point(lambda v: 255 if v > 40 else 0).histogram()[255]
            )
            assert differing <= mine.width * mine.height / 1000, (engine, source.name, n + 1, differing)


def test_one_warning_per_character_no_font_has_under_its_own_article(built):
    out, warnings = built
    for name in ("a4", "tagged", "hant"):
        about_rare = [w for w in warnings[name] if f"U+{ord(RARE):04X}" in w]
        assert len(about_rare) == 1, (name, about_rare)
        assert about_rare[0].startswith(f"{GLYPHS}: warning: "), about_rare
        # WeasyPrint's own line: the two characters share one code in the CJK font
        said = [w for w in warnings[name] if "WeasyPrint" in w]
        assert all(w.startswith(f"{GLYPHS}: warning: WeasyPrint: Too many glyphs missing") for w in said), (
            said
        )
    name = [w for w in warnings["a4"] if "U+31352" in w]  # the digest's name's
    assert len(name) == 1 and name[0].startswith(f"{out / 'a4' / 'digest' / 'digest.pdf'}: warning: "), name


def marked_text(pdf: pikepdf.Pdf) -> list[tuple[int, str | None, str]]:
    """(page from 1, MCID or "Artifact" or None when outside any marked content, text) of
    every string a content stream shows, and the form XObjects it draws (the page footer
    is one, placed inside an artifact)."""
    shown: list[tuple[int, str | None, str]] = []
    for number, page in enumerate(pdf.pages, start=1):
        _marked(page, page.obj.Resources, number, [], shown)
    return shown


def _marked(content, resources, number: int, stack: list[str | None], shown: list) -> None:
    fonts = resources.get("/Font", pikepdf.Dictionary())
    forms = resources.get("/XObject", pikepdf.Dictionary())
    font = None
    for operands, operator in pikepdf.parse_content_stream(content, "BDC BMC EMC Tf Tj TJ Do"):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = (
                operands[1].get("/MCID")
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                else None
            )
            stack.append(
                "Artifact"
                if tag == "/Artifact"
                else (str(mcid) if mcid is not None else (stack or [None])[-1])
            )
        elif op == "EMC":
            stack.pop()
        elif op == "Tf":
            font = Font(fonts[str(operands[0])])
        elif op == "Do":
            form = forms.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == "/Form":
                _marked(form, form.get("/Resources", resources), number, stack, shown)
        elif font is not None:
            items = list(operands[0]) if op == "TJ" else [operands[0]]
            codes = [c for item in items if isinstance(item, pikepdf.String) for c in font.codes(bytes(item))]
            text = "".join(font.text.get(code, "") for code in codes)
            inside = next((tag for tag in reversed(stack) if tag is not None), None)
            shown.append((number, inside, text))


def test_tagged_pdfs_tag_english_as_english_and_margins_as_artifacts(built):
    out, _ = built
    for name in ("tagged/glyphs/glyphs.pdf", "tagged/digest/digest.pdf"):
        with pikepdf.open(out / name) as pdf:
            assert pdf.Root.Lang == "zh-Hans" and pdf.open_metadata().get("pdfuaid:part") == "1"
            root = pdf.Root.StructTreeRoot
            tree = {}
            for key, value in zip(*[iter(root.ParentTree.Nums)] * 2, strict=True):
                if isinstance(value, pikepdf.Array):
                    tree[int(key)] = value
            shown = marked_text(pdf)
            assert all(inside is not None for _, inside, _ in shown), [s for s in shown if s[1] is None][:5]
            heads = [text for _, inside, text in shown if inside == "Artifact" and text.strip()]
            assert any("/" in text and text.replace(" ", "").replace("/", "").isdigit() for text in heads)
            assert any(text.startswith("字形测试") for text in heads), heads[:10]  # the running title

            def language(page: int, mcid: int, tree: dict = tree) -> str:
                element = tree[page - 1][mcid]
                while element is not None and "/Lang" not in element:
                    element = element.get("/P")
                return str(element.Lang) if element is not None else str(pdf.Root.Lang)

            english = [
                (page, inside)
                for page, inside, text in shown
                if inside not in (None, "Artifact") and "Inline code in a" in text
            ]
            assert english and all(language(page, int(mcid)) == "en" for page, mcid in english)
            chinese = [
                (page, inside)
                for page, inside, text in shown
                if inside not in (None, "Artifact") and "句子里的行内代码" in text
            ]
            assert chinese and all(language(page, int(mcid)) == "zh-Hans" for page, mcid in chinese)


def test_check_verifies_the_digest_with_its_glyphs(built):
    out, _ = built
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["check", str(out / "a4"), "--no-reading"], stdout=stdout, stderr=stderr)
    assert code == 0, stderr.getvalue()
    report = stdout.getvalue()
    assert f"digest of {len(CORPUS)} article(s)" in report and "skipped" not in report
    assert f"every paragraph of {len(CORPUS)} articles, in order" in report
    assert report.count("PDF glyphs") == len(CORPUS) + 1


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(sources=st.lists(article_source(image="img/chart.png"), min_size=2, max_size=3))
def test_generated_articles_print_every_glyph_in_every_engine(tmp_path_factory, sources):
    folder = tmp_path_factory.mktemp("generated")
    shutil.copytree(RICH_SOURCE.parent / "img", folder / "img")
    paths = []
    for n, source in enumerate(sources, start=1):
        path = folder / f"g{n}.md"
        path.write_text(source.replace("date: 2026-06-09", f"date: 2026-06-0{n}"), encoding="utf-8")
        paths.append(path)
    out = folder / "out"
    result = build(paths, Options(output=out, formats=("pdf",), digest="D", jobs=2), Report())
    assert result.ok, [str(e) for e in result.errors]
    allowed = {ch for path in paths for ch in unshown(read_article(path, Report()).all_text(), Options())}
    for pdf in sorted(out.glob("*/*.pdf")):
        assert [str(p) for p in glyph_problems(pdf.read_bytes(), allowed)] == [], pdf.name
        for engine in engines():
            draw(engine, pdf, folder / "drawn" / pdf.stem / engine, dpi=20)
