"""The original and the translation side by side: blocks pair by position, footnotes
by label, and every mismatch is an error that names the block with no counterpart."""

from __future__ import annotations

from ..model import CITATION, Article, Block, Footnote
from .mismatch import Sides, first_unlike, mismatch, unlike_kinds
from .tokens import Notes, Section, SourceFile, children, line_of


def footnote_definitions(src: SourceFile, section: Section) -> Notes:
    """The section's footnote definitions; one that is never referenced is a warning."""
    notes: Notes = {}
    tokens = section.tokens
    for label, line in section.env.get("footnotes_twice", []):  # the editions would drop one
        raise src.error(
            f"footnote [^{label}] is defined twice in '# {section.heading}'; give each note its own label",
            section.first_line + line if line is not None else section.line,
        )
    for start, end in children(tokens, "footnote_open"):
        label = tokens[start].meta["label"]
        body = [t for t in tokens[start + 1 : end] if t.type != "footnote_anchor"]
        notes[label] = (body, line_of(body, section.line))
    refs = section.env.get("footnotes", {}).get("refs", {})
    for key, index in refs.items():
        if index == -1:
            label = key[1:]
            src.warn(
                f"footnote [^{label}] is defined but never referenced in '# {section.heading}'; "
                "it is left out",
                definition_line(src, section, label),
                code="unused-footnote",
            )
    return notes


def definition_line(src: SourceFile, section: Section, label: str) -> int:
    pattern = f"[^{label}]:"
    for index in range(section.first_line - 1, len(src.lines)):
        if src.lines[index].lstrip().startswith(pattern):
            return index + 1
    return section.line


def raise_undefined(
    src: SourceFile,
    section: Section,
    undefined: list[tuple[str, int]],
    elsewhere: tuple[str, Notes] | None = None,
) -> None:
    """The first footnote referenced but not defined in ``section``, as an error."""
    for label, line in undefined:
        if elsewhere and label in elsewhere[1]:
            raise src.error(
                f"footnote [^{label}] is defined in the {elsewhere[0]} "
                f"(line {elsewhere[1][label][1]}) but not in '# {section.heading}': "
                "footnotes pair by label, so define it in both",
                line,
            )
        raise src.error(
            f"footnote [^{label}] is referenced but never defined in "
            f"'# {section.heading}': add a line '[^{label}]: text'",
            line,
        )


def check_pairing(
    src: SourceFile,
    original_section: Section,
    original: list[Block],
    translation_section: Section,
    translation: list[Block],
) -> None:
    """The n-th block of the original faces the n-th of the translation, of the same kind.

    When they do not, the two sides are aligned (:mod:`.align`) and the message names the
    block with no counterpart, or the two that face one (:mod:`.mismatch`)."""
    sides = Sides(original, translation, lambda line: src.source_line(line) or line)
    if len(original) != len(translation):
        message, line = mismatch(sides, (original_section.heading, translation_section.heading))
        raise src.error(message, line)
    k = first_unlike(original, translation)
    if k < len(original):
        message, line = unlike_kinds(sides, k)
        src.warn(message, line, code="unlike-blocks")


def pair_footnotes(
    src: SourceFile,
    first_line: int,
    original: list[Block],
    original_notes: Notes,
    translation: list[Block] | None,
    translation_notes: Notes,
) -> list[Footnote]:
    """Every footnote referenced, numbered in order of reference, in both languages."""
    order: list[str] = []
    for block in [*original, *(translation or [])]:
        for label in block.note_labels:
            if label not in order:
                order.append(label)
    if translation is not None:
        for label in order:
            for have, lack, notes, other in (
                ("original", "translation", original_notes, translation_notes),
                ("translation", "original", translation_notes, original_notes),
            ):
                if label in notes and label not in other:
                    raise src.error(
                        f"footnote [^{label}] is defined in the {have} but not in the "
                        f"{lack}: footnotes pair by label, so define it in both",
                        notes[label][1],
                    )
    footnotes = []
    for number, label in enumerate(order, start=1):
        orig, trans = original_notes.get(label), translation_notes.get(label)
        line = (orig or trans or ([], first_line))[1]
        footnotes.append(
            Footnote(label, number, orig[0] if orig else None, trans[0] if trans else None, line)
        )
    return footnotes


def check_citations(src: SourceFile, article: Article) -> None:
    """A "¶N" in the brief or a prompt that names no pair of the article is a warning: the
    editions print it as written, a locator that leads nowhere."""
    pairs = {pair.index for pair in article.pairs}
    cited = [item.body for item in (*article.key_points, *article.relevance)] + list(article.prompts)
    for text in cited:
        for match in CITATION.finditer(text.text):
            if int(match[1]) not in pairs:
                src.warn(
                    f"'{match[0]}' cites a paragraph the article does not have (its pairs are "
                    f"¶1-¶{len(pairs)}): write the number shown beside the paragraph",
                    text.line,
                    code="no-such-pair",
                )
