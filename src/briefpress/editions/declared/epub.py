"""The EPUB e-book."""

from ..edition import COVER_FONTS, Edition

EDITION = Edition(
    "epub",
    "briefpress.editions.epub",
    ("{slug}.epub",),
    default=True,
    help="the e-book",
    fonts=COVER_FONTS,
    names_fonts=("mono_font",),  # its stacks put the reader's own fonts first
    links=(("{slug}.epub", "EPUB"),),
    checks=(("{slug}.epub", "epub"),),
    markup="xhtml",
    reuses=(("pdf", "A4"),),  # its page-list is the A4 handout's (editions/pagelist.py)
)
