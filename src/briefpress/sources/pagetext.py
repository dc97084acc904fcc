"""The text of an article page of the newsletter site, parsed into its parts.

A dump holds, after the site's chrome: the title, the verdict, a date line, the brief
(key points, relevance, prompts), then the text three times — the full translation,
the bilingual pairs, the original — and the discussion archive. The three copies of
the text are compared, never guessed between (``--prefer`` chooses a side).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from ..cjk import ideographs
from ..errors import Report, SourceError, SourceErrors
from .mismatch import quote

CHROME = {"返回列表", "🧠 阿头学", "打开原文 ↗", "讨论进行中…", "讨论进行中..."}
TABS = {"阅读简报", "双语对照", "完整翻译", "原文", "讨论归档"}
MARKERS = {"核心观点": "key_points", "跟我们的关联": "relevance", "讨论引子": "prompts"}
ARCHIVE = {"📋 讨论归档", "讨论归档"}

_DATE_LINE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s+原文链接\s*↗?)?")
_BULLET = re.compile(r"[•·●▪‣]\s*")
_PROMPT_START = re.compile(r"1[.．、]\s*")
#: a numbered line (from the first digit of a run only, so a search is linear too)
_NUMBERED = re.compile(r"(?<!\d)\d++[.．、]")
_LATIN = re.compile(r"[A-Za-z]")
# possessive, and tried from the start of the author's run only: a long line that is no
# comment fails in linear time, even in a search
_COMMENT = re.compile(
    r"(?:\*\*)?(?<![^*()（）])(?P<author>[^*()（）]++)(?:\*\*)?\s*+[(（](?P<date>\d{4}-\d{2}-\d{2})[)）]\s*+[:：]\s*+(?P<text>.+)"
)
_SENTENCE_END = '?？。！!.;；…"”)）'
FINAL_PUNCT = '.!?:;,"”’)…。！？：；，）*'


@dataclass
class Line:
    number: int  # 1-based line in the dump
    text: str  # stripped


@dataclass
class Dump:
    """What a dump says, before it becomes Markdown."""

    title: Line
    summary: Line | None
    date: Line
    key_points: list[tuple[str | None, Line]] = field(default_factory=list)
    relevance: list[Line] = field(default_factory=list)
    prompts: list[tuple[str, Line]] = field(default_factory=list)
    original: list[Line] = field(default_factory=list)
    translation: list[Line] = field(default_factory=list)
    comments: list[tuple[str, str, Line]] | None = None


def is_chinese(text: str) -> bool:
    """Chinese when Han characters are a fair share of the letters (names in Latin are fine)."""
    han = ideographs(text)
    return han > 0 and han * 3 >= len(_LATIN.findall(text))


def sniff(head: str) -> bool:
    lines = [line.strip() for line in head.split("\n")[:40]]
    if lines and lines[0].startswith("---"):
        return False
    return any(re.fullmatch(r"\d{4}-\d{2}-\d{2}\s+原文链接\s*↗?", line) for line in lines) or (
        bool(lines) and lines[0] == "返回列表"
    )


# -- dump -> Dump ------------------------------------------------------------------------


class DumpParser:
    def __init__(self, path: Path, text: str, report: Report, prefer: str | None):
        self.path = path
        self.report = report
        self.prefer = prefer
        self.lines = [Line(n, raw.strip()) for n, raw in enumerate(text.split("\n"), start=1)]

    def error(self, message: str, line: int | None) -> SourceError:
        return SourceError(message, self.path, line)

    def parse(self) -> Dump:
        content = [line for line in self.lines if line.text and line.text not in CHROME]
        if not content:
            raise self.error("not a page dump: expected a title line", 1)
        title = content[0]
        if _DATE_LINE.fullmatch(title.text):
            raise self.error("not a page dump: expected a title line before the date", title.number)
        dates = [(i, m) for i, line in enumerate(content) if (m := _DATE_LINE.fullmatch(line.text))]
        if not dates:
            raise self.error(
                f"not a page dump: no date line ('YYYY-MM-DD 原文链接 ↗') after the title "
                f"(line {title.number})",
                title.number,
            )
        date_index, date_match = dates[0]
        between = content[1:date_index]
        if len(between) > 1:
            raise self.error(
                "expected one verdict line between the title and the date line; found "
                f"{len(between)} (lines {', '.join(str(line.number) for line in between)})",
                between[1].number,
            )
        date = Line(content[date_index].number, date_match[1])
        dump = Dump(title=title, summary=between[0] if between else None, date=date)

        rest = content[date_index + 1 :]
        i = 0
        while i < len(rest) and rest[i].text in TABS:
            i += 1
        i = self.brief(rest, i, dump)
        archive = next((j for j in range(i, len(rest)) if rest[j].text in ARCHIVE), None)
        body = rest[i:archive] if archive is not None else rest[i:]
        if archive is not None:
            dump.comments = [self.comment(line) for line in rest[archive + 1 :]]
        self.body(body, dump, rest[i - 1].number if i else date.number)
        return dump

    def brief(self, rest: list[Line], i: int, dump: Dump) -> int:
        """Read the brief's sections from ``rest[i:]``; return where the body starts."""
        seen: set[str] = set()
        while i < len(rest) and rest[i].text in MARKERS:
            key = MARKERS[rest[i].text]
            if key in seen:
                raise self.error(f"'{rest[i].text}' appears twice", rest[i].number)
            seen.add(key)
            marker = rest[i]
            i += 1
            if key == "prompts":
                # a prompt is written once; a numbered line the dump repeats is the text's
                # first paragraph ("4. …" in the translation, then in the pairs)
                written = Counter(line.text for line in rest)
                start = i
                while i < len(rest) and _NUMBERED.match(rest[i].text) and written[rest[i].text] == 1:
                    i += 1
                dump.prompts = self.prompts(rest[start:i], marker)
                continue
            while i < len(rest) and _BULLET.match(rest[i].text):
                item = Line(rest[i].number, _BULLET.sub("", rest[i].text, count=1))
                if key == "key_points":
                    label, _, text = item.text.partition(" ")
                    dump.key_points.append(
                        (label, Line(item.number, text.strip())) if text.strip() else (None, item)
                    )
                else:
                    dump.relevance.append(item)
                i += 1
            if not (dump.key_points if key == "key_points" else dump.relevance):
                raise self.error(f"'{marker.text}' is followed by no '•' items", marker.number)
        return i

    def prompts(self, lines: list[Line], marker: Line) -> list[tuple[str, Line]]:
        """Split '1. … 2. … 3. …' (on one or several lines) into prompts.

        A number is taken as the start of the next prompt only if it is the next number
        in sequence and stands after the end of a sentence (or at the start of a line),
        so '2028 年 3 月', '3.5 倍' or 'Python 3. ' inside a prompt do not split it.
        """
        if not lines or not _PROMPT_START.match(lines[0].text):
            raise self.error(f"'{marker.text}' is followed by no '1. …' prompt", marker.number)
        prompts: list[tuple[str, Line]] = []
        number = 1
        for line in lines:
            text = line.text
            if not re.match(rf"{number}[.．、]\s*", text):
                if not prompts:
                    raise self.error(f"expected prompt {number} here", line.number)
                # a continuation line of the previous prompt
                previous, where = prompts[-1]
                prompts[-1] = (f"{previous} {text}", where)
                text = ""
            while text:
                head = re.match(rf"{number}[.．、]\s*", text)
                assert head is not None
                text = text[head.end() :]
                cut = self.next_prompt(text, number + 1)
                prompts.append((text[:cut].strip(), line))
                text = text[cut:]
                number += 1
        return prompts

    @staticmethod
    def next_prompt(text: str, number: int) -> int:
        candidates = [m.start() for m in re.finditer(rf"(?<=\s){number}[.．、]\s", text)]
        for start in candidates:
            before = text[:start].rstrip()
            if before and before[-1] in _SENTENCE_END:
                return start
        # prompts without final punctuation: split only where it is unambiguous
        return candidates[0] if len(candidates) == 1 else len(text)

    def comment(self, line: Line) -> tuple[str, str, Line]:
        match = _COMMENT.fullmatch(line.text)
        if match is None:
            raise self.error(
                "unrecognised line in the discussion archive: expected 'author (YYYY-MM-DD): text'",
                line.number,
            )
        return match["author"].strip(), match["date"], Line(line.number, match["text"].strip())

    # -- the three copies of the text -----------------------------------------------------

    def body(self, body: list[Line], dump: Dump, after: int) -> None:
        if not any(not is_chinese(line.text) for line in body):
            raise self.error(
                "no English text: expected the translation, the bilingual pairs and the "
                "original after the brief",
                body[0].number if body else after,
            )
        chinese = [is_chinese(line.text) for line in body]
        lead = 0
        while lead < len(body) and chinese[lead]:
            lead += 1
        pairs = 0
        while (
            lead + 2 * pairs + 1 < len(body)
            and not chinese[lead + 2 * pairs]
            and chinese[lead + 2 * pairs + 1]
        ):
            pairs += 1
        tail = body[lead + 2 * pairs :]
        stray = next((line for line in tail if is_chinese(line.text)), None)
        if stray is not None:
            raise self.error(
                "Chinese text after the bilingual pairs: expected only the English original "
                "here (a pair may be missing its English half)",
                stray.number,
            )
        translation = body[:lead]
        pair_en = [body[lead + 2 * k] for k in range(pairs)]
        pair_zh = [body[lead + 2 * k + 1] for k in range(pairs)]
        original = tail
        dump.original, dump.translation = self.cross_check(translation, pair_en, pair_zh, original)

    def cross_check(
        self, translation: list[Line], pair_en: list[Line], pair_zh: list[Line], original: list[Line]
    ) -> tuple[list[Line], list[Line]]:
        problems: list[SourceError] = []
        for name, section, halves in (
            ("translation", translation, pair_zh),
            ("original", original, pair_en),
        ):
            for k, a, b in differences(section, halves):
                problems.append(self.disagreement(name, k, a, b))
        if not problems:
            return pair_en, pair_zh
        if self.prefer == "pairs":
            for problem in problems:
                self.report.warn(
                    f"{problem.message} (kept the pairs' text)",
                    self.path,
                    problem.line,
                    code="dump-disagrees",
                )
            return pair_en, pair_zh
        if self.prefer == "sections":
            if len(original) != len(translation):
                raise self.error(
                    f"the original has {len(original)} paragraphs and the translation "
                    f"{len(translation)}: they cannot be paired; use --prefer pairs",
                    (original or translation)[0].number,
                )
            for problem in problems:
                self.report.warn(
                    f"{problem.message} (kept the sections' text)",
                    self.path,
                    problem.line,
                    code="dump-disagrees",
                )
            return original, translation
        raise SourceErrors(problems)

    def disagreement(self, name: str, k: int, a: Line | None, b: Line | None) -> SourceError:
        side = "Chinese" if name == "translation" else "English"
        if a is None or b is None:
            present = a or b
            assert present is not None
            where = f"the {name} section" if a else f"the pairs' {side} halves"
            other = f"the pairs' {side} halves" if a else f"the {name} section"
            return self.error(
                f"paragraph {k + 1} ({quote(present.text)}) is in {where} but not in {other}: the "
                "copies must agree (or choose one with --prefer pairs|sections)",
                present.number,
            )
        column = next(
            (i for i, (x, y) in enumerate(zip(a.text, b.text, strict=False)) if x != y),
            min(len(a.text), len(b.text)),
        )
        return self.error(
            f"the {name} (line {a.number}) and the {side} half of pair {k + 1} (line {b.number}) "
            f"differ at character {column + 1}: {a.text[column : column + 12]!r} vs "
            f"{b.text[column : column + 12]!r} (fix one, or choose with --prefer pairs|sections)",
            a.number,
        )


#: copies whose differing middles hold more paragraphs than this (multiplied) are
#: compared position by position, not diffed
MAX_DIFF = 250_000


def differences(section: list[Line], halves: list[Line]) -> Iterator[tuple[int, Line | None, Line | None]]:
    """Where two copies of one text differ, lined up as a diff lines them (a paragraph
    missing from one copy is that one, not every one after it): the paragraph's place
    (in ``halves`` when it is there), and each copy's paragraph, or None."""
    a, b = [line.text for line in section], [line.text for line in halves]
    head = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a, b = a[head : len(a) - tail], b[head : len(b) - tail]
    opcodes: Sequence[tuple[str, int, int, int, int]] = [("replace", 0, len(a), 0, len(b))]
    if len(a) * len(b) <= MAX_DIFF:
        opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        for k in range(max(i2 - i1, j2 - j1) if tag != "equal" else 0):
            x = section[head + i1 + k] if i1 + k < i2 else None
            y = halves[head + j1 + k] if j1 + k < j2 else None
            yield head + (j1 + k if y is not None else i1 + k), x, y


# -- Dump -> Markdown --------------------------------------------------------------------
