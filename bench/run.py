"""Benchmark briefpress against itself and against headless Chromium, in one run.

Makes a reproducible synthetic corpus (1, 30 and 100 articles that differ in their
characters, code, tables and script: see make_corpus), then measures, each cold build
with an empty cache: (1) one article's default editions, against Chromium printing its
HTML page; (2) a 30-article digest PDF when the articles are already built, against
Chromium printing the 30 articles' HTML as one page; (3) the same digest from nothing
(every article's PDF, then the digest); the digest's peak RSS and size; and 100 articles
with a no-change rebuild. Prints a Markdown table and the ratios. Run: make bench
"""

from __future__ import annotations

import contextlib
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


def gb2312(first: int, last: int) -> list[str]:
    """The hanzi of GB 2312 rows ``first`` … ``last`` (16–55: level 1, 56–87: level 2)."""
    chars = []
    for row in range(first, last + 1):
        for cell in range(1, 95):
            with contextlib.suppress(UnicodeDecodeError):  # the rows' unused cells
                chars.append(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
    return chars


COMMON, RARER = gb2312(16, 55), gb2312(56, 87)
CODE = [
    'results = [run for run in dashboard.fetch(since="2025-01-01") if run.ok]',
    "for run in results:",
    '    print(run.id, run.model, f"{run.passed / run.tasks:.1%}")  # 通过率',
]


def chinese(rng: random.Random, ranking: list[str], topic: list[str], length: int) -> str:
    """A sentence of ``length`` hanzi: common ones by a Zipf law, one in eight from the topic."""
    weights = [1 / (rank + 1) for rank in range(len(ranking))]
    chars = rng.choices(ranking, weights=weights, k=length)
    chars = [rng.choice(topic) if rng.random() < 0.125 else ch for ch in chars]
    for at in range(10, len(chars), rng.randint(8, 16)):
        chars[at] = "，"
    return "".join(chars) + "。"


def make_corpus(folder: Path, count: int) -> list[Path]:
    """``count`` articles that differ as a year of real ones do, each with its own date,
    title and character set: part of the example's pairs, and pairs of its own whose
    Chinese draws on the common hanzi of GB 2312 (by a Zipf law) and on a topic of 200
    rarer ones; every third article has code, every fourth a table, every fifth is in
    Traditional Chinese (OpenCC's s2twp). Reproducible: the same seed each run."""
    import opencc

    to_traditional = opencc.OpenCC("s2twp.json").convert
    text = EXAMPLE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    original = re.search(r"# 原文\n\n(.*?)\n\n# 译文", body, re.S)[1]
    translation = re.search(r"# 译文\n\n(.*?)\n\n# 讨论归档", body, re.S)[1]

    def split(section: str) -> tuple[list[str], list[str]]:
        blocks = section.split("\n\n")
        return [b for b in blocks if not b.startswith("[^")], [b for b in blocks if b.startswith("[^")]

    (en, en_notes), (zh, zh_notes) = split(original), split(translation)
    words = re.findall(r"[A-Za-z]+", original)
    ranking = random.Random(0).sample(COMMON, len(COMMON))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        rng = random.Random(n)
        topic = rng.sample(RARER, 200)
        keep = sorted(rng.sample(range(len(en)), rng.randint(8, len(en) - 4)))
        if not any("[^1]" in en[i] for i in keep):
            keep = sorted([*keep, next(i for i, b in enumerate(en) if "[^1]" in b)])
        pairs = [(en[i], zh[i]) for i in keep]
        for _ in range(rng.randint(4, 10)):
            sentence = " ".join(rng.choices(words, k=rng.randint(12, 40))).capitalize() + "."
            pairs.insert(
                rng.randrange(len(pairs) + 1), (sentence, chinese(rng, ranking, topic, rng.randint(30, 120)))
            )
        if n % 3 == 0:
            code = "```python\n" + "\n".join(CODE) + "\n```"
            pairs.insert(rng.randrange(len(pairs) + 1), (code, code))
        if n % 4 == 0:
            rows = [[chinese(rng, ranking, topic, 4)[:-1] for _ in range(3)] for _ in range(4)]
            table = "\n".join(
                [
                    "| 项目 | 数值 | 说明 |",
                    "| --- | --- | --- |",
                    *("| " + " | ".join(r) + " |" for r in rows),
                ]
            )
            pairs.insert(rng.randrange(len(pairs) + 1), (table.replace("项目", "Item"), table))

        def convert(value: str, traditional: bool = n % 5 == 0) -> str:
            """Traditional Chinese for every fifth article; section headings stay as the format has them."""
            if not traditional:
                return value
            return "\n".join(
                line if line.startswith("# ") else to_traditional(line) for line in value.split("\n")
            )

        date = dt.date(2026, 1, 1) + dt.timedelta(days=n)
        title = chinese(rng, ranking, topic, rng.randint(8, 16))[:-1]
        head = re.sub(r"^title: .*$", f"title: {convert(title)}(样本 {n})", front, flags=re.M)
        head = re.sub(r"^date: .*$", f"date: {date.isoformat()}", head, flags=re.M)
        head = re.sub(
            r"^summary: .*$", f"summary: {convert(chinese(rng, ranking, topic, 40))}", head, flags=re.M
        )
        brief = body.split("# 原文")[0]
        source = (
            head
            + "\n---\n"
            + convert(brief)
            + "# 原文\n\n"
            + "\n\n".join([e for e, _ in pairs] + en_notes)
            + "\n\n# 译文\n\n"
            + "\n\n".join([convert(z) for _, z in pairs] + [convert(note) for note in zh_notes])
            + "\n\n# 讨论归档\n"
        )
        path = folder / f"bench-{n:03d}.md"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], cwd: Path | None = None, cache: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command, from GNU time; ``cache``: its cache folder."""
    report = Path(tempfile.mktemp(suffix=".time"))
    env = dict(os.environ)
    if cache is not None:
        env["BRIEFPRESS_CACHE"] = str(cache)
    subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%e %M", *command],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
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


def median_of(runs: int, make_command) -> tuple[float, float]:
    results = [timed(make_command()) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def fresh(work: Path, name: str) -> Path:
    """An empty folder: a cold cache, or an output folder with nothing built."""
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def chromium_print(chromium: str, work: Path, articles: list[Path], digest: bool) -> tuple[float, float]:
    html = work / f"print-{len(articles)}.html"
    print_html(articles, html, digest)
    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={work / 'chromium-profile'}",
        f"--print-to-pdf={work / f'chromium-{len(articles)}.pdf'}",
        html.as_uri(),
    ]
    return median_of(3, lambda: command)


def main() -> int:
    cpus = os.cpu_count() or 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    work = Path(tempfile.mkdtemp(prefix="briefpress-bench-"))
    corpus = make_corpus(work / "corpus", 100)
    thirty = work / "thirty"
    thirty.mkdir()
    for path in corpus[:30]:
        shutil.copy(path, thirty / path.name)
    rows, ratios = [], []

    runs = [
        timed(briefpress("build", str(corpus[0]), "-o", str(fresh(work, "out1"))), cache=fresh(work, "c1"))
        for _ in range(3)
    ]
    single = statistics.median(r[0] for r in runs)
    rows.append(("(1) one article, html+pdf+epub, cold", single, max(r[1] for r in runs)))

    digest = ["--formats", "pdf", "--digest", "Digest"]
    cache30 = fresh(work, "c30")
    out30 = fresh(work, "out30")
    scratch, scratch_rss = timed(briefpress("build", str(thirty), "-o", str(out30), *digest), cache=cache30)
    again = []
    for _ in range(3):  # the median of three: this one is short, and the machine's speed varies
        shutil.rmtree(out30 / "digest")
        again.append(timed(briefpress("build", str(thirty), "-o", str(out30), *digest), cache=cache30))
    built, built_rss = statistics.median(r[0] for r in again), max(r[1] for r in again)
    digest_size = (out30 / "digest" / "digest.pdf").stat().st_size
    handouts_size = sum(path.stat().st_size for path in out30.glob("bench-*/bench-*.pdf"))
    rows.append(("(2) 30-article digest PDF, articles already built", built, built_rss))
    rows.append(("(3) 30-article digest PDF from nothing (every PDF, then the digest)", scratch, scratch_rss))

    out100 = fresh(work, "out100")
    cold100, rss100 = timed(
        briefpress("build", str(work / "corpus"), "-o", str(out100)), cache=fresh(work, "c100")
    )
    rows.append((f"100 articles, cold, --jobs {cpus}: {100 / cold100:.2f} articles/s", cold100, rss100))
    again, again_rss = timed(
        briefpress("build", str(work / "corpus"), "-o", str(out100)), cache=work / "c100"
    )
    rows.append((f"no-change rebuild of 100: {again / cold100 * 100:.1f} % of cold", again, again_rss))

    if chromium:
        one_wall, one_rss = chromium_print(chromium, work, corpus[:1], False)
        rows.append(("Chromium --print-to-pdf, the article's HTML", one_wall, one_rss))
        all_wall, all_rss = chromium_print(chromium, work, corpus[:30], True)
        rows.append(("Chromium --print-to-pdf, the 30 articles' HTML as one page", all_wall, all_rss))
        ratios = [
            ("(1) one article", single / one_wall, 1.0),
            ("(2) digest, articles built", built / all_wall, 0.6),
            ("(3) digest from nothing", scratch / all_wall, 4.0),
        ]
    print(
        f"briefpress benchmark, {dt.date.today().isoformat()}, {platform.machine()}, {cpus} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| measurement | wall (s) | peak RSS (MB) |")
    print("| --- | ---: | ---: |")
    for label, wall, rss in rows:
        print(f"| {label} | {wall:.2f} | {rss:.0f} |")
    print()
    for label, ratio, target in ratios:
        verdict = "met" if ratio <= target else "missed"
        print(f"- {label}: briefpress / Chromium = {ratio:.2f} (target {target:.1f}: {verdict})")
    if not ratios:
        print("- Chromium not found: the comparison was skipped (apt-get install chromium)")
    print(f"- digest peak RSS: {max(built_rss, scratch_rss):.0f} MB (target 300)")
    print(
        f"- the 30-article digest PDF: {digest_size / 1e6:.2f} MB; its 30 handouts together: "
        f"{handouts_size / 1e6:.2f} MB"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
