"""The README's pictures: the reading page on a phone and a desktop, in Debian's Chromium,
and page 2 of the example's A4 handout, drawn by poppler's pdftoppm.

make screenshots      # writes docs/page-phone.png, docs/page-desktop.png, docs/handout-page.png
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from briefpress import reading
from briefpress.build.steps import build
from briefpress.errors import Report
from briefpress.options import Options

ROOT = Path(__file__).resolve().parents[1]
SHOTS = {
    "page-phone.png": (390, 844, "?view=all"),
    "page-desktop.png": (1280, 800, "?view=bilingual"),
}
#: the handout's page shown (the first of the bilingual pages) and its resolution
HANDOUT_PAGE, HANDOUT_DPI = 2, 80


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        result = build([ROOT / "examples"], Options(output=out, formats=("html", "pdf")), Report())
        if not result.ok:
            print(*result.errors, sep="\n", file=sys.stderr)
            return 1
        with reading.Browser() as browser, reading.serve(out / "openai-third-phase") as base:
            for name, (width, height, query) in SHOTS.items():
                with browser.page(
                    f"{base}/openai-third-phase.html{query}", width=width, height=height
                ) as page:
                    picture = Image.open(io.BytesIO(page.screenshot()))
                # a small palette: a few tens of KB in the repository, not hundreds
                save(picture, name)
        handout(out / "openai-third-phase" / "openai-third-phase.pdf")
    return 0


def save(picture: Image.Image, name: str) -> None:
    # a small palette: a few tens of KB in the repository, not hundreds
    picture.convert("RGB").quantize(colors=64).save(ROOT / "docs" / name, optimize=True)
    print(f"wrote docs/{name}")


def handout(pdf: Path) -> None:
    """A page of the handout as the printer will put it on paper."""
    page = str(HANDOUT_PAGE)
    drawn = subprocess.run(
        ["pdftoppm", "-f", page, "-l", page, "-r", str(HANDOUT_DPI), "-png", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    save(Image.open(io.BytesIO(drawn)), "handout-page.png")


if __name__ == "__main__":
    sys.exit(main())
