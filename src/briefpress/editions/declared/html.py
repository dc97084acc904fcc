"""The HTML edition: one self-contained page per article."""

from ..edition import ALL_FONTS, Edition

EDITION = Edition(
    "html",
    "briefpress.editions.html",
    ("{slug}.html",),
    default=True,
    help="one self-contained page",
    names_fonts=ALL_FONTS,
    links=(("{slug}.html", "HTML"),),
    checks=(("{slug}.html", "page"),),
)
