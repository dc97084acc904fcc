"""The PDF handout, and with --imposition the copy shop's booklet or two pages a sheet."""

from ..edition import ALL_FONTS, Edition

EDITION = Edition(
    "pdf",
    "briefpress.editions.pdf",
    ("{slug}.pdf", "{slug}.booklet.pdf", "{slug}.2up.pdf"),  # the last two with --imposition
    default=True,
    help="the printed handout",
    fonts=ALL_FONTS,  # its stylesheet's, and the page numbers' (the Latin serif)
    links=(("{slug}.pdf", "PDF"), ("{slug}.booklet.pdf", "booklet")),
    checks=(("{slug}.pdf", "pdf"), ("{slug}.2up.pdf", "imposed"), ("{slug}.booklet.pdf", "imposed")),
    printed=True,
)
