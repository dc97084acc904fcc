"""Compacting CID-keyed CFF fonts keeps every used glyph under its CID."""

from __future__ import annotations

import io

import pypdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from briefpress.editions import pdf
from briefpress.editions.pdffonts import compact_cff
from briefpress.options import Options
from briefpress.sources import read_article
from conftest import EXAMPLE

pytestmark = pytest.mark.slow  # WeasyPrint layouts, EPUBCheck or browsers


def embedded_fonts(data: bytes) -> dict[str, tuple[str, bytes]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" not in font:
                continue  # the simple font of the stamped page numbers
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
            stream = descriptor[key].get_object()
            fonts[font["/BaseFont"]] = (stream.get("/Subtype"), stream.get_data())
    return fonts


def test_glyphs_keep_their_cids(report, monkeypatch):
    monkeypatch.setenv("BRIEFPRESS_CACHE", "off")  # lay the chapter out twice
    article = read_article(EXAMPLE, report)
    compacted = embedded_fonts(pdf.render(article, Options(), report))
    monkeypatch.setattr(pdf, "compact_cid_fonts", lambda document, pdf_: None)
    original = embedded_fonts(pdf.render(article, Options(), report))
    cjk = [name for name in original if "CJK" in name]
    assert len(cjk) >= 2
    for name in cjk:
        subtype, data = original[name]
        assert subtype == "/OpenType"
        assert compacted[name][0] == "/CIDFontType0C"
        assert compact_cff(data) == compacted[name][1]
        before = TTFont(io.BytesIO(data))["CFF "].cff.topDictIndex[0].CharStrings
        after_set = CFFFontSet()
        after_set.decompile(io.BytesIO(compacted[name][1]), None)
        after = after_set.topDictIndex[0].CharStrings
        used = [g for g in after.keys() if g != ".notdef"]  # noqa: SIM118 (not a dict)
        assert len(used) > 20
        for glyph in used:
            assert after[glyph].bytecode == before[glyph].bytecode, glyph
        assert len(compacted[name][1]) < len(data) / 3
    for name in set(original) - set(cjk):  # TrueType Latin fonts are left alone
        assert original[name] == compacted[name]
