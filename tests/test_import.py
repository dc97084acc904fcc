"""Page dumps: import, cross-check of the three copies, nothing lost, round trip."""

from __future__ import annotations

import io
import re

import pytest

from briefpress.cli import main
from briefpress.errors import SourceError, SourceErrors
from briefpress.importer import convert
from briefpress.sources import read_article
from briefpress.sources.pagedump import CHROME, MARKERS, TABS
from conftest import AS_WRITTEN, EXAMPLE, NO_BRIEF, ROOT

# a copy of shared/seeds/000_790ecc5ac2a32d75.txt, so that a fresh clone runs every test
SEED = ROOT / "tests" / "seed" / "000_790ecc5ac2a32d75.txt"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / SEED.name
DUMPS = sorted((ROOT / "tests" / "dumps").glob("*.txt"))
ALL_DUMPS = [*DUMPS, SEED]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def content(article) -> dict:
    """What an article says, without where it came from."""
    return {
        "title": article.meta.title,
        "summary": article.meta.summary,
        "date": article.meta.date,
        "key_points": [(k.label, k.body.text) for k in article.key_points],
        "relevance": [(r.label, r.body.text) for r in article.relevance],
        "prompts": [p.text for p in article.prompts],
        "original": [(b.kind, b.text) for b in article.original],
        "translation": [(b.kind, b.text) for b in article.translation or []],
        "notes": [(n.label, _text(n.original), _text(n.translation)) for n in article.footnotes],
        "discussion": [(c.author, c.date, c.body.text) for c in article.discussion or []],
    }


def _text(tokens) -> str:
    return "".join(t.content for t in tokens or [] if t.type == "inline")


def test_seed_round_trip_equals_the_example(report):
    imported = content(read_article(SEED, report))
    example = content(read_article(EXAMPLE, report))
    assert imported == example
    assert len(imported["original"]) == 23 and imported["notes"][0][0] == "1"


@pytest.mark.parametrize("dump", ALL_DUMPS, ids=lambda p: p.name)
def test_nothing_lost(dump, report):
    """Every line of the dump that is not site chrome is somewhere in the article."""
    article = read_article(dump, report, AS_WRITTEN)
    report.warnings.clear()
    blob = squash(article.all_text())
    comments = {(c.author, c.date.isoformat(), squash(c.body.text)) for c in article.discussion or []}
    for number, raw in enumerate(dump.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line in CHROME or line in TABS or line in MARKERS or "讨论归档" in line:
            continue
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) 原文链接 ↗", line):
            assert article.meta.date.isoformat() == m[1]
            continue
        if m := re.fullmatch(r"(.+?) \((\d{4}-\d{2}-\d{2})\): (.+)", line):
            assert (m[1], m[2], squash(m[3])) in comments, f"line {number}"
            continue
        pieces = re.split(r"(?:^|(?<=\s))\d+\.\s", line) if line.startswith("1. ") else [line]
        for piece in filter(None, (p.strip().lstrip("•").strip("*") for p in pieces)):
            assert squash(piece) in blob, f"{dump.name}:{number}: {piece[:50]}"


def test_shapes_of_the_test_dumps(report):
    articles = {p.stem: read_article(p, report, AS_WRITTEN) for p in DUMPS}
    crlf = articles["two-notes-crlf"]
    assert crlf.meta.title == "小模型的逆袭:为什么 1B 参数也够用"  # trailing spaces gone
    assert crlf.relevance == [] and len(crlf.prompts) == 1
    assert [n.label for n in crlf.footnotes] == ["1", "2"]
    assert [(c.author, c.body.text) for c in crlf.discussion] == [("Neta", "我们可以先在客服场景试点。")]
    numbers = articles["prompt-numbers"]
    assert [p.text for p in numbers.prompts] == [
        "我们还有哪些服务停留在 Python 3. 7 之前的版本,升级的代价是多少?",
        "性能提升 3.5 倍的说法可信吗?",
        "如果 2028 年 3 月前必须完成迁移,第一步是什么?",
    ]
    assert [b.kind for b in numbers.original] == ["paragraph", "paragraph", "heading2", "paragraph"]
    assert [b.kind for b in numbers.translation] == ["paragraph", "paragraph", "heading2", "paragraph"]
    assert numbers.discussion is None
    minimal = articles["minimal"]
    assert minimal.original[0].text == "A short paragraph, with <b>angle brackets</b> & an * asterisk."
    assert minimal.key_points == [] and minimal.prompts == [] and minimal.discussion == []
    assert report.claim("no brief").endswith("minimal.txt: warning: " + NO_BRIEF + " [no-brief]")


