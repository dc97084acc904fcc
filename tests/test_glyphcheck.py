"""The glyph check on small PDFs made here: it finds what it is for, and the CMaps it reads."""

from __future__ import annotations

import io

import pikepdf

from briefpress.check.glyphs import glyph_problems
from briefpress.editions.pdfcmap import read_cid_map, read_to_unicode, write_cid_map, write_to_unicode
from briefpress.options import Options
from simplefont import add_font


def one_page(text: bytes, fonts: int = 1) -> bytes:
    """A page that shows ``text`` in a simple font (digits, space and slash only)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    names = [
        page.add_resource(add_font(pdf, Options().latin_font), pikepdf.Name.Font, pikepdf.Name(f"/F{n}"))
        for n in range(fonts)
    ]
    shows = b" ".join(b"BT %s 12 Tf 10 10 Td (%s) Tj ET" % (str(name).encode(), text) for name in names)
    page.contents_add(pdf.make_stream(shows))
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def test_a_glyph_the_program_lacks_is_found():
    assert glyph_problems(one_page(b"12 / 34")) == []
    problems = [str(p) for p in glyph_problems(one_page(b"12A"))]
    assert len(problems) == 1 and "1 glyph(s) absent from the program: 0041" in problems[0]


def test_two_programs_under_one_name_are_found():
    data = one_page(b"1", fonts=2)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = list(pdf.pages[0].Resources.Font.values())
        program = fonts[1].FontDescriptor.FontFile2
        fonts[1].FontDescriptor = pikepdf.Dictionary(fonts[1].FontDescriptor)  # its own descriptor
        fonts[1].FontDescriptor.FontFile2 = pdf.make_stream(program.read_bytes() + b"\0\0\0\0")
        output = io.BytesIO()
        pdf.save(output)
    problems = [str(p) for p in glyph_problems(output.getvalue())]
    assert any("2 different font programs share this name" in p for p in problems)


def test_cmaps_read_what_they_write():
    codes = {3: 3, 0xFFFF: 0, 0x4E00: 0x4E00}
    assert read_cid_map(write_cid_map(codes, "X")) == codes
    text = {3: " ", 0x4E00: "一", 0xFFFF: "\U00031350", 7: "ﬃ"}
    assert read_to_unicode(write_to_unicode(text)) == text
    ranges = (
        b"1 beginbfrange <0010> <0012> <0041> endbfrange 1 beginbfrange <20> <21> [<0062> <0063>] endbfrange"
    )
    assert read_to_unicode(ranges) == {0x10: "A", 0x11: "B", 0x12: "C", 0x20: "b", 0x21: "c"}
