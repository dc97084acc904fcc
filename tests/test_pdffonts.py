"""The PDFs' fonts: every glyph a page draws is in the program embedded for it.

Compacted CJK fonts keep every glyph drawn (the empty space of the monospace face too);
every program is named by its content; a digest merges the subsets of a face only where
they agree. Each rule is shown failing the glyph check when it is broken.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from briefpress.check.glyphs import glyph_problems
from briefpress.editions import digest, pdf, pdffonts
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE, RICH_SOURCE, ROOT

pytestmark = pytest.mark.slow  # WeasyPrint layouts

GLYPHS = ROOT / "tests" / "articles" / "glyphs" / "glyphs.md"
RARE, EMOJI = "\U00031350", "\U0001f600"  # in no installed font
#: the space of Noto Sans Mono CJK SC: drawn in every code block, and without an outline
MONO_SPACE = 63164


def raw_and_finished(source, monkeypatch, options=None) -> tuple[bytes, bytes]:
    """The article's chapter as WeasyPrint wrote it, and as briefpress finishes it."""
    monkeypatch.setenv("BRIEFPRESS_CACHE", "off")
    article = read_article(source, Report())
    options = options or Options()
    finished = pdf.chapter(article, options, Report())
    with monkeypatch.context() as patch:
        patch.setattr(pdf, "finish", lambda data, options: data)
        raw = pdf.chapter(article, options, Report())
    return raw, finished


def cff_programs(data: bytes) -> dict[str, tuple[str, bytes]]:
    """Face (without the subset tag) -> (program subtype, program) of each CID CFF font."""
    with pikepdf.open(io.BytesIO(data)) as document:
        found = {}
        for font in pdffonts.fonts(document):
            if font.get("/Subtype") != "/Type0":
                continue
            descriptor = font.DescendantFonts[0].FontDescriptor
            if "/FontFile3" in descriptor:
                face = str(font.BaseFont).split("+", 1)[1]
                found[face] = (str(descriptor.FontFile3.Subtype), descriptor.FontFile3.read_bytes())
        return found


def charstrings(subtype: str, data: bytes) -> dict[str, bytes]:
    if subtype == "/OpenType":
        cff = TTFont(io.BytesIO(data))["CFF "].cff
    else:
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
    top = cff.topDictIndex[0]
    return {name: top.CharStrings.charStringsIndex[gid].bytecode for gid, name in enumerate(top.charset)}


def test_compacted_fonts_keep_every_glyph_drawn_with_its_cid_and_charstring(monkeypatch):
    raw, finished = raw_and_finished(RICH_SOURCE, monkeypatch)
    assert glyph_problems(raw) == []
    assert glyph_problems(finished) == []
    before, after = cff_programs(raw), cff_programs(finished)
    assert "Noto-Sans-Mono-CJK-SC" in after and len(after) >= 3
    for face, (subtype, data) in after.items():
        assert subtype == "/CIDFontType0C" and before[face][0] == "/OpenType"
        kept, original = charstrings(subtype, data), charstrings(*before[face])
        assert all(kept[name] == original[name] for name in kept), face
        assert len(data) < len(before[face][1]) / 3
    # the monospace space is drawn, has no outline, and is kept
    space = f"cid{MONO_SPACE:05d}"
    assert len(charstrings(*after["Noto-Sans-Mono-CJK-SC"])[space]) <= 2


def test_a_compaction_that_guesses_the_glyphs_from_their_outlines_fails_the_check(monkeypatch):
    """What briefpress did before: keep only non-empty charstrings. The space goes."""
    raw, _ = raw_and_finished(RICH_SOURCE, monkeypatch)
    with pikepdf.open(io.BytesIO(raw)) as document:
        for font in pdffonts.fonts(document):
            descriptor = font.get("/DescendantFonts", [font])[0].get("/FontDescriptor")
            if descriptor is None or "/FontFile3" not in descriptor:
                continue
            program = descriptor.FontFile3
            strings = charstrings("/OpenType", program.read_bytes())
            drawn = {0} | {
                int(name[3:]) for name, code in strings.items() if len(code) > 1 and name != ".notdef"
            }
            program.write(pdffonts.compact_cff(program.read_bytes(), drawn))
            program.Subtype = pikepdf.Name.CIDFontType0C
        output = io.BytesIO()
        document.save(output)
    problems = [str(p) for p in glyph_problems(output.getvalue())]
    assert any(
        "Noto-Sans-Mono-CJK-SC" in p and f"{MONO_SPACE:04x} ' '" in p and "absent" in p for p in problems
    )