def mutate(text: str, line: int) -> str:
    lines = text.split("\n")
    target = lines[line - 1]
    index = len(target) // 2
    lines[line - 1] = target[:index] + ("X" if target[index] != "X" else "Y") + target[index + 1 :]
    return "\n".join(lines)


# In the seed: line 33 is the translation's first paragraph, 81/83 the first pair,
# 177 the original's first paragraph.
COPIES = [
    ("translation", 33, 83),
    ("pair, Chinese half", 83, 33),
    ("pair, English half", 81, 177),
    ("original", 177, 81),
]


@pytest.mark.parametrize(("copy", "line", "other"), COPIES, ids=[c[0] for c in COPIES])
def test_cross_check_catches_one_changed_character(tmp_path, report, copy, line, other):
    dump = tmp_path / "page.txt"
    dump.write_text(mutate(SEED.read_text(encoding="utf-8"), line), encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        read_article(dump, report)
    [error] = caught.value.errors
    assert f"line {line}" in str(error) and f"line {other}" in str(error)
    assert error.line == min(line, other) or error.line in (line, other)
    assert "differ at character" in error.message and "--prefer" in error.message

    pairs = read_article(dump, report, AS_WRITTEN.replace(prefer="pairs"))
    assert "kept the pairs' text" in report.claim("differ")
    sections = read_article(dump, report, AS_WRITTEN.replace(prefer="sections"))
    assert "kept the sections' text" in report.claim("differ")
    mutated = mutate(SEED.read_text(encoding="utf-8"), line).split("\n")[line - 1]
    chosen = pairs if line in (81, 83) else sections
    assert mutated in [b.text for b in chosen.original + chosen.translation]


def test_missing_pair_half_is_reported(tmp_path, report):
    text = (ROOT / "tests" / "dumps" / "prompt-numbers.txt").read_text(encoding="utf-8")
    text = text.replace("Lessons from Python 3\n\nPython 3 的经验\n\n", "", 1)
    dump = tmp_path / "page.txt"
    dump.write_text(text, encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        read_article(dump, report)
    messages = [e.message for e in caught.value.errors]
    assert messages == [
        'paragraph 3 ("Python 3 的经验") is in the translation section but not in the pairs\' Chinese '
        "halves: the copies must agree (or choose one with --prefer pairs|sections)",
        'paragraph 3 ("Lessons from Python 3") is in the original section but not in the pairs\' English '
        "halves: the copies must agree (or choose one with --prefer pairs|sections)",
    ]


NOT_DUMPS = [
    ("empty", "", 1, "expected a title line"),
    ("no date", "返回列表\n\nA title\n\nSome text.\n", 3, "no date line"),
    ("date first", "2026-01-01 原文链接 ↗\n\ntext\n", 1, "expected a title line before the date"),
    ("no English", "标题\n\n2026-01-01 原文链接 ↗\n\n只有中文。\n", 5, "no English text"),
    ("two verdicts", "T\n\nv1\nv2\n2026-01-01 原文链接 ↗\n\nEnglish.\n", 4, "one verdict line"),
    (
        "stray Chinese",
        "T\n\n2026-01-01 原文链接 ↗\n\n中。\n\nE.\n\n中。\n\nE.\n\nE2.\n\n又一段中文。\n",
        15,
        "Chinese text after the bilingual pairs",
    ),
    ("note counts", "T\n\n2026-01-01 原文链接 ↗\n\n中*\n\nE*\n\n中*\n\nE*\n", 7, "footnote"),
    (
        "bad comment",
        "T\n\n2026-01-01 原文链接 ↗\n\n中。\n\nE.\n\n中。\n\nE.\n\n📋 讨论归档\n\nhello\n",
        15,
        "discussion archive",
    ),
    ("prompts", "T\n\n2026-01-01 原文链接 ↗\n\n讨论引子\n\n2. 问题?\n\nE.\n", 5, "no '1. …' prompt"),
]


@pytest.mark.parametrize(
    ("text", "line", "fragment"), [c[1:] for c in NOT_DUMPS], ids=[c[0] for c in NOT_DUMPS]
)
def test_not_a_dump_errors(tmp_path, report, text, line, fragment):
    dump = tmp_path / "page.txt"
    dump.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_article(dump, report)
    assert fragment in caught.value.message
    assert caught.value.line == line
    assert caught.value.path == str(dump)


def test_build_takes_a_dump_by_its_content(tmp_path):
    named_oddly = tmp_path / "page.md"
    named_oddly.write_bytes((ROOT / "tests" / "dumps" / "prompt-numbers.txt").read_bytes())
    code, _, err = run("build", str(named_oddly), "-o", str(tmp_path / "out"), "--formats", "html")
    assert (code, err) == (0, "")
    page = (tmp_path / "out" / "page" / "page.html").read_text(encoding="utf-8")
    assert "Lessons from Python 3" in page


def test_folder_build_picks_dumps_by_content(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("just some notes\n", encoding="utf-8")
    (tmp_path / "in" / "page.txt").write_bytes((ROOT / "tests" / "dumps" / "minimal.txt").read_bytes())
    code, out, err = run("build", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--formats", "html")
    assert code == 0
    assert err.splitlines() == [f"{tmp_path / 'in' / 'page.txt'}: warning: " + NO_BRIEF + " [no-brief]"]
    assert "1 of 1 article(s) built" in out


@pytest.mark.slow
def test_import_then_build_holds_every_seed_paragraph(tmp_path):
    code, out, err = run("import", str(SEED), "-o", str(tmp_path / "a"))
    assert (code, err) == (0, "")
    assert out == f"wrote {tmp_path / 'a' / '000_790ecc5ac2a32d75.md'}\n"
    code, _, err = run(
        "build",
        str(tmp_path / "a"),
        "-o",
        str(tmp_path / "out"),
        "--formats",
        "html,epub",
        "--keep-punctuation",
    )
    assert (code, err) == (0, "")
    page = (tmp_path / "out" / "000_790ecc5ac2a32d75" / "000_790ecc5ac2a32d75.html").read_text()
    for line in SEED.read_text(encoding="utf-8").splitlines()[80:175]:
        line = line.strip().strip("*")
        if line:
            assert line.replace('"', "&#34;").replace("’", "’") in page or line in page, line[:40]


def test_import_slug_and_errors(tmp_path):
    dump = ROOT / "tests" / "dumps" / "minimal.txt"
    assert run("import", str(dump), "-o", str(tmp_path), "--slug", "short")[0] == 0
    assert (tmp_path / "short.md").exists()
    code, _, err = run("import", str(dump), str(dump), "--slug", "x", "-o", str(tmp_path))
    assert code == 2 and "--slug" in err
    code, _, err = run("import", str(dump), "-o", str(tmp_path), "--slug", "../x")
    assert code == 1 and "cannot be a file name" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("T\n\nno date here\n", encoding="utf-8")
    code, _, err = run("import", str(bad), "-o", str(tmp_path))
    assert code == 1 and err.startswith(f"{bad}:1: error: not a page dump")
    assert not (tmp_path / "bad.md").exists()


def test_imported_markdown_reads_back_as_the_dump(report):
    for dump in DUMPS:
        markdown = convert(dump, report)
        assert markdown.startswith("---\ntitle: ")
        assert "\r" not in markdown


def test_python_api_import(tmp_path):
    import briefpress

    result = briefpress.import_pages(ROOT / "tests" / "dumps" / "minimal.txt", tmp_path, slug="m")
    assert result.ok and result.outputs == [tmp_path / "m.md"]
    assert briefpress.build(tmp_path / "m.md", output=tmp_path / "o", formats="html").ok


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="shared/seeds is not beside this checkout")
def test_the_seed_copy_is_the_shared_seed():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
