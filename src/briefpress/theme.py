"""``briefpress theme init DIR``: a theme folder to start from, a copy of the built-in files.

A theme (``--theme DIR`` or ``theme = "DIR"`` in ``briefpress.toml``) is a folder with
``styles/`` and ``templates/``; a file there overrides the built-in file of the same name
(see :func:`briefpress.render.read_style` and :func:`briefpress.render.environment`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import BuildError
from .render import BUILTIN, resource_dir

#: what each built-in file shapes, for the theme's README (a test checks that every
#: shipped file is listed)
SHAPES = {
    "styles/base.css": "the HTML page and the PDF handout: type, colours, blocks (shared)",
    "styles/screen.css": "the HTML page in a browser: width, views, dark mode, phone sizes",
    "styles/print.css": "the PDF handout: footnotes, pairs, notes, prompts' ruled lines",
    "styles/print-justify.css": "the PDF handout: which Chinese blocks are justified",
    "styles/epub.css": "the EPUB (and the Kindle and Kobo books made from it)",
    "styles/newsletter.css": "the newsletter mail (inlined into its HTML)",
    "styles/digest-newsletter.css": "the digest's mail, after newsletter.css",
    "styles/digest.css": "a digest's PDF: its cover and contents pages",
    "styles/digest-page.css": "a digest's HTML page",
    "styles/index.css": "the output folder's index.html",
    "templates/article.html.j2": "the HTML page and the PDF handout: the article's structure",
    "templates/macros.html.j2": "pieces shared by the page, the handout, the digest and the EPUB",
    "templates/reading.html.j2": "the HTML page's reading controls (views, contents)",
    "templates/reading.js": "the HTML page's one small script",
    "templates/fonts.css.j2": "font stacks of the page and the handout (from the font options)",
    "templates/page.css.j2": "every PDF's page: paper, margins, the running title and the footer (n / N)",
    "templates/digest.html.j2": "a digest's PDF",
    "templates/digest_page.html.j2": "a digest's HTML page",
    "templates/index.html.j2": "the output folder's index.html",
    "templates/newsletter.html.j2": "the newsletter mail's HTML",
    "templates/digest_newsletter.html.j2": "the digest's mail's HTML",
    "templates/epub/chapter.xhtml.j2": "each EPUB chapter",
    "templates/epub/nav.xhtml.j2": "the EPUB's contents and landmarks",
    "templates/epub/cover.xhtml.j2": "the EPUB's cover page (the cover image is drawn by briefpress)",
    "templates/epub/fonts.css.j2": "the EPUB's font stacks and the embedded font",
}


def builtin_files() -> list[str]:
    """Every shipped style and template, as ``styles/…`` and ``templates/…``."""
    found = []
    for folder in ("styles", "templates"):
        root = resource_dir(folder)
        found += [
            f"{folder}/{p.relative_to(root).as_posix()}" for p in sorted(root.rglob("*")) if p.is_file()
        ]
    return [name for name in found if "__pycache__" not in name]


def readme(folder: str) -> str:
    rows = "\n".join(f"| `{name}` | {SHAPES.get(name, '')} |" for name in builtin_files())
    return f"""# A briefpress theme

Build with it: `briefpress build SRC --theme {folder}`, or put
`theme = "{folder}"` in `briefpress.toml`. `briefpress serve` reloads the page when
a file here changes.

A file in `styles/` or `templates/` overrides the built-in file of the same name; the
others stay built-in. Delete what you do not change, so that a newer briefpress's
fixes reach you. A template may extend the built-in one it replaces:
`{{% extends "{BUILTIN}/article.html.j2" %}}`.

A theme is data, not code:

- Templates run in Jinja2's sandbox and see only the values briefpress passes them
  (`c`, `options`, `ui` and the like): no attribute that starts with `_`, no method
  that changes a value, no file, module or process. A template that tries stops the
  build with its file and line.
- Every file used here must be a regular file inside this folder once links are
  resolved; a link out of it (to a key, or a `templates/` linked to `/`) stops the build.
- A stylesheet may name, with a relative `url(...)`, only images and fonts inside this
  folder (at most 4 MB each); they are carried inside every edition. `@import`, remote
  and absolute URLs are refused with the file and line: the page, the EPUB and the mail
  stay self-contained and fetch nothing when opened.

The page footer (`n / N`) and the running title of every PDF — the handout, the
booklet and 2-up, the digest — are in one place, `templates/page.css.j2`: to change
them, override its block `footer` or `running_title`, keeping the rest built-in:

```
{{% extends "{BUILTIN}/page.css.j2" %}}
{{% block footer %}}
@page {{ @bottom-right {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
  font-family: "{{{{ options.cjk_font }}}}", serif; font-size: 9pt; color: #a2461f; }} }}
{{% endblock %}}
```

The footer is CSS margin boxes of `@page`; only they are drawn (on blank pages laid
out after the document is whole, so `counter(pages)` is the document's page count).

| file | shapes |
| --- | --- |
{rows}
"""


def init_theme(folder: Path) -> list[Path]:
    """Copy the built-in styles and templates into ``folder`` (new or empty), with a README.

    All or nothing: the theme is made in a temporary folder beside ``folder`` and renamed
    into place."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildError("is not an empty folder; name a new one for the theme", folder)
    names = [*builtin_files(), "README.md"]
    temp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name[:80]}."))
        for name in names[:-1]:
            top, rest = name.split("/", 1)
            (temp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(resource_dir(top) / rest, temp / name)
        (temp / "README.md").write_text(readme(str(folder)), encoding="utf-8")
        temp.chmod(0o755)
        os.replace(temp, folder)
    except OSError as exc:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
        raise BuildError(f"cannot write the theme: {exc.strerror or exc}", folder) from None
    return [folder / name for name in names]
