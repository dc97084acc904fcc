"""``briefpress new "Title"``: an article source with every section, each with a one-line
comment saying what goes there. It builds as written; the comments are not rendered
(the reader blanks ``<!-- … -->`` lines, the YAML front matter ignores ``#`` lines)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path

from .build.output import stage
from .errors import BuildError, UsageError
from .options.kinds import Slug

SKELETON = """\
---
# Required: the title (in Chinese, as the brief is) and the date, YYYY-MM-DD.
title: {title}
date: {date}
# The one-line verdict under the title. Uncomment what you know:
summary: 一句话结论：这篇文章讲了什么，值不值得读。
# source_url: https://example.com/the-original
# source_title: The original's own title
# author: The original's author or organisation
# translator: 译者
# tags: [标签一, 标签二]
---

# 核心观点
<!-- Key points: one bullet each, opening with a bold label. -->
- **要点** 用一两句话说清这一点。

# 跟我们的关联
<!-- What this means for us: bullets in the same form. -->
- **关联** 这对我们意味着什么，下一步做什么。

# 讨论引子
<!-- Numbered questions for the meeting; each gets ruled lines in the handout. -->
1. 你同意作者的判断吗？为什么？

# 原文
<!-- The English original, block by block: paragraphs, subheadings, quotes, lists, tables, images. -->
Paste the original text here, one paragraph per block.

# 译文
<!-- The Chinese translation: one block for each block of the original, in the same order. -->
在这里贴译文，段落与原文一一对应。

# 讨论归档
<!-- After the meeting: - **name** (YYYY-MM-DD): what they said. It may stay empty. -->
"""


def slug_for(title: str, date: dt.date) -> str:
    """A file name from the title's Latin letters and digits; else from the date and a
    short hash of the title, so that two Chinese titles of one day get two names."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:60].strip("-")
    return slug if slug else f"article-{date.isoformat()}-{hashlib.sha256(title.encode()).hexdigest()[:6]}"


def new_article(title: str, folder: Path, date: dt.date | None = None, slug: str | None = None) -> Path:
    """Write ``folder/<slug>.md``; never over an existing file."""
    title = " ".join(title.split())
    if not title:
        raise UsageError("the title is empty (see 'briefpress new --help')")
    date = date or dt.date.today()
    slug = slug or slug_for(title, date)
    try:
        Slug().check(slug)
    except ValueError as exc:
        raise UsageError(f"--slug {exc}, not {slug!r}") from None
    target = folder / f"{slug}.md"
    # the title as a YAML string: JSON's quoting is valid YAML and keeps every character
    text = SKELETON.format(title=json.dumps(title, ensure_ascii=False), date=date.isoformat())
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = stage(target, text.encode("utf-8"))  # written in full beside it first
        os.link(temp, target)  # then put in place in one step, never over an existing file
    except FileExistsError:
        raise BuildError("already exists; choose another name with --slug", target) from None
    except OSError as exc:
        raise BuildError(f"cannot write it: {exc.strerror or exc}", target) from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    return target
