"""Shared fixtures: the example article, small article files, and a warning-strict report."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from briefpress.errors import Report
from briefpress.options import Options

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "openai-third-phase.md"
#: an article with everything that strains a small screen: a wide table, a long URL, an
#: image in both languages, a quote, long code, a two-paragraph footnote, subheadings
RICH_SOURCE = ROOT / "tests" / "articles" / "rich" / "rich.md"
#: the smallest page dump: one pair of paragraphs, no brief, so one warning says so
MINIMAL = ROOT / "tests" / "dumps" / "minimal.txt"
#: the reader's text as the source has it: without the editions' punctuation fix (on by default)
AS_WRITTEN = Options(fix_punctuation=False)
NO_BRIEF = "no brief ('# 核心观点', '# 跟我们的关联' or '# 讨论引子'): its editions leave out the brief"
MINIMAL_WARNING = f"{MINIMAL}: warning: {NO_BRIEF} [no-brief]"

FRONT = """\
---
title: 测试文章
date: 2026-06-09
---
"""

#: the two texts alone
PAIRS = """\
# 原文

First paragraph.

Second paragraph.

# 译文

第一段。

第二段。
"""
#: the brief an article without one gets from :func:`article_file` (after its body, so that
#: the body's lines keep their numbers): without a brief, an article builds with a warning
PROMPTS = "\n# 讨论引子\n\n1. 这对我们意味着什么？\n"
#: a whole article's body: the texts and discussion prompts
BODY = PAIRS + PROMPTS


class StrictReport(Report):
    """A report that fails the test at teardown if a warning was not claimed."""

    def claim(self, fragment: str) -> str:
        for warning in self.warnings:
            if fragment in warning:
                self.warnings.remove(warning)
                return warning
        raise AssertionError(f"no warning containing {fragment!r} in {self.warnings}")


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """A cache of laid-out chapters, covers and fonts for this test run alone."""
    import os

    os.environ["BRIEFPRESS_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def report():
    report = StrictReport()
    yield report
    assert report.warnings == [], f"unexpected warnings: {report.warnings}"


_BRIEF_HEADINGS = (
    "# 核心观点",
    "# 跟我们的关联",
    "# 讨论引子",
    "# Key points",
    "# Relevance",
    "# Discussion prompts",
)


def with_brief(body: str) -> str:
    """``body``, with discussion prompts after it when it has no brief of its own."""
    lines = {line.strip().casefold() for line in body.splitlines()}
    if any(heading.casefold() in lines for heading in _BRIEF_HEADINGS):
        return body
    return body.rstrip("\n") + "\n" + PROMPTS


@pytest.fixture
def article_file(tmp_path):
    """Write an article source; ``front=None`` leaves out the default front matter, and
    ``brief=False`` the discussion prompts it adds to a body without a brief."""

    def write(body: str = BODY, front: str | None = FRONT, name: str = "a.md", brief: bool = True) -> Path:
        path = tmp_path / name
        body = textwrap.dedent(body)
        text = (front or "") + ("\n" if front else "") + (with_brief(body) if brief else body)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """The example built once with all editions, shared by the edition tests."""
    from briefpress.build.steps import build

    out = tmp_path_factory.mktemp("example")
    report = Report()
    result = build([EXAMPLE], Options(output=out), report)
    assert result.ok, [str(e) for e in result.errors]
    assert result.warnings == []
    return out / "openai-third-phase"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, once per test module (a module may open it its own way)."""
    from briefpress import reading

    with reading.Browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def base(site):
    """The address of the module's built ``site`` folder, served on 127.0.0.1."""
    from briefpress import reading

    with reading.serve(site) as url:
        yield url
