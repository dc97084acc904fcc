"""The EPUB for Kobo readers."""

from ..edition import COVER_FONTS, Edition

EDITION = Edition(
    "kepub",
    "briefpress.editions.kepub",
    ("{slug}.kepub.epub",),
    help="the EPUB for Kobo readers (kepub)",
    fonts=COVER_FONTS,  # and its embedded subset
    names_fonts=("mono_font",),
    links=(("{slug}.kepub.epub", "Kobo"),),
    reuses=(("pdf", "A4"),),  # the EPUB's page-list, the A4 handout's pages
)
