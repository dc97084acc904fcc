"""Benchmark briefpress against itself and against headless Chromium, in one run.

Makes a reproducible synthetic corpus from the example (1, 30 and 100 articles, text
varied per article), then measures: a cold single-article build of all editions; 100
articles with --jobs = CPUs; a no-change rebuild of those 100; a 30-article digest PDF;
and Chromium printing the same HTML to PDF. Prints a Markdown table. Run: make bench
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from briefpress.reading.browser import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "openai-third-phase.md"
BIN = Path(sys.executable).parent
# the reading checks' flags (no sandbox as root, no network chatter), printing headless
CHROMIUM_FLAGS = ["--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer"]


def make_corpus(folder: Path, count: int) -> list[Path]:
    """``count`` articles from the example: dates, titles and pair order vary per article."""
    text = EXAMPLE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    original = re.search(r"# 原文\n\n(.*?)\n\n# 译文", body, re.S)[1]
    translation = re.search(r"# 译文\n\n(.*?)\n\n# 讨论归档", body, re.S)[1]

    def split(section: str) -> tuple[list[str], list[str]]:
        blocks = section.split("\n\n")
        return [b for b in blocks if not b.startswith("[^")], [b for b in blocks if b.startswith("[^")]

    (en, en_notes), (zh, zh_notes) = split(original), split(translation)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        rng = random.Random(n)
        order = list(range(len(en)))
        rng.shuffle(order)
        keep = sorted(order[: len(order) - rng.randint(0, 4)])
        if not any("[^1]" in en[i] for i in keep):
            keep = sorted([*keep, next(i for i, b in enumerate(en) if "[^1]" in b)])
        date = dt.date(2026, 1, 1) + dt.timedelta(days=n)
        head = re.sub(r"^title: (.*)$", rf"title: \1(样本 {n})", front, flags=re.M)
        head = re.sub(r"^date: .*$", f"date: {date.isoformat()}", head, flags=re.M)
        pairs_en = [en[i] + (f" (Sample {n}.)" if k == 0 else "") for k, i in enumerate(keep)]
        pairs_zh = [zh[i] + (f"(样本 {n}。)" if k == 0 else "") for k, i in enumerate(keep)]
        source = (
            head
            + "\n---\n"
            + body.split("# 原文")[0]
            + "# 原文\n\n"
            + "\n\n".join(pairs_en + en_notes)
            + "\n\n"
            + "# 译文\n\n"
            + "\n\n".join(pairs_zh + zh_notes)
            + "\n\n# 讨论归档\n"
        )
        path = folder / f"bench-{n:03d}.md"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command, from GNU time."""
    report = Path(tempfile.mktemp(suffix=".time"))
    subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%e %M", *command],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall, rss = report.read_text().split()[-2:]
    report.unlink()
    return float(wall), int(rss) / 1024


def briefpress(*args: str) -> list[str]:
    return [str(BIN / "briefpress"), *args, "-q"]


def print_html(articles: list[Path], target: Path, digest: bool) -> None:
    """The HTML that briefpress gives WeasyPrint, written out for Chromium."""
    program = f"""
from pathlib import Path
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.sources import read_article
from briefpress.editions.pdf import handout_html
from briefpress.editions.digest import digest_html
articles = [read_article(Path(p), Report()) for p in {[str(p) for p in articles]!r}]
html = digest_html("Digest", articles, Options()) if {digest!r} else handout_html(articles[0], Options())
Path({str(target)!r}).write_text(html, encoding="utf-8")
"""
    subprocess.run([sys.executable, "-c", program], check=True)


def digest_only(articles: list[Path], target: Path) -> list[str]:
    program = f"""
from pathlib import Path
from briefpress.errors import Report
from briefpress.options import Options
from briefpress.sources import read_article
from briefpress import digest
articles = [read_article(Path(p), Report()) for p in {[str(p) for p in articles]!r}]
data = digest.render_pdf("Digest", digest.order_articles(articles, "date-desc"), Options(), Report())
Path({str(target)!r}).write_bytes(data)
"""
    return [sys.executable, "-c", program]


def median_of(runs: int, make_command, prepare=None) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        if prepare:
            prepare()
        results.append(timed(make_command()))
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> int:
    cpus = os.cpu_count() or 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    work = Path(tempfile.mkdtemp(prefix="briefpress-bench-"))
    corpus = make_corpus(work / "corpus", 100)
    one, thirty = corpus[:1], corpus[:30]
    rows = []

    out1 = work / "out1"
    wall, rss = median_of(3, lambda: briefpress("build", str(one[0]), "-o", str(out1), "--force"))
    rows.append(("cold build, 1 article, html+pdf+epub", wall, rss, "s"))
    single = wall

    out100 = work / "out100"
    wall, rss = timed(briefpress("build", str(work / "corpus"), "-o", str(out100), "--jobs", str(cpus)))
    rows.append((f"100 articles, --jobs {cpus}: {100 / wall:.2f} articles/s", wall, rss, "s"))
    cold100 = wall
    wall, rss = timed(briefpress("build", str(work / "corpus"), "-o", str(out100), "--jobs", str(cpus)))
    rows.append((f"no-change rebuild of 100: {wall / cold100 * 100:.1f} % of cold", wall, rss, "s"))

    wall, rss = median_of(1, lambda: digest_only(thirty, work / "digest.pdf"))
    rows.append(("30-article digest PDF", wall, rss, "s"))
    digest_wall, digest_rss = wall, rss

    ratios = []
    if chromium:
        for label, articles, ours, is_digest in (
            ("1 article", one, single, False),
            ("30-article digest", thirty, digest_wall, True),
        ):
            html = work / f"print-{len(articles)}.html"
            print_html(articles, html, is_digest)
            pdf = work / f"chromium-{len(articles)}.pdf"
            command = [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work / 'chromium-profile'}",
                f"--print-to-pdf={pdf}",
                html.as_uri(),
            ]
            wall, rss = median_of(1 if is_digest else 3, lambda command=command: command)
            rows.append((f"Chromium --print-to-pdf, same HTML, {label}", wall, rss, "s"))
            ratios.append((label, ours / wall))
    print(
        f"briefpress benchmark, {dt.date.today().isoformat()}, {platform.machine()}, {cpus} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| measurement | wall (s) | peak RSS (MB) |")
    print("| --- | ---: | ---: |")
    for label, wall, rss, _ in rows:
        print(f"| {label} | {wall:.2f} | {rss:.0f} |")
    print()
    if ratios:
        for label, ratio in ratios:
            print(f"- {label}: briefpress / Chromium = {ratio:.2f}")
    else:
        print("- Chromium not found: the comparison was skipped (apt-get install chromium)")
    print(f"- 30-article digest peak RSS: {digest_rss:.0f} MB")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
