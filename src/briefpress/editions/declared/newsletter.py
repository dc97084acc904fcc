"""The brief as an email, the handout attached."""

from ..edition import Edition

EDITION = Edition(
    "newsletter",
    "briefpress.editions.newsletter",
    ("{slug}.newsletter.html", "{slug}.newsletter.txt", "{slug}.eml"),
    needs=("pdf",),
    help="the brief as an email, the handout attached",
    links=(("{slug}.newsletter.html", "mail"),),
    links_to=("html",),  # "read on the web", with --web-url: never to a page not built
)
