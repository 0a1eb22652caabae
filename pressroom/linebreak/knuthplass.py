"""The Knuth–Plass total-fit algorithm over boxes, glue and penalties (Knuth & Plass 1981,
"Breaking paragraphs into lines"; TeX's \\linepenalty, \\adjdemerits, \\doublehyphendemerits,
\\finalhyphendemerits), with one addition TeX lacks: a hard limit on consecutive hyphens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

INFINITY = 10000  # a penalty of +INFINITY forbids a break, -INFINITY forces one (TeX's 10000)


@dataclass(slots=True)
class Box:
    """Something of fixed width: a word, a syllable, a character, an inline padding."""

    width: float
    pos: int  # offset of its first character in the paragraph's text


@dataclass(slots=True)
class Glue:
    """A word space: a legal break when it follows a box; dropped at a line's start or end."""

    width: float
    stretch: float
    shrink: float
    pos: int  # offset where the next line starts if the break falls here
    last_in_run: bool = False  # the space ends its run of text (see paragraph.Line.hang)


@dataclass(slots=True)
class Penalty:
    """A possible break of cost `penalty`, adding `width` (the hyphen) to its line if taken.
    `flagged` marks hyphen breaks (for the consecutive-hyphen rules); `auto` those that come
    from the hyphenation dictionary, which the first pass leaves out."""

    width: float
    penalty: float
    flagged: bool
    pos: int
    auto: bool = False


Item = Box | Glue | Penalty


@dataclass(frozen=True)
class Params:
    """One pass of the algorithm: what is feasible and what it costs."""

    tolerance: float = 200  # largest badness of a line (TeX's \tolerance)
    hyphenate: bool = True  # dictionary hyphens allowed in this pass
    line_penalty: float = 10
    adj_demerits: float = 10000  # neighbouring lines two fitness classes apart
    double_hyphen_demerits: float = 10000
    final_hyphen_demerits: float = 50000  # a hyphen on the second-to-last line
    max_hyphens_in_row: int = 2
    short_last_line: float = 0.0  # a last line narrower than this (a lone short word) ...
    short_last_demerits: float = 20000  # ... costs this much
    last_line_shrink: bool = False  # the last line is not justified: it may not shrink
    overfull: bool = False  # last resort: a line may overflow (a word wider than the line)
    ragged: float = 0.0  # ragged right: the stretch at a line's end (TeX's \rightskip)


# A node of the breaking graph: (index of the break, first item of the next line, lines set
# before it, fitness class, consecutive hyphenated lines ending here, total demerits, the
# previous node, adjustment ratio of the line it ends). A tuple: the loop makes many.
_Node = tuple[int, int, int, int, int, float, Any, float]


@dataclass(frozen=True)
class Break:
    """A chosen break: the item it falls on and the line it ends."""

    item: int
    ratio: float  # adjustment ratio of the line it ends (negative: shrunk)
    flagged: bool


def _fitness(ratio: float) -> int:
    if ratio < -0.5:
        return 0
    if ratio <= 0.5:
        return 1
    return 2 if ratio <= 1 else 3


class Compiled:
    """A paragraph's items as flat arrays, computed once and reused by every pass and every
    replanning: prefix sums of width, stretch and shrink, and the legal breaks with what each
    costs. (The breaking loop runs over these rather than over the items: it is the cost of
    total fit in a layout, and attribute and type tests on each item were most of it.)"""

    __slots__ = ("breaks", "flagged", "n", "next_start", "starts", "sum_w", "sum_y", "sum_z")

    def __init__(self, items: Sequence[Item]) -> None:
        n = self.n = len(items)
        sum_w = self.sum_w = [0.0] * (n + 1)
        sum_y = self.sum_y = [0.0] * (n + 1)
        sum_z = self.sum_z = [0.0] * (n + 1)
        flagged = self.flagged = [False] * (n + 1)  # index -1 (the paragraph's start): False
        # (index, penalty, width, flagged, auto) of every item a line may end on.
        self.breaks: list[tuple[int, float, float, bool, bool]] = []
        # Text offset -> the index of the first glue or penalty there: where a line that
        # starts at that offset is taken to follow (-1: the paragraph's start).
        starts: dict[int, int] = {}
        w = y = z = 0.0
        previous_box = False
        for i, item in enumerate(items):
            if isinstance(item, Box):
                w += item.width
                previous_box = True
            elif isinstance(item, Glue):
                if previous_box:
                    self.breaks.append((i, 0.0, 0.0, False, False))
                w += item.width
                y += item.stretch
                z += item.shrink
                previous_box = False
                starts.setdefault(item.pos, i)
            else:
                if item.penalty < INFINITY:
                    self.breaks.append((i, item.penalty, item.width, item.flagged, item.auto))
                    starts.setdefault(item.pos, i)
                flagged[i] = item.flagged
                previous_box = False
            sum_w[i + 1], sum_y[i + 1], sum_z[i + 1] = w, y, z
        # After a break at i the next line starts at the next box or forced break: spaces
        # and penalties between are dropped.
        next_start = self.next_start = [n] * (n + 1)
        following = n
        for i in range(n - 1, -1, -1):
            next_start[i] = following
            item = items[i]
            if isinstance(item, Box) or (isinstance(item, Penalty) and item.penalty <= -INFINITY):
                following = i
        next_start[-1] = following  # after index -1: the paragraph's first box
        starts[0] = -1
        self.starts = starts