def test_every_program_is_named_by_its_content():
    options = Options(digest="D")
    articles = [read_article(path, Report()) for path in (EXAMPLE, RICH_SOURCE)]
    merged = digest.render_pdf("D", articles, options, Report())
    assert glyph_problems(merged) == []
    with pikepdf.open(io.BytesIO(merged)) as document:
        names: dict[str, set[bytes]] = {}
        for font in pdffonts.fonts(document):
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            program = next(descriptor[k] for k in ("/FontFile2", "/FontFile3") if k in descriptor)
            tag, face = str(font.BaseFont)[1:].split("+", 1)
            assert tag == pdffonts.content_tag(program.read_bytes())
            assert str(descriptor.FontName) == str(font.BaseFont) == str(descendant.BaseFont)
            names.setdefault(str(font.BaseFont), set()).add(program.read_bytes())
        assert all(len(programs) == 1 for programs in names.values())
        cjk = [name.split("+")[1] for name in names if "CJK" in name]
        assert len(cjk) == len(set(cjk))  # the chapters' subsets of each CJK face, merged


def test_subsets_that_disagree_are_not_merged(monkeypatch):
    """A chapter whose subset of a face gives one shared CID another width keeps its own font."""
    options = Options()
    chapters = [
        pdf.chapter(read_article(path, Report()), options, Report()) for path in (EXAMPLE, RICH_SOURCE)
    ]
    with pikepdf.open(io.BytesIO(chapters[1])) as document:
        for font in pdffonts.fonts(document):
            if "Noto-Serif-CJK-SC" in str(font.BaseFont) and "Bold" not in str(font.BaseFont):
                widths = font.DescendantFonts[0].W
                for run in range(1, len(widths), 2):
                    widths[run] = pikepdf.Array([w + 7 for w in widths[run]])
        output = io.BytesIO()
        document.save(output)
    changed = output.getvalue()
    from briefpress.editions.pdfmerge import Info, assemble, chapters_of, merge

    front = chapters[0]  # any laid-out pages will do as the front matter here
    info = Info("D", "A", "S", "", "zh-Hans", b"0" * 16)
    merged = merge(front, assemble(chapters_of([("a", chapters[0]), ("b", changed)])), options, info)
    assert glyph_problems(merged) == []
    faces = [face for face in _faces(merged) if face == "Noto-Serif-CJK-SC"]
    assert len(faces) == 2  # the example's (front and chapter, merged) and the changed one
    assert _faces(merged).count("Noto-Sans-CJK-SC-Bold") == 1


def _faces(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as document:
        used = {
            font.objgen: str(font.BaseFont).split("+", 1)[1]
            for table in pdffonts.resource_dictionaries(document)
            for font in table.values()
        }
    return sorted(used.values())


@pytest.mark.parametrize("order", ["date-desc", "date-asc"])
def test_a_digest_with_a_chapter_holding_a_character_no_font_has_prints_every_glyph(order):
    """That chapter's CJK font maps a code to .notdef (the character no font has): a merged
    font must keep that, and draw every other chapter's glyphs. (briefpress used to copy
    one chapter's encoding onto the merged font: with the chapters oldest first, the
    example's chapter printed boxes for nearly every Chinese glyph.)"""
    options = Options(digest="D")
    articles = digest.order_articles([read_article(path, Report()) for path in (EXAMPLE, GLYPHS)], order)
    merged = digest.render_pdf("D", articles, options, Report())
    assert glyph_problems(merged, {RARE, "\U00031351", EMOJI}) == []
    with pikepdf.open(io.BytesIO(merged)) as document:
        encodings = [
            font.Encoding
            for font in pdffonts.fonts(document)
            if str(font.BaseFont).endswith("+Noto-Serif-CJK-SC")
        ]
    # merged where the chapters agree, apart where they cannot (.notdef drawn at another width)
    assert 1 <= len(encodings) <= 2 and any(isinstance(e, pikepdf.Stream) for e in encodings)
