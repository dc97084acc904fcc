"""Hypothesis strategies for article sources: what a fixed corpus of test articles never has.

An article is drawn block by block, each block in both languages (the n-th block of the
original pairs with the n-th of the translation): paragraphs, subheadings, lists,
quotes, code, tables and images; inline marks (bold, emphasis, code, links, footnote
references); and the scripts a renderer must find glyphs for: English with accents,
Simplified and Traditional Chinese, kana, Greek, symbols, emoji and characters no
installed font has.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

#: characters no installed font has (CJK Extension H), and an emoji (no emoji font either)
NO_FONT = "\U00031350\U00031351"
EMOJI = "\U0001f600\U0001f4da"

LATIN_WORDS = st.text(string.ascii_letters + "éèüñøÆ", min_size=1, max_size=12)
SIMPLIFIED = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理世车"
)
TRADITIONAL = "臺灣開放資料從政府到社區年價值數量願意變成日常工具開發應該誰維護沒人使用網站體驗實際處理"
KANA = "ひらがなカタカナ"
SYMBOLS = "αβγΩ→≤∞±×÷§¶©®™€£¥…—–“”‘’"
PUNCTUATION_ZH = "，。、；：？！（）《》“”"


def _run(alphabet: str, low: int = 1, high: int = 20) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=low, max_size=high)


english_text = st.lists(LATIN_WORDS, min_size=1, max_size=14).map(" ".join)
chinese_text = st.one_of(
    _run(SIMPLIFIED, 2, 40), _run(TRADITIONAL, 2, 30), _run(SIMPLIFIED + PUNCTUATION_ZH, 2, 40)
)
extra_text = st.one_of(_run(KANA, 1, 6), _run(SYMBOLS, 1, 6), _run(EMOJI, 1, 2), _run(NO_FONT, 1, 2))


@st.composite
def inline(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """A line of text with inline marks, in one language (``base``), with other scripts mixed in."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        text = draw(base).strip() or "x"
        kind = draw(st.sampled_from(["plain", "plain", "bold", "em", "code", "link", "extra"]))
        if kind == "bold":
            text = f"**{text}**"
        elif kind == "em":
            text = f"*{text}*"
        elif kind == "code":
            code = draw(st.text(string.ascii_letters + " =()._[]", min_size=1, max_size=20)).strip()
            text = f"`{code or 'x'}`"
        elif kind == "link":
            path = draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))
            text = f"[{text}](https://example.org/{path})"
        elif kind == "extra":
            text = f"{text} {draw(extra_text)}"
        parts.append(text)
    return " ".join(parts)


@st.composite
def block_pair(draw: st.DrawFn, notes: list[str], image: str | None) -> tuple[str, str]:
    """One block in both languages."""
    kind = draw(st.sampled_from(["paragraph"] * 4 + ["heading", "list", "quote", "code", "table", "image"]))
    en, zh = inline(english_text), inline(chinese_text)
    if kind == "heading":
        return "## " + draw(english_text), "## " + draw(chinese_text)
    if kind == "list":
        count = draw(st.integers(1, 3))
        return "\n".join("- " + draw(en) for _ in range(count)), "\n".join(
            "- " + draw(zh) for _ in range(count)
        )
    if kind == "quote":
        return "> " + draw(en), "> " + draw(zh)
    if kind == "code":
        alphabet = string.ascii_letters + string.digits + string.punctuation + "  中文"
        code = draw(st.lists(st.text(alphabet, min_size=1, max_size=60), min_size=1, max_size=4))
        fence = "```\n" + "\n".join(line.replace("`", "'") for line in code) + "\n```"
        return fence, fence
    if kind == "table":
        columns, rows = draw(st.integers(2, 4)), draw(st.integers(1, 3))

        def table(cell: st.SearchStrategy[str]) -> str:
            lines = ["| " + " | ".join(f"H{n}" for n in range(columns)) + " |", "|" + " --- |" * columns]
            lines += [
                "| " + " | ".join(draw(cell).replace("|", " ") for _ in range(columns)) + " |"
                for _ in range(rows)
            ]
            return "\n".join(lines)

        return table(english_text), table(chinese_text)
    if kind == "image" and image:
        return f"![{draw(english_text)}]({image})", f"![{draw(chinese_text)}]({image})"
    # a footnote is referenced in both languages (the reader pairs them by label)
    note = f"[^{draw(st.sampled_from(notes))}]" if notes and draw(st.booleans()) else ""
    return draw(en) + note, draw(zh) + note


@st.composite
def article_source(draw: st.DrawFn, date: str = "2026-06-09", image: str | None = None) -> str:
    """A whole article source, valid by the format: front matter, brief, original, translation."""
    notes = draw(st.lists(st.sampled_from(["a", "b", "note"]), max_size=2, unique=True))
    pairs = draw(st.lists(block_pair(notes, image), min_size=1, max_size=6))
    if notes and not any(f"[^{n}]" in en for n in notes for en, _ in pairs):
        pairs.append((f"See the note.[^{notes[0]}]", f"见注释。[^{notes[0]}]"))
    used = [n for n in notes if any(f"[^{n}]" in en for en, _ in pairs)]
    title = draw(st.one_of(chinese_text, st.tuples(chinese_text, extra_text).map("".join))).strip() or "标题"
    points = draw(st.lists(inline(chinese_text), max_size=3))
    prompts = draw(st.lists(chinese_text, max_size=3))
    lines = ["---", f"title: '{title}'", f"date: {date}", "---", ""]
    if points:
        lines += ["# 核心观点", *[f"- **{draw(chinese_text).strip() or '要点'}** {p}" for p in points], ""]
    if prompts:
        lines += ["# 讨论引子", *[f"{n}. {p.strip() or '问题'}?" for n, p in enumerate(prompts, 1)], ""]
    lines += ["# 原文", ""]
    for en, _ in pairs:
        lines += [en, ""]
    lines += [f"[^{n}]: {draw(english_text)}" for n in used] + [""]
    lines += ["# 译文", ""]
    for _, zh in pairs:
        lines += [zh, ""]
    lines += [f"[^{n}]: {draw(chinese_text)}" for n in used]
    return "\n".join(lines) + "\n"
