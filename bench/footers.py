"""The CPU cost of the page footer, per page: a chapter numbered (the handout's last step,
:func:`briefpress.editions.pagenumbers.number`) against the chapter laid out once.

Lays out the example article's chapter once (A4, and with ``--duplex``), repeats it to 8,
32 and 128 pages with pikepdf, numbers each ``ROUNDS`` times (without a cache, and with
the folio document of that length cached) and prints CPU time per document and per
page (``time.process_time``: this process, so a busy machine does not count).
Run: .venv/bin/python bench/footers.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pikepdf

from briefpress.editions import pagenumbers
from briefpress.editions.pdf import chapter
from briefpress.editions.pdfdoc import opened, save
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.sources import read_article

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5


def repeated(data: bytes, count: int) -> bytes:
    """``data``'s pages repeated to ``count`` pages."""
    with opened(data) as source:
        out = pikepdf.new()
        while len(out.pages) < count:
            out.pages.extend(source.pages[: count - len(out.pages)])
        return save(out)


def main() -> None:
    for flags in ({}, {"duplex": True}):
        options = Options().replace(**flags)
        article = read_article(ROOT / "examples" / "openai-third-phase.md", Report(), options)
        laid_out = chapter(article, options, Report())
        for cached in (False, True):  # cached: a folio document of that length is in the cache
            with tempfile.TemporaryDirectory() as folder:
                os.environ["BRIEFPRESS_CACHE"] = folder if cached else "off"
                pagenumbers.number(laid_out, options)  # warm: fonts, templates
                for pages in (8, 32, 128):
                    data = repeated(laid_out, pages)
                    pagenumbers.number(data, options)  # the folio of that length, when cached
                    start = time.process_time()
                    for _ in range(ROUNDS):
                        pagenumbers.number(data, options)
                    spent = (time.process_time() - start) / ROUNDS
                    label = ("duplex" if flags else "A4") + (" cached" if cached else "")
                    ms = spent * 1000
                    print(f"{label:13} {pages:4} pages: {ms:7.1f} ms, {ms / pages:5.2f} ms/page")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
