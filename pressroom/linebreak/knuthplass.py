"""The Knuth–Plass total-fit algorithm over boxes, glue and penalties (Knuth & Plass 1981,
"Breaking paragraphs into lines"; TeX's \\linepenalty, \\adjdemerits, \\doublehyphendemerits,
\\finalhyphendemerits), with one addition TeX lacks: a hard limit on consecutive hyphens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(slots=True)
class _Node:
    item: int  # index of the break item (or the paragraph's start)
    start: int  # index of the first item of the next line
    line: int  # lines set before this break
    fitness: int
    hyphens: int  # consecutive hyphenated lines ending here
    demerits: float
    previous: _Node | None
    ratio: float


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


def _next_start(items: Sequence[Item], index: int) -> int:
    """After a break at `index`, the next line starts at the next box (spaces are dropped)."""
    i = index + 1
    while i < len(items):
        item = items[i]
        if isinstance(item, Box) or (isinstance(item, Penalty) and item.penalty <= -INFINITY):
            return i
        i += 1
    return i


def breakpoints(
    items: Sequence[Item],
    widths: tuple[float, float],
    params: Params,
    after: int = -1,
    no_hyphen_lines: frozenset[int] = frozenset(),
) -> list[Break] | None:
    """The total-fit breaks of the items after the break at index `after` (-1: the whole
    paragraph, which must end with a forced break), for lines of widths[0] (the first) and
    widths[1] (the rest); None if no feasible set exists under `params`. Lines in
    `no_hyphen_lines` (0-based) may not end in a hyphen."""
    n = len(items)
    sum_w = [0.0] * (n + 1)
    sum_y = [0.0] * (n + 1)
    sum_z = [0.0] * (n + 1)
    for i, item in enumerate(items):
        w = y = z = 0.0
        if isinstance(item, Box):
            w = item.width
        elif isinstance(item, Glue):
            w, y, z = item.width, item.stretch, item.shrink
        sum_w[i + 1] = sum_w[i] + w
        sum_y[i + 1] = sum_y[i] + y
        sum_z[i + 1] = sum_z[i] + z
    start = _next_start(items, after)
    before = items[after] if after >= 0 else None
    run = 1 if isinstance(before, Penalty) and before.flagged else 0
    active: list[_Node] = [_Node(after, start, 0, 1, run, 0.0, None, 0.0)]
    for i in range(start, n):
        item = items[i]
        if isinstance(item, Glue):
            if i == start or not isinstance(items[i - 1], Box):
                continue
            penalty, width, flagged = 0.0, 0.0, False
        elif isinstance(item, Penalty):
            if item.penalty >= INFINITY or (item.auto and not params.hyphenate):
                continue
            penalty, width, flagged = item.penalty, item.width, item.flagged
        else:
            continue
        active = _try_break(items, i, penalty, width, flagged, active, params, widths,
                            (sum_w, sum_y, sum_z), no_hyphen_lines)
        if not active:
            return None
    final = [a for a in active if a.item == n - 1]
    if not final:
        return None
    best = min(final, key=lambda a: a.demerits)
    result: list[Break] = []
    node: _Node | None = best
    while node is not None and node.previous is not None:
        item = items[node.item]
        result.append(Break(node.item, node.ratio, isinstance(item, Penalty) and item.flagged))
        node = node.previous
    return result[::-1]


def _try_break(
    items: Sequence[Item],
    i: int,
    penalty: float,
    width: float,
    flagged: bool,
    active: list[_Node],
    params: Params,
    widths: tuple[float, float],
    sums: tuple[list[float], list[float], list[float]],
    no_hyphen_lines: frozenset[int],
) -> list[_Node]:
    """Consider a break at item i from every active node; return the new active list."""
    sum_w, sum_y, sum_z = sums
    forced = penalty <= -INFINITY
    last = i == len(items) - 1
    kept: list[_Node] = []
    best: dict[tuple[int, int], _Node] = {}
    start = -1  # the next line's first item, found once a break here is feasible
    for a in active:
        line_width = widths[0] if a.line == 0 else widths[1]
        natural = sum_w[i] - sum_w[a.start] + width
        if natural < line_width:
            stretch = sum_y[i] - sum_y[a.start] + params.ragged
            ratio = (line_width - natural) / stretch if stretch > 0 else float(INFINITY)
        elif natural > line_width:
            shrink = sum_z[i] - sum_z[a.start]
            if last and not params.last_line_shrink:
                shrink = 0.0
            ratio = (line_width - natural) / shrink if shrink > 0 else -float(INFINITY)
        else:
            ratio = 0.0
        if ratio >= -1 and not forced:
            kept.append(a)  # this node may still start a line that ends later
        if ratio < -1 and not params.overfull:
            continue
        # TeX's badness, not capped at 10000 as TeX's is: in the emergency pass a nearly
        # empty line must still cost more than a merely loose one. An overfull line (last
        # pass only) costs more than any underfull one, and more the further it sticks out.
        overflow = (natural - line_width) / line_width if line_width > 0 else 1.0
        badness = min(100 * abs(ratio) ** 3, 1e9) if ratio >= -1 else 1e10 * (1 + overflow)
        if last:
            badness = 0.0 if natural <= line_width or params.last_line_shrink else badness
        if badness > params.tolerance:
            continue
        if last and a.hyphens and not params.overfull:
            continue  # the last line is not the tail of a hyphenated word (but see overfull)
        hyphens = a.hyphens + 1 if flagged else 0
        if hyphens > params.max_hyphens_in_row or (flagged and a.line in no_hyphen_lines):
            continue
        demerits = _demerits(items, a, i, badness, penalty, flagged, ratio, natural, params)
        fitness = _fitness(ratio) if not last else 1
        key = (fitness, hyphens)
        if start < 0:
            start = _next_start(items, i)
        node = _Node(i, start, a.line + 1, fitness, hyphens, a.demerits + demerits, a, ratio)
        if key not in best or node.demerits < best[key].demerits:
            best[key] = node
    return kept + list(best.values())


def _demerits(
    items: Sequence[Item],
    a: _Node,
    i: int,
    badness: float,
    penalty: float,
    flagged: bool,
    ratio: float,
    natural: float,
    params: Params,
) -> float:
    """TeX's demerits for the line from node `a` to the break at item i."""
    d = (params.line_penalty + badness) ** 2
    if 0 <= penalty < INFINITY:
        d += penalty**2
    elif -INFINITY < penalty < 0:
        d -= penalty**2
    previous = items[a.item] if a.item >= 0 else None
    prev_flagged = isinstance(previous, Penalty) and previous.flagged
    last = i == len(items) - 1
    if flagged and prev_flagged:
        d += params.double_hyphen_demerits
    if last and prev_flagged:
        d += params.final_hyphen_demerits
    if last and natural < params.short_last_line:
        d += params.short_last_demerits
    if not last and a.previous is not None and abs(_fitness(ratio) - a.fitness) > 1:
        d += params.adj_demerits
    return d
