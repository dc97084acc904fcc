"""The hostile and malformed corpus, and the harness that runs it in one fresh process.

Every case must end with exit code 1, exactly one ``file[:line]: error:`` line (with the
line where the source has one), no traceback, nothing written, and the earlier outputs
in the same folder byte-identical. The harness first builds the example into that
folder and measures it; each case's time and the process's peak memory are reported
as ratios to that build, so ``tests/test_hostile.py`` can bound them.

    python tests/hostile_cases.py WORKDIR     # prints a JSON report
"""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "openai-third-phase.md"
BAD = ROOT / "tests" / "bad"
FRONT = "---\ntitle: 测试文章\ndate: 2026-06-09\n---\n"
PAIRS = "# 原文\n\nFirst paragraph.\n\nSecond paragraph.\n\n# 译文\n\n第一段。\n\n第二段。\n"
BODY = PAIRS + "\n# 讨论引子\n\n1. 讨论？\n"  # an article without a brief is a warning
FORMATS = "html,pdf,epub,newsletter"


@dataclass
class Case:
    name: str
    #: writes the input into the folder it is given; returns the path to build
    make: Callable[[Path, Path], Path]
    #: the line the message names (None: the file as a whole)
    line: int | None
    fragment: str
    #: more arguments for the command line
    argv: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    command: str = "build"
    #: where the error line names (default: the path built)
    where: Callable[[Path], Path] | None = None


def text(name: str, content: str, folder_name: str = "") -> Callable[[Path, Path], Path]:
    def make(folder: Path, out: Path) -> Path:
        path = folder / folder_name / name if folder_name else folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        return path

    return make


def article(body: str, front: str = FRONT) -> str:
    return front + "\n" + body


def with_image(image: str, data: bytes | str, body: str | None = None) -> Callable[[Path, Path], Path]:
    def make(folder: Path, out: Path) -> Path:
        target = folder / "img" / image
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        source = folder / "a.md"
        source.write_text(article(body or f"# 原文\n\n![pic](img/{image})\n"), encoding="utf-8")
        return source

    return make


