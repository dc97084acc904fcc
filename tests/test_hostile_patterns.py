"""Every pattern linear, every command limited (issue 23, defect 7 and its low class).

Every regular expression the package compiles — at module level, in a class, or written
inline in a call to ``re`` — is run over inputs of about 100 KB built from the characters
and words the pattern itself names; each call must end within a second.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import itertools
import pkgutil
import re
import re._constants as sre
import re._parser as sre_parse
import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import briefpress
from briefpress.cli import main
from conftest import BODY

SIZE = 100_000
#: a call on one input may take this long (linear patterns take milliseconds)
BOUND = 1.0
#: characters every pattern meets, whatever it names: spaces, dots, CJK, punctuation, lines
EXTRAS = "a \t\n.,!?:;-_*#()[]<>`'\"\\/=1Zé中，。“”）…\u3000\x00"
#: modules not imported: running __main__ runs the command line
NOT_IMPORTED = {"briefpress.__main__"}
#: patterns that may be super-linear, because what they read is bounded (name: reason)
EXEMPT: dict[str, str] = {}


# -- finding the patterns ----------------------------------------------------------------


def _modules() -> Iterator[object]:
    for info in pkgutil.walk_packages(briefpress.__path__, "briefpress."):
        if info.name not in NOT_IMPORTED:
            yield importlib.import_module(info.name)


def _source(module: object) -> ast.Module:
    return ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))  # type: ignore[arg-type]


def _inline(module: object, tree: ast.Module) -> Iterator[tuple[str, re.Pattern]]:
    """The patterns written as literals in calls such as ``re.search(r"…", text)``."""
    for node in ast.walk(tree):
        call = node if isinstance(node, ast.Call) else None
        if not (call and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)):
            continue
        if call.func.value.id != "re" or not call.args or not isinstance(call.args[0], ast.Constant):
            continue
        flags = 0
        for value in [*call.args[1:], *(k.value for k in call.keywords if k.arg == "flags")]:
            if (
                isinstance(value, ast.Attribute)
                and isinstance(value.value, ast.Name)
                and value.value.id == "re"
            ):
                flag = getattr(re, value.attr, 0)
                flags |= flag if isinstance(flag, int) else 0
        yield f"{module.__name__}:{call.lineno}", re.compile(call.args[0].value, flags)  # type: ignore[attr-defined]


def _assigned(tree: ast.Module) -> set[str]:
    """The names a module (or a class in it) assigns: a pattern is named where it is made."""
    nodes = [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]
    targets = [t for n in nodes if isinstance(n, ast.Assign) for t in n.targets]
    targets += [n.target for n in nodes if isinstance(n, ast.AnnAssign)]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def patterns_of(module: object) -> Iterator[tuple[int, str, re.Pattern]]:
    """A module's patterns, each with where it is and a rank for naming one that several
    modules hold: 0 made here (module or class), 1 written in a call, 2 imported."""
    name, tree = module.__name__, _source(module)  # type: ignore[attr-defined]
    own = _assigned(tree)
    named: list[tuple[int, str, re.Pattern]] = []
    for attr, value in vars(module).items():
        if isinstance(value, re.Pattern):
            named.append((0 if attr in own else 2, f"{name}.{attr}", value))
        elif isinstance(value, type) and value.__module__ == name:
            members = vars(value).items()
            named += [(0, f"{name}.{attr}.{k}", v) for k, v in members if isinstance(v, re.Pattern)]
    yield from named
    # a module's own re.compile(...) is its named pattern; the calls in functions are new
    for where, pattern in _inline(module, tree):
        if all(pattern != known for _, _, known in named):
            yield 1, where, pattern


def all_patterns() -> dict[str, re.Pattern]:
    """Every pattern of the package by where it is made: ``module.NAME``,
    ``module.Class.NAME``, or ``module:line`` for one written in a call."""
    made = [found for module in _modules() for found in patterns_of(module)]
    patterns: dict[str, re.Pattern] = {}
    for _, where, pattern in sorted(made, key=lambda m: m[0]):
        if pattern not in patterns.values():
            patterns[where] = pattern
    return patterns


# -- worst cases from what a pattern names -----------------------------------------------

_CATEGORY_SAMPLES = {
    sre.CATEGORY_DIGIT: "7",
    sre.CATEGORY_NOT_DIGIT: "x",
    sre.CATEGORY_SPACE: " \n",
    sre.CATEGORY_NOT_SPACE: "x",
    sre.CATEGORY_WORD: "w_",
    sre.CATEGORY_NOT_WORD: "#",
}


def _walk(parsed: sre_parse.SubPattern, chars: list[str], words: list[str], classes: list) -> None:
    """Collect a parsed pattern's characters (of a word, its first and last: the letters
    between add nothing but time), its runs of literals (words) and its character tests."""
    run = ""

    def end_run() -> None:
        if len(run) > 1:
            words.append(run)
        chars.extend(dict.fromkeys(run[:1] + run[-1:]))

    for op, av in parsed:
        if op is sre.LITERAL:
            run += chr(av)
            classes.append([(op, av)])
            continue
        end_run()
        run = ""
        if op is sre.NOT_LITERAL:
            chars.append(chr(av))
            classes.append([(op, av)])
        elif op is sre.IN:
            classes.append(av)
            for item, value in av:
                if item is sre.LITERAL:
                    chars.append(chr(value))
                elif item is sre.RANGE:
                    chars += [chr(value[0]), chr(value[1])]
                elif item is sre.CATEGORY:
                    chars += _CATEGORY_SAMPLES.get(value, "")
        elif op is sre.CATEGORY:
            chars += _CATEGORY_SAMPLES.get(av, "")
        elif op is sre.BRANCH:
            for branch in av[1]:
                _walk(branch, chars, words, classes)
        elif op is sre.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    _walk(branch, chars, words, classes)
        elif op is sre.SUBPATTERN:
            _walk(av[-1], chars, words, classes)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            _walk(av[2], chars, words, classes)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _walk(av[1], chars, words, classes)
        elif op is sre.ATOMIC_GROUP:
            _walk(av, chars, words, classes)
    end_run()


def _tester(items: list, ignore_case: bool) -> Callable[[str], bool]:
    """Whether a character passes one character test of a parsed pattern."""
    negate = items[0][0] is sre.NEGATE

    def one(ch: str) -> bool:
        code = ord(ch)
        for item, value in items:
            if item is sre.LITERAL and code == value:
                return True
            if item is sre.NOT_LITERAL and code != value:
                return True
            if item is sre.RANGE and value[0] <= code <= value[1]:
                return True
            if item is sre.CATEGORY and re.fullmatch(_category_pattern(value), ch):
                return True
        return False

    def test(ch: str) -> bool:
        hit = any(one(c) for c in {ch, ch.lower(), ch.upper()}) if ignore_case else one(ch)
        return hit != negate

    return test


def _category_pattern(category: object) -> str:
    names = {
        sre.CATEGORY_DIGIT: r"\d",
        sre.CATEGORY_NOT_DIGIT: r"\D",
        sre.CATEGORY_SPACE: r"\s",
        sre.CATEGORY_NOT_SPACE: r"\S",
        sre.CATEGORY_WORD: r"\w",
        sre.CATEGORY_NOT_WORD: r"\W",
    }
    return names.get(category, r"(?!)")


def units(pattern: re.Pattern) -> list[str]:
    """The pieces a pattern's worst inputs are made of: one character for each way the
    pattern's character tests can see a character (a character of every Chinese range is
    one piece, not thousands), and the pattern's own runs of literals."""
    binary = isinstance(pattern.pattern, bytes)  # read as Latin-1: one character a byte
    source = pattern.pattern.decode("latin-1") if binary else pattern.pattern
    parsed = sre_parse.parse(source, pattern.flags & ~re.UNICODE if binary else pattern.flags)
    chars: list[str] = []
    words: list[str] = []
    classes: list = []
    _walk(parsed, chars, words, classes)
    tests = [_tester(items, bool(pattern.flags & re.IGNORECASE)) for items in classes]
    seen: dict[tuple[bool, ...], str] = {}
    for ch in [*chars, *EXTRAS]:
        if binary and ord(ch) > 0xFF:
            continue
        # a line break is its own piece: ^ and $ see it, whatever the classes say
        seen.setdefault((ch == "\n", *(test(ch) for test in tests)), ch)
    return [*seen.values(), *dict.fromkeys(words)]


