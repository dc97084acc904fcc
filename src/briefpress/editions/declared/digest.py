"""The digest: several articles in one page, one PDF and one EPUB, built with --digest."""

from ..edition import Edition

EDITION = Edition(
    "digest",
    "briefpress.editions.digest",
    ("{slug}.html", "{slug}.pdf", "{slug}.epub"),
    needs=("pdf", "epub"),  # the articles' chapters, laid out as for their handouts
    several=True,
    links=(("{slug}.html", "HTML"), ("{slug}.pdf", "PDF"), ("{slug}.epub", "EPUB")),
    checks=(("{slug}.pdf", "pdf"), ("{slug}.epub", "epub"), ("{slug}.html", "page")),
)
