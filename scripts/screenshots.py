"""The README's pictures of the reading page: a phone and a desktop, in Debian's Chromium.

make screenshots      # writes docs/page-phone.png and docs/page-desktop.png
"""

from __future__ import annotations

import io
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


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        result = build([ROOT / "examples"], Options(output=out, formats=("html",)), Report())
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
                picture.convert("RGB").quantize(colors=64).save(ROOT / "docs" / name, optimize=True)
                print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
