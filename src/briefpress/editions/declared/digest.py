"""The digest: several articles in one page, one PDF, one EPUB and one mail, built with --digest."""

from ..edition import Edition

EDITION = Edition(
    "digest",
    "briefpress.editions.digest",
    # each named as an article edition's file, and made in that edition (the mail: "newsletter")
    (
        "{slug}.html",
        "{slug}.pdf",
        "{slug}.epub",
        "{slug}.newsletter.html",
        "{slug}.newsletter.txt",
        "{slug}.eml",
    ),
    needs=("pdf", "epub"),  # the articles' chapters, laid out as for their handouts
    several=True,
    links=(("{slug}.html", "HTML"), ("{slug}.pdf", "PDF"), ("{slug}.epub", "EPUB")),
    checks=(("{slug}.pdf", "pdf"), ("{slug}.epub", "epub"), ("{slug}.html", "page")),
)
