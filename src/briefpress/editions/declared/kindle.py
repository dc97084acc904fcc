"""The EPUB mailed to a Send-to-Kindle address."""

from ..edition import Edition

EDITION = Edition(
    "kindle",
    "briefpress.editions.kindle",
    ("{slug}.kindle.eml",),
    needs=("epub",),
    help="the EPUB mailed to a Send-to-Kindle address",
)
