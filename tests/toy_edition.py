"""A toy edition for tests/test_editions.py: the article as plain text, ``{slug}.txt``.

All of it: the declaration, the renderer (this module: ``renderer=None``) and the check
``briefpress check`` runs on its file. Registered by one line (``editions.register``)."""

from __future__ import annotations

from briefpress.editions.edition import Edition


def render(article, options, report) -> bytes:
    return f"{article.meta.title}\n\n{article.all_text()}\n".encode()


def check(path, articles, options):
    from briefpress.reading import Finding

    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return [Finding("text", first == articles[0].meta.title, f"starts with {first!r}")]


EDITION = Edition(
    "text",
    None,
    ("{slug}.txt",),
    help="the article as plain text",
    links=(("{slug}.txt", "text"),),
    checks=(("{slug}.txt", check),),
)