def breakpoints(
    items: Sequence[Item] | Compiled,
    widths: tuple[float, float],
    params: Params,
    after: int = -1,
    no_hyphen_lines: frozenset[int] = frozenset(),
) -> list[Break] | None:
    """The total-fit breaks of the items after the break at index `after` (-1: the whole
    paragraph, which must end with a forced break), for lines of widths[0] (the first) and
    widths[1] (the rest); None if no feasible set exists under `params`. Lines in
    `no_hyphen_lines` (0-based) may not end in a hyphen."""
    c = items if isinstance(items, Compiled) else Compiled(items)
    n = c.n
    sum_w, sum_y, sum_z, flagged_at = c.sum_w, c.sum_y, c.sum_z, c.flagged
    next_start = c.next_start
    start = next_start[after]
    first_width, width_rest = widths
    tolerance, hyphenate, overfull = params.tolerance, params.hyphenate, params.overfull
    ragged, max_hyphens = params.ragged, params.max_hyphens_in_row
    line_penalty, adj = params.line_penalty, params.adj_demerits
    double, final = params.double_hyphen_demerits, params.final_hyphen_demerits
    short_last, short_demerits = params.short_last_line, params.short_last_demerits
    last_shrink = params.last_line_shrink
    # A node: (break index, next line's first item, lines before it, fitness class,
    # consecutive hyphens ending here, total demerits, previous node, ratio of its line).
    root: _Node = (after, start, 0, 1, 1 if flagged_at[after] else 0, 0.0, None, 0.0)
    active: list[_Node] = [root]
    for i, penalty, width, flagged, auto in c.breaks:
        if i < start or (auto and not hyphenate):
            continue
        forced = penalty <= -INFINITY
        last = i == n - 1
        kept: list[_Node] = []
        best: dict[tuple[int, int], _Node] = {}
        following = next_start[i]
        at_w, at_y, at_z = sum_w[i], sum_y[i], sum_z[i]
        for a in active:
            a_item, a_start, a_line, a_fit, a_hyph, a_dem, a_prev, _ = a
            line_width = first_width if a_line == 0 else width_rest
            natural = at_w - sum_w[a_start] + width
            if natural < line_width:
                stretch = at_y - sum_y[a_start] + ragged
                ratio = (line_width - natural) / stretch if stretch > 0 else float(INFINITY)
            elif natural > line_width:
                shrink = 0.0 if last and not last_shrink else at_z - sum_z[a_start]
                ratio = (line_width - natural) / shrink if shrink > 0 else -float(INFINITY)
            else:
                ratio = 0.0
            if ratio >= -1:
                if not forced:
                    kept.append(a)  # this node may still start a line that ends later
                # TeX's badness, not capped at 10000 as TeX's is: in the emergency pass a
                # nearly empty line must still cost more than a merely loose one.
                badness = 100 * ratio**3 if ratio >= 0 else -100 * ratio**3
                if badness > 1e9:
                    badness = 1e9
            elif not overfull:
                continue
            else:  # last pass only: an overfull line costs more than any underfull one
                overflow = (natural - line_width) / line_width if line_width > 0 else 1.0
                badness = 1e10 * (1 + overflow)
            if last:
                badness = 0.0 if natural <= line_width or last_shrink else badness
                if badness > tolerance or (a_hyph and not overfull):
                    continue  # the last line is not the tail of a hyphenated word
            elif badness > tolerance:
                continue
            hyphens = a_hyph + 1 if flagged else 0
            if hyphens > max_hyphens or (flagged and a_line in no_hyphen_lines):
                continue
            d = (line_penalty + badness) ** 2
            if 0 <= penalty < INFINITY:
                d += penalty**2
            elif -INFINITY < penalty < 0:
                d -= penalty**2
            if flagged_at[a_item]:
                if flagged:
                    d += double
                if last:
                    d += final
            if last:
                fitness = 1
                if natural < short_last:
                    d += short_demerits
            else:
                fitness = _fitness(ratio)
                if a_prev is not None and (fitness - a_fit > 1 or a_fit - fitness > 1):
                    d += adj
            key = (fitness, hyphens)
            total = a_dem + d
            other = best.get(key)
            if other is None or total < other[5]:
                best[key] = (i, following, a_line + 1, fitness, hyphens, total, a, ratio)
        active = kept + list(best.values()) if best else kept
        if not active:
            return None
    final_nodes = [a for a in active if a[0] == n - 1]
    if not final_nodes:
        return None
    node: _Node | None = min(final_nodes, key=lambda a: a[5])
    result: list[Break] = []
    while node is not None and node[6] is not None:
        result.append(Break(node[0], node[7], flagged_at[node[0]]))
        node = node[6]
    return result[::-1]