def worst_inputs(pattern: re.Pattern) -> Iterator[str]:
    """Long runs of each piece; of each pair of pieces in turn; of one piece, ended by
    another; of one piece between two of another: about 100 KB each."""
    pieces = units(pattern)
    for piece in pieces:
        yield piece * (SIZE // len(piece))
    for first, second in itertools.permutations(pieces, 2):
        if pieces.index(first) < pieces.index(second):  # (ba)(ba)… is (ab)(ab)… one off
            yield (first + second) * (SIZE // len(first + second))
        yield first * (SIZE // len(first)) + second
        yield first + second * (SIZE // len(second)) + first


# -- running them under a clock ----------------------------------------------------------


class TooSlow(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise TooSlow  # the regular expression engine checks for signals while it runs


def timed(call: Callable[[], object]) -> bool:
    """Whether ``call`` ends within :data:`BOUND` (it is interrupted if it does not)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, BOUND)
    try:
        call()
        return True
    except TooSlow:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def slow_calls(pattern: re.Pattern) -> Iterator[str]:
    """What takes longer than :data:`BOUND`: ``search``, ``finditer`` or ``sub`` on which input."""
    binary = isinstance(pattern.pattern, bytes)
    for text in worst_inputs(pattern):
        value: str | bytes = text.encode("latin-1") if binary else text
        empty: str | bytes = b"" if binary else ""
        calls = {
            "search": lambda value=value: pattern.search(value),
            "finditer": lambda value=value: sum(1 for _ in pattern.finditer(value)),
            "sub": lambda value=value, empty=empty: pattern.sub(empty, value),
        }
        for name, call in calls.items():
            if not timed(call):
                yield f"{name} on {text[:12]!r}… ({len(text)} characters)"
                break


# -- the tests ---------------------------------------------------------------------------


@pytest.mark.slow
def test_every_pattern_the_package_compiles_is_linear():
    """search, finditer and sub of each pattern on each of its worst inputs, under a second."""
    patterns = all_patterns()
    assert set(EXEMPT) <= set(patterns), "an exemption names no pattern of the package"
    failures = [
        f"{where} /{pattern.pattern!r}/: {slow}"
        for where, pattern in patterns.items()
        if where not in EXEMPT
        for slow in itertools.islice(slow_calls(pattern), 1)
    ]
    assert not failures, "super-linear patterns:\n" + "\n".join(failures)


def test_the_patterns_are_found_where_they_are_made():
    patterns = all_patterns()
    assert len(patterns) > 50
    for where in (
        "briefpress.typography.marks.SPACE_BESIDE",  # imported by the lint and the fix: one entry
        "briefpress.editions.kepub.SENTENCE_END",
        "briefpress.sources.policy._RAW_HTML",
    ):
        assert where in patterns
    assert "briefpress.typography.lint.SPACE_BESIDE" not in patterns
    assert any(where.startswith("briefpress.editions.kindle:") for where in patterns)  # written inline


def test_a_class_attribute_and_an_inline_pattern_are_found(tmp_path, monkeypatch):
    (tmp_path / "patterned.py").write_text(
        "import re\n"
        "TOP = re.compile('a+b')\n"
        "class Reader:\n"
        "    LINE = re.compile(r'c\\s*d')\n"
        "def read(text):\n"
        "    return re.search(r'e+f', text, re.I)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("patterned")
    found = {where: p.pattern for _, where, p in patterns_of(module)}
    assert found == {"patterned.TOP": "a+b", "patterned.Reader.LINE": r"c\s*d", "patterned:6": "e+f"}


@pytest.mark.slow
def test_the_worst_inputs_find_a_quadratic_and_an_exponential_pattern():
    """The test above can fail: the patterns this issue found, as they were, are caught."""
    before = {
        "spaces beside punctuation": r"(?<=[，。])[ \t\u3000]+|[ \t\u3000]+(?=[，。])",
        "kepub's sentence end": r"(?:[.!?…]++[\"'”’)）」』]*+(?=\s|$)|[。！？]++[”’）」』]*+)\s*+",
        "the lint's link target": r"`[^`\n]*+`|\]\([^)\n]*+\)",
        "a line's trailing spaces": r"^[ \t]*+|[ \t]++$",
        "nested repeats": r"(a+)+b",
        "a possessive run, tried from each of its characters": r"a++b",
    }
    for name, source in before.items():
        assert next(slow_calls(re.compile(source)), None), name
    assert next(slow_calls(re.compile(r"(?<!a)a++b")), None) is None  # tried from its first only


def test_a_cmap_of_unended_blocks_is_read_in_linear_time():
    """The CMap reader's pattern is made at run time, so the search above does not see it."""
    from briefpress.editions.pdfcmap import read_to_unicode

    for data in (b"beginbfchar" * 20_000, b"beginbfrange <00> " * 10_000):
        assert timed(lambda data=data: read_to_unicode(data))
    assert read_to_unicode(b"1 beginbfchar <01> <4E2D> endbfchar beginbfchar") == {1: "中"}


# -- the rewritten patterns say what they said on ordinary text --------------------------

#: the patterns as they were, by where they are now
BEFORE = {
    "briefpress.typography.marks.SPACE_BESIDE": (
        "(?<=[{P}])[ \\t\\u3000]+|[ \\t\\u3000]+(?=[{P}])",
        " \t\u3000，。“”…a中",
    ),
    "briefpress.editions.kepub.SENTENCE_END": (
        r"(?:[.!?…]++[\"'”’)）」』]*+(?=\s|$)|[。！？]++[”’）」』]*+)\s*+",
        ".!?… \n\"'”)）」。！？a中",
    ),
    "briefpress.typography.lint._STRUCTURE": (
        r"^[ \t]*+(?:>[ \t]*+)*+(?:(?:[-*+]|\d{1,9}[.)]|#{1,6})[ \t]++)?|[ \t]++$",
        " \t>-*+1.)#a中\n",
    ),
    "briefpress.sources.markdown._COMMENT_HEAD": (
        r"\s*\((\d{4}-\d{2}-\d{2})\)\s*[:：]\s*",
        " \n()-:：2a",
    ),
    "briefpress.sources.pagetext._COMMENT": (
        r"(?:\*\*)?(?P<author>[^*()（）]++)(?:\*\*)?\s*+[(（](?P<date>\d{4}-\d{2}-\d{2})[)）]\s*+[:：]\s*+(?P<text>.+)",
        "*()（） -:：2a中",
    ),
}


def _found(match: re.Match | None) -> tuple | None:
    return (match.span(), match.groups()) if match else None


@pytest.mark.parametrize("where", sorted(BEFORE))
def test_a_rewritten_pattern_finds_what_it_found(where):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from briefpress.typography.marks import FULL_PUNCTUATION

    patterns = all_patterns()
    source, alphabet = BEFORE[where]
    before, now = re.compile(source.replace("{P}", FULL_PUNCTUATION)), patterns[where]
    # dates are what these patterns look for: give the drawn text whole ones too
    pieces = st.sampled_from([*alphabet, "2026-06-09", "(2026-06-09)", "（2026-06-09）"])

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(st.lists(pieces, max_size=16).map("".join))
    def same(text: str) -> None:
        assert [_found(m) for m in now.finditer(text)] == [_found(m) for m in before.finditer(text)]
        assert _found(now.match(text)) == _found(before.match(text))
        assert _found(now.fullmatch(text)) == _found(before.fullmatch(text))

    same()


# -- every command limited: check --typography and the build's lint and fix --------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


#: 50,000 spaces between Chinese characters (the worst case: no punctuation to stop at)
#: and 50,000 after a full-width comma (one finding)
SPACES = BODY.replace("第一段。", "第" + " " * 50_000 + "一\n中，" + " " * 50_000 + "文。")


def test_fifty_thousand_spaces_are_linted_and_fixed_within_a_short_timeout(article_file, tmp_path):
    source = article_file(SPACES)
    code, out, err = run("check", "--typography", str(source), "--timeout", "10")
    assert code == 1 and not errors(err), err
    assert out.splitlines() == [f"{source}:15: space beside full-width punctuation: …中， … 文。…"]
    build = ["build", str(source), "-o", str(tmp_path / "out"), "--formats", "html", "--timeout", "15"]
    code, _, err = run(*build, "--fix-punctuation", "--lint")
    assert code == 0 and not errors(err), err
    assert f"{source}:15: warning: space beside full-width punctuation: …中， … 文。…" in err
    page = (tmp_path / "out" / "a" / "a.html").read_text(encoding="utf-8")
    assert "中，文。" in page and "第" + " " * 50_000 + "一" in page  # only the spaces beside go


def test_check_typography_shows_at_most_200_findings_of_a_source(article_file):
    many = article_file(BODY.replace("第一段。", "\n\n".join(["中,文,中,文,中"] * 2_500)), name="many.md")
    few = article_file(BODY.replace("第一段。", "中,文"), name="few.md")
    code, out, err = run("check", "--typography", str(many), str(few))
    assert code == 1 and not errors(err), err
    lines = out.splitlines()
    assert len(lines) == 200 + 1 + 1
    assert all(line.startswith(f"{many}:") for line in lines[:200])
    assert lines[200] == f"… and 9800 more findings in {many} (at most 200 shown)"
    assert lines[201] == f"{few}:14: half-width punctuation in Chinese text: …中,文…"
    assert err.splitlines() == ["10001 typography finding(s) in 2 source(s)"]


def test_check_typography_stops_a_slow_lint_at_its_timeout(article_file, monkeypatch):
    from briefpress.typography import lint

    slow = article_file(BODY.replace("第一段。", "慢,慢"), name="slow.md")
    fine = article_file(BODY.replace("第一段。", "中,文"), name="fine.md")
    real = lint.lint_line

    def lint_line(line: str, spacing: str = "keep"):
        if "慢" in line:
            time.sleep(60)  # in the worker process, which the timeout kills
        return real(line, spacing)

    monkeypatch.setattr(lint, "lint_line", lint_line)
    started = time.monotonic()
    code, out, err = run("check", "--typography", str(slow), str(fine), "--timeout", "1")
    assert time.monotonic() - started < 30
    assert code == 1
    assert errors(err) == [f"{slow}: error: took longer than 1 s (--timeout); its typography is not checked"]
    assert out.splitlines() == [f"{fine}:14: half-width punctuation in Chinese text: …中,文…"]
    assert "Traceback" not in err


def test_check_typography_lints_within_max_memory(article_file, monkeypatch):
    import resource

    from briefpress.typography import lint

    source = article_file(BODY.replace("第一段。", "中,文"))

    def greedy(line: str, spacing: str = "keep"):
        return [("", 0, len(bytearray(2048 * 1024 * 1024)))]  # more than the limit allows

    monkeypatch.setattr(lint, "lint_line", greedy)
    code, _, err = run("check", "--typography", str(source), "--max-memory", "1024")
    assert code == 1
    assert errors(err) == [
        f"{source}: error: ran out of memory within --max-memory 1024 MB; raise it or make the source smaller"
    ]
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 1024 * 1024 * 1024  # not this process


def test_the_lint_limits_are_refused_without_typography(tmp_path):
    code, _, err = run("check", str(tmp_path), "--timeout", "5")
    assert code == 2 and "--timeout and --max-memory limit check --typography only" in err


@pytest.mark.slow
def test_a_kobo_book_of_a_long_run_of_dots_is_built_within_a_short_timeout(article_file, tmp_path):
    source = article_file(BODY.replace("First paragraph.", "It ends" + "." * 99_990 + "x"))
    code, _, err = run(
        "build", str(source), "-o", str(tmp_path), "--formats", "kepub", "--timeout", "60"
    )  # most of it the A4 layout of the page-list
    assert code == 0 and not errors(err), err
    with zipfile.ZipFile(tmp_path / "a" / "a.kepub.epub") as book:
        chapter = book.read("EPUB/02-original.xhtml").decode()
    assert '">It ends' + "." * 99_990 + "x</span>" in chapter  # one sentence: no end before the x


def test_kobo_spans_are_placed_in_one_pass_over_an_inline_s_children():
    """A paragraph of 60,000 emphasised words: each span is not searched for its place
    (that cost the square of the children: 45,000 took 15 s, 60,000 would take 27 s).
    Measured as a ratio, not against the clock: four times the words must cost about four
    times as long (the square would be sixteen), on whatever load the machine has."""
    from lxml import etree

    from briefpress.editions import kepub

    xhtml = "{http://www.w3.org/1999/xhtml}"

    def page(count: int) -> bytes:
        words = "".join(f"<em>字{n}</em>。 " for n in range(count))
        return f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>起。{words}</p></body></html>'.encode()

    def seconds(data: bytes) -> float:
        started = time.perf_counter()
        kepub.kobo_document(data)
        return time.perf_counter() - started

    small, large = page(15_000), page(60_000)
    ratio = min(seconds(large) for _ in range(2)) / min(seconds(small) for _ in range(3))
    assert ratio < 9, f"60,000 words took {ratio:.1f} times as long as 15,000"
    done = kepub.kobo_document(large)
    paragraph = etree.fromstring(done).find(f".//{xhtml}p")
    assert [e.tag for e in paragraph[:4]] == [f"{xhtml}span", f"{xhtml}em", f"{xhtml}span", f"{xhtml}em"]
    assert paragraph[0].text == "起。" and paragraph[1][0].text == "字0" and paragraph[2].text == "。 "
    assert sum(1 for e in paragraph.iter(f"{xhtml}span")) == 120_001