def png(width: int, height: int) -> bytes:
    """A PNG header claiming any size (a decompression bomb needs no real pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'


def from_bad(name: str) -> Callable[[Path, Path], Path]:
    return lambda folder, out: BAD / name


# -- the cases that are files in tests/bad -------------------------------------------------

FILES = [
    ("empty.md", 1, "no front matter"),
    ("no-front-matter.md", 1, "no front matter"),
    ("unclosed-front-matter.md", 1, "front matter"),
    ("broken-yaml.md", 3, "not valid YAML"),
    ("missing-title.md", 1, "needs 'title:'"),
    ("missing-date.md", 1, "needs 'date:'"),
    ("impossible-date.md", 3, "not a real date"),
    ("date-format.md", 3, "YYYY-MM-DD"),
    ("script-source-url.md", 4, "http:// or https://"),
    ("slug-escape.md", 4, "slug"),
    ("unknown-section.md", 18, "unknown section '# Refs'"),
    ("duplicate-section.md", 18, "appears twice"),
    ("text-before-section.md", 6, "text before the first section"),
    ("no-original.md", None, "no '# 原文'"),
    ("empty-original.md", 6, "is empty"),
    ("unpaired.md", 10, 'the level-2 heading at line 10 of the original ("Heading") has no counterpart'),
    ("footnote-undefined.md", 8, "never defined"),
    ("footnote-one-language.md", 14, "defined in the original (line 10) but not in '# 译文'"),
    ("image-missing.md", 8, "not found"),
    ("image-outside.md", 8, "outside the article's folder"),
    ("image-absolute.md", 8, "relative path"),
    ("brief-not-a-list.md", 8, "found a paragraph"),
    ("prompts-not-ordered.md", 8, "ordered list"),
    ("bad-comment.md", 20, "(YYYY-MM-DD)"),
    ("not-a-dump.txt", 1, "not a page dump"),
    ("non-utf8.md", 8, "not UTF-8"),
    ("nul-bytes.md", 8, "NUL bytes"),
    ("binary.md", 3, "NUL bytes"),
]
CASES = [Case(name, from_bad(name), line, fragment) for name, line, fragment in FILES]


def _add(name: str, make: Callable[[Path, Path], Path], line: int | None, fragment: str, **more) -> None:
    CASES.append(Case(name, make, line, fragment, **more))


# -- size and shape limits -------------------------------------------------------------------

_LONG = "A sentence that goes on and on without ever ending, " * 2
_add(
    "5 MB paragraph",
    text("p.md", article("# 原文\n\n" + "\n".join([_LONG] * 50_000))),
    8,
    "characters long; the limit",
)
_add(
    "10,000 blocks",
    text("b.md", article("# 原文\n\n" + "\n\n".join(f"P {n}." for n in range(10_000)))),
    4008,
    "2,000 blocks",
)
_add(
    "2,000 paragraphs, one left untranslated",
    text(
        "u.md",
        article(
            "# 原文\n\n"
            + "\n\n".join(f"Paragraph {n} of the text, with its own number." for n in range(2000))
            + "\n\n# 译文\n\n"
            + "\n\n".join(f"第 {n} 段文字,带着自己的编号。" for n in range(2000) if n != 1234)
        ),
    ),
    2476,
    'the paragraph at line 2476 of the original ("Paragraph 1234 of the text, with…") has no counterpart',
)
_add(
    "2,000 paragraphs alike, one left untranslated",
    text(
        "s.md",
        article("# 原文\n\n" + "Same words again.\n\n" * 2000 + "# 译文\n\n" + "同样的话。\n\n" * 1999),
    ),
    -1,
    "the texts there are too alike to tell",
)
_add(
    "lists nested 500 deep",
    text("n.md", article("# 原文\n\n" + "".join("  " * d + "- x\n" for d in range(500)))),
    16,
    "nested too deeply",
)
_add("1 MB line", text("l.md", article("# 原文\n\n" + "x" * 1_048_576 + "\n")), 8, "the limit is 100,000")
_add(
    "11 MB file",
    text("big.md", article("# 原文\n\n" + ("word " * 20 + "\n") * 110_000)),
    None,
    "at most 10 MB",
)


def _folder(folder: Path, out: Path) -> Path:
    (folder / "folder.md").mkdir()
    return folder / "folder.md"


_add("a folder named .md", _folder, None, "is a folder")


def _fifo(folder: Path, out: Path) -> Path:
    os.mkfifo(folder / "f.md")
    return folder / "f.md"


_add("a FIFO named f.md", _fifo, None, "not a regular file")


def _dev_zero(folder: Path, out: Path) -> Path:
    os.symlink("/dev/zero", folder / "z.md")
    return folder / "z.md"


_add("z.md -> /dev/zero", _dev_zero, None, "not a regular file")
_add("10 MB of '['", text("br.md", article("# 原文\n\n" + ("[" * 99_000 + "\n") * 100)), 8, "2,000 '['")
_add("40,000 footnote openers", text("fn.md", article("# 原文\n\n" + "[^" * 40_000 + "\n")), 8, "2,000 '['")
_add("a control character in the body", text("c.md", article("# 原文\n\nred \x1b[31m text\n")), 8, "U+001B")
_add(
    "200,000 front-matter keys",
    text(
        "k.md",
        "---\ntitle: T\ndate: 2026-06-09\n"
        + "".join(f"k{n}: v\n" for n in range(200_000))
        + "---\n\n"
        + BODY,
    ),
    1,
    "at most 64 KB",
)
_add(
    "front matter nested 1,500 deep",
    text("d.md", "---\ntitle: T\ndate: 2026-06-09\nx: " + "[" * 1500 + "]" * 1500 + "\n---\n\n" + BODY),
    2,
    "nested too deeply",
)


def _dump_archive(folder: Path, out: Path) -> Path:
    seed = (ROOT / "tests" / "dumps" / "two-notes-crlf.txt").read_text(encoding="utf-8")
    path = folder / "archive.txt"
    path.write_text(seed.rstrip() + "\nsomeone" + " " * 99_000 + "x\n", encoding="utf-8")
    return path


_add("100 KB of spaces in a dump's archive line", _dump_archive, -1, "discussion archive")

# -- front matter is text, checked line by line ---------------------------------------------

_add(
    "a 5,000-digit title",
    text("t.md", article(BODY, "---\ntitle: " + "7" * 5000 + "\ndate: 2026-06-09\n---\n")),
    2,
    "characters long",
)
_add(
    "a control character in the title",
    text("t.md", article(BODY, '---\ntitle: "a\\x01b"\ndate: 2026-06-09\n---\n')),
    2,
    "control character",
)
_add(
    "a line break in the title",
    text("t.md", article(BODY, '---\ntitle: "a\\nb"\ndate: 2026-06-09\n---\n')),
    2,
    "line break",
)
_add(
    "U+2028 in the title",
    text("t.md", article(BODY, '---\ntitle: "a\\u2028b"\ndate: 2026-06-09\n---\n')),
    2,
    "line break",
)
_add(
    "NEL in the summary",
    text("t.md", article(BODY, '---\ntitle: T\nsummary: "a\\x85b"\ndate: 2026-06-09\n---\n')),
    3,
    "line break",
)
_add(
    "a NUL escape in the author",
    text("t.md", article(BODY, '---\ntitle: T\nauthor: "\\0"\ndate: 2026-06-09\n---\n')),
    3,
    "control character",
)
_add(
    "a control character in a tag",
    text("t.md", article(BODY, '---\ntitle: T\ntags: ["a\\x07"]\ndate: 2026-06-09\n---\n')),
    3,
    "control character",
)
_add(
    "a blank title", text("t.md", article(BODY, '---\ntitle: "   "\ndate: 2026-06-09\n---\n')), 2, "is empty"
)
_add(
    "an invisible title",
    text("t.md", article(BODY, '---\ntitle: "\\u200b\\u200b"\ndate: 2026-06-09\n---\n')),
    2,
    "is empty",
)
_add(
    "the title twice",
    text("t.md", article(BODY, "---\ntitle: A\ndate: 2026-06-09\ntitle: B\n---\n")),
    4,
    "set twice",
)
_add(
    "a 300-character slug",
    text("s.md", article(BODY, "---\ntitle: T\ndate: 2026-06-09\nslug: " + "s" * 300 + "\n---\n")),
    4,
    "at most 100",
)
_add("a 240-character file name", text("n" * 240 + ".md", article(BODY)), 1, "at most 100")
_add(
    "a date that is a number",
    text("t.md", article(BODY, "---\ntitle: T\ndate: 20260609\n---\n")),
    3,
    "YYYY-MM-DD",
)

# -- links and images, in every section -----------------------------------------------------

_BRIEF = "# 核心观点\n- **标签** {}\n\n" + BODY
_add(
    "an smb: image in the brief",
    text("i.md", article(_BRIEF.format("![a](smb://host/x)"))),
    7,
    "relative path",
)
_add(
    "an ms-msdt: image in the brief",
    text("i.md", article(_BRIEF.format("![b](ms-msdt:/id%20x)"))),
    7,
    "relative path",
)
_add(
    "/etc/passwd by ../ from the brief",
    text("i.md", article(_BRIEF.format("![c](../../../../../../etc/passwd)"))),
    7,
    "outside the article's folder",
)
_add(
    "a ../ image in a prompt",
    text("i.md", article("# 讨论引子\n1. ![x](../../../etc/hosts)\n\n" + PAIRS)),
    7,
    "outside",
)
_add(
    "an image in a comment",
    text("i.md", article(BODY + "\n# 讨论归档\n- **A** (2026-06-01): ![x](/etc/passwd)\n")),
    23,
    "relative path",
)
_NOTE = "# 原文\n\nText.[^1]\n\n[^1]: See ![x]({}).\n\n# 译文\n\n文字。[^1]\n\n[^1]: 见。\n"
_add(
    "an absolute image in a footnote", text("i.md", article(_NOTE.format("/etc/passwd"))), 10, "relative path"
)
_add("a ../ image in a footnote", text("i.md", article(_NOTE.format("../../x.png"))), 10, "outside")
_add(
    "an image with %00 in its name",
    text("i.md", article("# 原文\n\n![x](a%00b.png)\n")),
    8,
    "cannot be opened",
)
_add(
    "an image with a 300-character name",
    text("i.md", article("# 原文\n\n![x](" + "n" * 300 + ".png)\n")),
    8,
    "cannot be opened",
)


def _loop(folder: Path, out: Path) -> Path:
    os.symlink("loop.png", folder / "loop.png")
    (folder / "i.md").write_text(article("# 原文\n\n![x](loop.png)\n"), encoding="utf-8")
    return folder / "i.md"


_add("an image that is a symlink loop", _loop, 8, "cannot be opened")


def _symlink_image(folder: Path, out: Path) -> Path:
    (folder / "art").mkdir()
    os.symlink("/etc/passwd", folder / "art" / "link.png")
    (folder / "art" / "s.md").write_text(article("# 原文\n\n![x](link.png)\n"), encoding="utf-8")
    return folder / "art" / "s.md"


_add("an image symlink to /etc/passwd", _symlink_image, 8, "outside the article's folder")
_add("SVG with <script>", with_image("s.svg", SVG_HEAD + "<script>alert(1)</script></svg>"), 8, "<script>")
_add(
    "SVG with onload=",
    with_image("s.svg", SVG_HEAD.replace(">", ' onload="alert(1)">', 1) + "</svg>"),
    8,
    "event handler",
)
_add(
    "SVG with a foreign object",
    with_image("s.svg", SVG_HEAD + "<foreignObject><iframe/></foreignObject></svg>"),
    8,
    "foreignObject",
)
_add(
    "SVG with XXE entities",
    with_image(
        "s.svg",
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + SVG_HEAD
        + "<text>&x;</text></svg>",
    ),
    8,
    "entities",
)
_add(
    "SVG with a javascript: link",
    with_image("s.svg", SVG_HEAD + '<a href="javascript:alert(1)"><rect/></a></svg>'),
    8,
    "javascript:",
)
_add(
    "SVG animating a link",
    with_image("s.svg", SVG_HEAD + '<a><set attributeName="href" to="x"/></a></svg>'),
    8,
    "animates",
)
_add("SVG content named .png", with_image("s.png", SVG_HEAD + "</svg>"), 8, "name it s.svg")
_add("a 30000x30000 PNG", with_image("bomb.png", png(30_000, 30_000)), 8, "pixels")
_add("a TIFF image", with_image("t.tiff", b"II*\x00" + b"\0" * 64), 8, "TIFF")
_add("an AVIF image", with_image("a.avif", b"\0\0\0\x1cftypavif" + b"\0" * 64), 8, "AVIF")
_add("a BMP named .png", with_image("b.png", b"BM" + b"\0" * 64), 8, "BMP")
_add("a truncated PNG", with_image("t.png", b"\x89PNG\r\n\x1a\n"), 8, "cannot be read")

# -- sources and outputs that belong to someone else ---------------------------------------


def _outside_source(folder: Path, out: Path) -> Path:
    private = folder / "private.md"
    private.write_text(article(BODY), encoding="utf-8")
    (folder / "articles").mkdir()
    os.symlink(private, folder / "articles" / "x.md")
    return folder / "articles"


_add(
    "a source symlink leading out of the folder",
    _outside_source,
    None,
    "link to a file outside",
    where=lambda p: p / "x.md",
)


def _same_slug(folder: Path, out: Path) -> Path:
    path = folder / "other.md"
    path.write_text(
        article(BODY, "---\ntitle: T\ndate: 2026-06-09\nslug: openai-third-phase\n---\n"), encoding="utf-8"
    )
    return path


_add("a new source with an earlier article's slug", _same_slug, None, "already holds the editions of")


def _earlier(folder: Path, out: Path) -> Path:
    """An article built earlier into the folder, whose slug the digest then asks for."""
    from briefpress.cli import main

    older = folder / "older.md"
    older.write_text(article(BODY), encoding="utf-8")
    main(
        ["build", str(older), "-o", str(out), "--formats", "html", "-q"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return EXAMPLE


_add(
    "--digest-slug naming an earlier article's folder",
    _earlier,
    None,
    "already holds the editions of",
    argv=("--digest", "D", "--digest-slug", "older"),
    where=lambda p: None,
)


def _epub_folder(folder: Path, out: Path) -> Path:
    from briefpress.cli import main

    source = folder / "clash.md"
    source.write_text(article(BODY), encoding="utf-8")
    main(
        ["build", str(source), "-o", str(out), "--formats", "html,epub", "-q"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    (out / "clash" / "clash.epub").unlink()
    (out / "clash" / "clash.epub").mkdir()
    source.write_text(article(BODY.replace("First", "The first")), encoding="utf-8")
    return source


_add(
    "<slug>.epub is a folder",
    _epub_folder,
    None,
    "clash.epub is a folder; move it away",
    argv=("--formats", "html,epub"),
)

# -- the environment, the configuration, other commands -------------------------------------

_add(
    "SOURCE_DATE_EPOCH garbage",
    lambda folder, out: EXAMPLE,
    None,
    "SOURCE_DATE_EPOCH must be",
    env={"SOURCE_DATE_EPOCH": "yesterday"},
    where=lambda p: Path("environment"),
)


def _toml_font(folder: Path, out: Path) -> Path:
    (folder / "briefpress.toml").write_text('cjk-font = "Noto\\n} body { color: red"\n', encoding="utf-8")
    return EXAMPLE


_add(
    "a newline in a briefpress.toml font name",
    _toml_font,
    None,
    "font family name",
    where=lambda p: Path("briefpress.toml"),
)


def _ansi_name(folder: Path, out: Path) -> Path:
    path = folder / "bad\x1b[31mname\n.md"
    path.write_text("no front matter\n", encoding="utf-8")
    return path


def _printed(path: Path) -> Path:
    from briefpress.errors import printable

    return Path(printable(str(path)))


_add("ANSI escapes and a newline in a file name", _ansi_name, 1, "no front matter", where=_printed)


def _import_itself(folder: Path, out: Path) -> Path:
    page = folder / "page.md"
    page.write_text((ROOT / "tests" / "dumps" / "minimal.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return page


_add(
    "import page.md -o its own folder",
    _import_itself,
    None,
    "overwrite the page dump itself",
    command="import",
)


# -- the harness ------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): zlib.crc32(p.read_bytes()).__format__("08x")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_case(case: Case, work: Path) -> dict:
    from briefpress.cli import main

    folder = work / "in"
    folder.mkdir(parents=True)
    out = work / "out"
    path = case.make(folder, out)
    before = snapshot(out)
    source_bytes = path.read_bytes() if path.is_file() else b""
    argv = [case.command, str(path), "-o", str(folder if case.command == "import" else out)]
    argv += [] if case.command == "import" else ["--formats", FORMATS]
    argv += list(case.argv)
    saved = {k: os.environ.get(k) for k in case.env}
    os.environ.update(case.env)
    cwd = os.getcwd()
    os.chdir(folder)
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        code = main(argv, stdout=stdout, stderr=stderr)
    finally:
        elapsed = time.perf_counter() - started
        os.chdir(cwd)
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    where = case.where(path) if case.where else path
    return {
        "line": case.line,
        "fragment": case.fragment,
        "code": code,
        "stderr": stderr.getvalue(),
        "where": None if where is None else str(where),
        "outputs_unchanged": snapshot(out) == before,
        "input_unchanged": not path.is_file() or path.read_bytes() == source_bytes,
        "seconds": elapsed,
    }


def peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(workdir: Path) -> dict:
    from briefpress.cli import main as briefpress

    out = workdir / "example-out"
    started = time.perf_counter()
    code = briefpress(
        ["build", str(EXAMPLE), "-o", str(out), "--formats", FORMATS, "-q"], stdout=io.StringIO()
    )
    example = {
        "code": code,
        "seconds": time.perf_counter() - started,
        "children_mb": peak_children_mb(),
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    results = {}
    for number, case in enumerate(CASES):
        work = workdir / f"case-{number:03d}"
        work.mkdir()
        # every case writes into a copy of the folder that holds the example's editions
        import shutil

        shutil.copytree(out, work / "out", symlinks=True)
        results[case.name] = run_case(case, work)
    return {
        "example": example,
        "cases": results,
        "children_mb": peak_children_mb(),
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
