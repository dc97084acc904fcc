"""Lining up an original and its translation block by block, to say where they differ.

The method is Gale and Church's ("A program for aligning sentences in bilingual
corpora", 1993): a dynamic programme over the two lists of blocks, where each step
("bead") pairs one block with one (1-1), leaves a block of either side without a
counterpart (1-0, 0-1), or pairs two blocks with one (2-1, 1-2). A bead costs the
negative log of its likelihood: a prior for its shape, the improbability of the two
lengths under a normal model of their difference, and, for what Gale and Church did
not have, anchors that a translation keeps: numbers, Latin words the translation
leaves untranslated (names, acronyms), footnote labels, and the block's kind (a
heading faces a heading). The cheapest path is the alignment. Its first difference
is named as certain when the cheapest path that explains it otherwise (another block
left out, two merged instead of one missing) costs :data:`CONFIDENT` more.

Lengths are counted in "English characters": non-space characters, a CJK character
counting :data:`CJK_WEIGHT`. The constants were measured on ``examples/`` (the
article the seed page holds) and ``tests/articles/``: the ratio 2.76 with a variance
of 1.7 per character on the example's 23 pairs, 2.1 over all 40; the variance used is
the rounder, wider one.

The programme runs in a band around the diagonal as wide as the difference of the
counts plus :data:`SLACK`, each row pruned to a beam, and not at all beyond
:data:`MAX_CELLS` cells: two sides of 2,000 blocks (the most a section holds) that
differ by one take 20,000 cells, about half a second.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: a CJK character (Han, kana, hangul, full-width forms) weighs this many Latin ones
CJK_WEIGHT = 2.75
#: Gale–Church's s²: the variance of the length difference per character of length
VARIANCE = 2.0
#: characters added to every length in the variance, so that short headings weigh less
SHORT = 10.0
#: costs (negative log likelihoods) of a bead's shape beyond 1-1
SKIP = 5.0
MERGE = 5.0
#: a block facing a block of another kind; a heading facing one of another level
KIND = 10.0
LEVEL = 3.0
#: the band's width beyond the difference of the counts, and the most cells computed
SLACK = 3
MAX_CELLS = 40_000
#: cells costing more than this beyond the cheapest of their row are left out
BEAM = 3 * SKIP
#: how much cheaper (in nats) the first difference found must be than any other
#: explanation of it for the message to name it as certain
CONFIDENT = 2.0

STEPS = ((1, 0), (0, 1), (2, 1), (1, 2), (1, 1))  # ties go to the first: differences late

#: a CJK character: Han, kana, hangul, full-width forms
CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6\U00020000-\U0003ffff]")
_SPACE = re.compile(r"\s")
_NUMBER = re.compile("[0-9\uff10-\uff19]++")
_WORD = re.compile("[A-Za-z][A-Za-z0-9]++")  # of two characters or more
_STOP = re.compile("[.!?\u3002\uff01\uff1f]++")
_PROSE = frozenset(("paragraph", "blockquote"))
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Unit:
    """A block as the aligner sees it."""

    kind: str
    text: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Features:
    kind: str
    length: float  # in English characters
    wide: float  # of which CJK characters
    sentences: int
    numbers: frozenset[str]
    words: frozenset[str]  # Latin words, casefolded
    names: frozenset[str]  # those with two capitals or more (AI, OpenAI): kept in a translation
    labels: frozenset[str]

    @property
    def cjk(self) -> bool:
        """Mostly CJK text (the translation, as a rule)."""
        return self.wide * 2 > self.length

    def __add__(self, other: Features) -> Features:
        return Features(
            self.kind,
            self.length + other.length,
            self.wide + other.wide,
            self.sentences + other.sentences,
            self.numbers | other.numbers,
            self.words | other.words,
            self.names | other.names,
            self.labels | other.labels,
        )


def features(unit: Unit) -> Features:
    text = unit.text
    visible = _SPACE.sub("", text)
    cjk = len(visible) - len(CJK.sub("", visible))
    words = set(_WORD.findall(text))
    length = (len(visible) - cjk) + cjk * CJK_WEIGHT
    return Features(
        unit.kind,
        length,
        cjk * CJK_WEIGHT,
        len(_STOP.findall(text)),
        frozenset(n.translate(_WIDE_DIGITS).lstrip("0") or "0" for n in _NUMBER.findall(text)),
        frozenset(w.casefold() for w in words),
        frozenset(w.casefold() for w in words if w[1:] != w[1:].lower()),
        frozenset(unit.labels),
    )


def length_cost(a: float, b: float) -> float:
    """Gale–Church: −log P(|δ| at least this), δ the normalised difference of the lengths."""
    delta = abs(b - a) / math.sqrt(VARIANCE * ((a + b) / 2 + SHORT))
    if delta < 8:
        return -math.log(math.erfc(delta / math.sqrt(2)))
    return delta * delta / 2 + math.log(delta * math.sqrt(math.pi / 2))  # erfc's tail


def anchor_cost(a: Features, b: Features) -> float:
    """What the two blocks share or lack of what a translation keeps as it is."""
    cost = 0.0
    if a.numbers or b.numbers:
        numbers = a.numbers & b.numbers
        if numbers:
            cost -= min(4.0, sum(0.5 * min(len(n), 4) for n in numbers))
        cost += min(1.5, 0.3 * (len(a.numbers) + len(b.numbers) - 2 * len(numbers)))
    if a.cjk != b.cjk:  # the Latin words the CJK side keeps are anchors, and names
        kept, other, names = (a.words, b.words, b.names) if a.cjk else (b.words, a.words, a.names)
        if kept:
            words = len(kept & other)
            cost += min(4.5, 1.5 * (len(kept) - words)) - min(2.8, 0.7 * words)
        if names:
            cost += min(2.1, 0.7 * len(names - kept))
    if a.labels or b.labels:
        labels = len(a.labels & b.labels)
        cost += min(10.0, 5.0 * (len(a.labels) + len(b.labels) - 2 * labels)) - min(6.0, 3.0 * labels)
    if a.kind in _PROSE:
        cost += min(4.0, 1.0 * abs(a.sentences - b.sentences))
    return cost


def pair_cost(a: Features, b: Features) -> float:
    cost = length_cost(a.length, b.length) + anchor_cost(a, b)
    if a.kind != b.kind:
        both_headings = a.kind.startswith("heading") and b.kind.startswith("heading")
        cost += LEVEL if both_headings else KIND
    return cost


@dataclass(frozen=True)
class Bead:
    """``original[i : i + di]`` faces ``translation[j : j + dj]``."""

    i: int
    j: int
    di: int
    dj: int


@dataclass(frozen=True)
class Alignment:
    beads: list[Bead]
    #: the beads that are not 1-1, in order
    differences: list[Bead]
    #: how much likelier the first difference is than the next-best explanation (nats)
    margin: float
    #: that explanation's first bead that is not 1-1, when there is one
    rival: Bead | None

    @property
    def confident(self) -> bool:
        return self.margin >= CONFIDENT


Cost = Callable[[int, int, int, int], float]


def bead_costs(a: Sequence[Features], b: Sequence[Features]) -> Cost:
    """The cost of the bead ``a[i : i + di]`` facing ``b[j : j + dj]``."""
    # two neighbours of one kind, as one block: what a bead of two faces
    a2 = [x + y if x.kind == y.kind else None for x, y in zip(a, a[1:], strict=False)]
    b2 = [x + y if x.kind == y.kind else None for x, y in zip(b, b[1:], strict=False)]

    def cost(i: int, j: int, di: int, dj: int) -> float:
        if di == 0 or dj == 0:
            return SKIP
        if di == dj == 1:
            return pair_cost(a[i], b[j])
        two, one = (a2[i], b[j]) if di == 2 else (b2[j], a[i])
        if two is None or two.kind != one.kind:
            return math.inf
        return MERGE + pair_cost(two, one)

    return cost


class Band:
    """The cells ``(i, j)`` the programme visits: row ``i`` holds ``lo[i] ≤ j ≤ hi[i]``."""

    def __init__(self, n: int, m: int):
        half = abs(n - m) + SLACK
        self.n, self.m = n, m
        self.lo = [max(0, math.floor(i * m / n - half)) if n else 0 for i in range(n + 1)]
        self.hi = [min(m, math.ceil(i * m / n + half)) if n else m for i in range(n + 1)]
        self.cells = sum(h - lo + 1 for lo, h in zip(self.lo, self.hi, strict=True))

    def rows(self, fill: float) -> list[array]:
        return [array("d", [fill]) * (h - lo + 1) for lo, h in zip(self.lo, self.hi, strict=True)]


class Programme:
    """The cheapest path through the band: the first sweep computes every step's cost
    (pruning each row to a beam of :data:`BEAM` around its cheapest cell), later ones
    reuse them with some steps forbidden."""

    def __init__(self, band: Band, cost: Cost):
        self.band = band
        #: the cost of each step into each cell (from a cell the first sweep kept)
        self.costs = [band.rows(math.inf) for _ in STEPS]
        self.total, self.beads = self.sweep(cost, None)

    def sweep(self, fresh: Cost | None, ban: tuple[int, int, int] | None) -> tuple[float, list[Bead]]:
        """The cheapest path's cost and beads: with ``fresh``, computing the costs; without
        the steps ``ban`` names (step, row, column; -1 for any row or column)."""
        band, costs = self.band, self.costs
        banned, row_banned, column_banned = ban or (-1, -1, -1)
        los, his = band.lo, band.hi
        forward = band.rows(math.inf)
        step = [array("b", [0]) * len(row) for row in forward]
        forward[0][0] = 0.0
        for i in range(band.n + 1):
            lo, row = los[i], forward[i]
            for j in range(lo, his[i] + 1):
                best, arg = row[j - lo], -1
                for s, (di, dj) in enumerate(STEPS):
                    pi, pj = i - di, j - dj
                    if pi < 0 or not los[pi] <= pj <= his[pi]:
                        continue
                    if s == banned and row_banned in (-1, pi) and column_banned in (-1, pj):
                        continue
                    start = forward[pi][pj - los[pi]]
                    if start == math.inf:
                        continue
                    if fresh is not None:
                        costs[s][i][j - lo] = fresh(pi, pj, di, dj)
                    if start + costs[s][i][j - lo] < best - 1e-9:
                        best, arg = start + costs[s][i][j - lo], s
                if arg >= 0:
                    row[j - lo], step[i][j - lo] = best, arg
            if fresh is not None and i < band.n:
                floor = min(row) + BEAM
                for k, value in enumerate(row):
                    if value > floor:
                        row[k] = math.inf
        total = forward[band.n][band.m - los[band.n]]
        return total, (self.path(step) if total < math.inf else [])

    def path(self, step: list[array]) -> list[Bead]:
        band, beads = self.band, []
        i, j = band.n, band.m
        while i or j:
            di, dj = STEPS[step[i][j - band.lo[i]]]
            i, j = i - di, j - dj
            beads.append(Bead(i, j, di, dj))
        return beads[::-1]

    def rival(self, first: Bead) -> tuple[float, Bead | None]:
        """The cheapest path that does not find ``first`` (nor leaves its block without a
        counterpart elsewhere), and its first difference that the best path does not have."""

        step = STEPS.index((first.di, first.dj))
        if first.dj == 0:
            ban = (step, first.i, -1)  # the block left out, wherever the translation is
        elif first.di == 0:
            ban = (step, -1, first.j)
        else:
            ban = (step, first.i, first.j)
        total, beads = self.sweep(None, ban)
        taken = set(self.beads)
        other = next((b for b in beads if (b.di, b.dj) != (1, 1) and b not in taken), None)
        return total, other


def align(original: Sequence[Unit], translation: Sequence[Unit]) -> Alignment | None:
    """The cheapest alignment of the two sides, or None when it would take too long."""
    band = Band(len(original), len(translation))
    if band.cells > MAX_CELLS:
        return None
    a, b = [features(u) for u in original], [features(u) for u in translation]
    programme = Programme(band, bead_costs(a, b))
    if programme.total == math.inf:  # the beam lost every path: sides too unlike to align
        return None
    beads = programme.beads
    differences = [bead for bead in beads if (bead.di, bead.dj) != (1, 1)]
    if not differences:
        return Alignment(beads, differences, math.inf, None)
    rival, which = programme.rival(differences[0])
    return Alignment(beads, differences, rival - programme.total, which)
