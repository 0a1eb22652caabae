"""The diff of two cited pandoc ASTs: blocks matched first, then the words of matched blocks.

The result is the new document with what changed marked as pandoc `insertion`/`deletion` Spans
(author and date as attributes), which pandoc's DOCX writer turns into Word tracked changes and
its HTML writer into spans. A change the author did not make (a note that went from full to
short form because an earlier citation was added; a section renumbered) is marked too, but with
the class `automatic`, so that each output can show or hide it (views.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

from .. import tree
from .tokens import Node, Token, dump, identity, rebuild, tokenize, with_inner

INSERTION, DELETION = "insertion", "deletion"
AUTOMATIC = "automatic"
AUTOMATIC_AUTHOR = "pressroom (citation forms and numbers)"
# A Span with this id prefix marks a wholly inserted or deleted paragraph: the DOCX post-pass
# gives its paragraph mark the revision (pandoc's writer cannot) and removes it elsewhere.
PARAGRAPH_MARK = "redline-pm-"
ROW_MARK = "redline-row-"  # likewise, a wholly inserted or deleted table row (w:trPr)
SIMILAR = 0.5  # share of words two blocks must have in common to be diffed as one


@dataclass(frozen=True)
class Change:
    kind: str  # INSERTION or DELETION
    automatic: bool = False


@dataclass(frozen=True)
class Marker:
    """Who made the changes and when: the attributes of every change Span."""

    author: str
    date: str
    automatic: bool = False
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1), compare=False)

    @property
    def inserted(self) -> Change:
        return Change(INSERTION, self.automatic)

    @property
    def deleted(self) -> Change:
        return Change(DELETION, self.automatic)

    def span(self, change: Change, inlines: list[Node]) -> list[Node]:
        classes = [change.kind, AUTOMATIC] if change.automatic else [change.kind]
        author = AUTOMATIC_AUTHOR if change.automatic else self.author
        attr = ["", classes, [["author", author], ["date", self.date]]]
        return [{"t": "Span", "c": [attr, inlines]}]

    def paragraph_mark(self, change: Change, prefix: str = PARAGRAPH_MARK) -> Node:
        ident = f"{prefix}{change.kind}-{next(self.counter)}"
        return {"t": "Span", "c": [[ident, [], []], []]}


def diff_documents(
    old: dict[str, Any], new: dict[str, Any], author: str, date: str
) -> dict[str, Any]:
    """The new document, with its changes from the old one marked."""
    marker = Marker(author, date)
    return {**new, "blocks": diff_blocks(old["blocks"], new["blocks"], marker)}


# --- blocks -----------------------------------------------------------------------------


def diff_blocks(old: list[Node], new: list[Node], marker: Marker) -> list[Node]:
    return _sequence(old, new, marker, _block_align, _similar_blocks, _merge_block, mark_blocks)


def _block_align(block: Node) -> str:
    """What blocks are matched by: a Div with an id by its id (a bibliography entry by its
    source), anything else by what it says, citations and numbers by what they refer to."""
    if block["t"] == "Div" and block["c"][0][0]:
        return dump(["Div", block["c"][0][0]])
    return dump(identity(block))


def _sequence(
    old: list[Any],
    new: list[Any],
    marker: Marker,
    align: Callable[[Any], str],
    similar: Callable[[Any, Any], bool],
    merge: Callable[[Any, Any, Marker], list[Any]],
    mark: Callable[[list[Any], Change, Marker], list[Any]],
) -> list[Any]:
    """Align two sequences (blocks, list items, table rows); diff the pairs; mark the rest."""
    a, b = [align(x) for x in old], [align(y) for y in new]
    out: list[Any] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            for x, y in zip(old[i1:i2], new[j1:j2], strict=True):
                out.extend(_pair(x, y, marker, merge))
            continue
        j = j1
        for x in old[i1:i2]:
            k = _best(x, new, j, j2, similar)
            if k is None:
                out.extend(mark([x], marker.deleted, marker))
                continue
            out.extend(mark(new[j:k], marker.inserted, marker))
            out.extend(_pair(x, new[k], marker, merge))
            j = k + 1
        out.extend(mark(new[j:j2], marker.inserted, marker))
    return out


def _pair(
    x: Any, y: Any, marker: Marker, merge: Callable[[Any, Any, Marker], list[Any]]
) -> list[Any]:
    """Two matched things: the new one if it prints the same, else their diff (automatic if
    they say the same and only citeproc's or pressroom's rendering differs)."""
    if x == y:
        return [y]
    if not marker.automatic and identity(x) == identity(y):
        marker = replace(marker, automatic=True)
    return merge(x, y, marker)


def _best(
    x: Any, new: list[Any], start: int, stop: int, similar: Callable[[Any, Any], bool]
) -> int | None:
    for k in range(start, stop):
        if similar(x, new[k]):
            return k
    return None


def _kind(block: Node) -> str:
    t = block["t"]
    return "Para" if t == "Plain" else t


def _words(value: Any) -> list[str]:
    """The words a reader sees outside notes (a citation's printed text, not its locator)."""
    out: list[str] = []

    def visit(node: Node) -> bool | None:
        t = node.get("t")
        if t == "Str":
            out.append(node["c"])
        elif t in ("Space", "SoftBreak", "LineBreak", "Para", "Plain", "Header"):
            out.append(" ")
        elif t == "Note":
            return True
        elif t == "Cite":
            tree.walk(node["c"][1], visit)
            return True
        return None

    tree.walk(value, visit)
    return "".join(out).split()


def similarity(x: Any, y: Any) -> float:
    a, b = _words(x), _words(y)
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _similar_blocks(x: Node, y: Node) -> bool:
    if _kind(x) != _kind(y):
        return False
    if x["t"] == "Div":
        return bool(x["c"][0][1] == y["c"][0][1] and x["c"][0][0] == y["c"][0][0])
    if x["t"] == "Header" and x["c"][0] != y["c"][0]:
        return False
    return similarity(x, y) >= SIMILAR


def _merge_block(x: Node, y: Node, marker: Marker) -> list[Node]:
    t, c = y["t"], y["c"]
    if t in ("Para", "Plain") and x["t"] in ("Para", "Plain"):
        return [{"t": t, "c": diff_inlines(x["c"], c, marker)}]
    if t == "Header":
        return [{"t": t, "c": [c[0], c[1], diff_inlines(x["c"][2], c[2], marker)]}]
    if t in ("Div", "Figure"):
        return [
            {
                "t": t,
                "c": [c[0], *_merge_caption(x, y, marker), diff_blocks(x["c"][-1], c[-1], marker)],
            }
        ]
    if t == "BlockQuote":
        return [{"t": t, "c": diff_blocks(x["c"], c, marker)}]
    if t == "BulletList":
        return [{"t": t, "c": _diff_items(x["c"], c, marker)}]
    if t == "OrderedList":
        return [{"t": t, "c": [c[0], _diff_items(x["c"][1], c[1], marker)]}]
    if t == "Table":
        table = _diff_table(x, y, marker)
        if table is not None:
            return [table]
    return [*mark_blocks([x], marker.deleted, marker), *mark_blocks([y], marker.inserted, marker)]


def _merge_caption(x: Node, y: Node, marker: Marker) -> list[Any]:
    if y["t"] != "Figure":
        return []
    short, long = y["c"][1]
    return [[short, diff_blocks(x["c"][1][1], long, marker)]]


def _diff_items(old: list[list[Node]], new: list[list[Node]], marker: Marker) -> list[list[Node]]:
    def merge(x: list[Node], y: list[Node], m: Marker) -> list[list[Node]]:
        return [diff_blocks(x, y, m)]

    def mark(items: list[list[Node]], change: Change, m: Marker) -> list[list[Node]]:
        return [mark_blocks(item, change, m) for item in items]

    def similar(x: list[Node], y: list[Node]) -> bool:
        return similarity(x, y) >= SIMILAR

    return _sequence(old, new, marker, lambda i: dump(identity(i)), similar, merge, mark)


# --- tables: cell by cell when their columns are the same ---------------------------------


def _diff_table(x: Node, y: Node, marker: Marker) -> Node | None:
    _, xcap, xcols, xhead, xbodies, xfoot = x["c"]
    attr, cap, cols, head, bodies, foot = y["c"]
    if len(xcols) != len(cols) or len(xbodies) != len(bodies):
        return None
    caption = [cap[0], diff_blocks(xcap[1], cap[1], marker)]
    head = [head[0], _diff_rows(xhead[1], head[1], marker)]
    bodies = [
        [b[0], b[1], _diff_rows(xb[2], b[2], marker), _diff_rows(xb[3], b[3], marker)]
        for xb, b in zip(xbodies, bodies, strict=True)
    ]
    foot = [foot[0], _diff_rows(xfoot[1], foot[1], marker)]
    return {"t": "Table", "c": [attr, caption, cols, head, bodies, foot]}


def _shape(row: list[Any]) -> list[tuple[int, int]]:
    return [(cell[2], cell[3]) for cell in row[1]]


def _diff_rows(old: list[Any], new: list[Any], marker: Marker) -> list[Any]:
    def merge(x: list[Any], y: list[Any], m: Marker) -> list[Any]:
        cells = [
            [*cell[:4], diff_blocks(xcell[4], cell[4], m)]
            for xcell, cell in zip(x[1], y[1], strict=True)
        ]
        return [[y[0], cells]]

    def similar(x: list[Any], y: list[Any]) -> bool:
        return _shape(x) == _shape(y) and similarity(x[1], y[1]) >= SIMILAR

    return _sequence(old, new, marker, lambda r: dump(identity(r)), similar, merge, mark_rows)


def mark_rows(rows: list[Any], change: Change, marker: Marker) -> list[Any]:
    """Whole rows inserted or deleted: every cell's words, and a marker for the row itself."""
    out = []
    for attr, cells in rows:
        cells = [[*cell[:4], mark_blocks(cell[4], change, marker)] for cell in cells]
        if cells:
            first = cells[0][4]
            row_mark = marker.paragraph_mark(change, ROW_MARK)
            if first and first[0]["t"] in ("Para", "Plain"):
                first[0] = {"t": first[0]["t"], "c": [*first[0]["c"], row_mark]}
            else:
                first.insert(0, {"t": "Plain", "c": [row_mark]})
        out.append([attr, cells])
    return out


# --- inlines ----------------------------------------------------------------------------


def diff_inlines(old: list[Node], new: list[Node], marker: Marker) -> list[Node]:
    """The words of two matched blocks: tokens aligned, then the changed runs marked."""
    a, b = tokenize(old), tokenize(new)
    # Most revised paragraphs change a few words: the common ends need no matcher.
    start = 0
    while start < min(len(a), len(b)) and a[start].exact == b[start].exact:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end].exact == b[-1 - end].exact:
        end += 1
    items: list[tuple[Token, Change | None]] = [(t, None) for t in b[:start]]
    mid_a, mid_b = a[start : len(a) - end], b[start : len(b) - end]
    matcher = SequenceMatcher(
        None, [t.align for t in mid_a], [t.align for t in mid_b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(mid_a[i1:i2], mid_b[j1:j2], strict=True):
                items.append((_pair_atoms(x, y, marker), None))
            continue
        items += [(x, marker.deleted) for x in mid_a[i1:i2]]
        items += [(y, marker.inserted) for y in mid_b[j1:j2]]
    items += [(t, None) for t in b[len(b) - end :]]
    return rebuild(items, lambda tok, change: _leaf(tok, change, marker), marker.span)


def _pair_atoms(x: Token, y: Token, marker: Marker) -> Token:
    """Two aligned tokens: the new one, or, for a note, citation or number that changed, a
    token holding their diff."""
    if x.exact == y.exact or y.node is None or x.node is None:
        return y
    if not marker.automatic and x.ident == y.ident:
        marker = replace(marker, automatic=True)
    node, old = y.node, x.node
    if node["t"] == "Image":  # the same file: shown as it now is
        return y
    if node["t"] == "Note":
        merged = {"t": "Note", "c": diff_blocks(old["c"], node["c"], marker)}
    else:  # a Cite, number Span or cross-ref Link: the printed text inside, word by word
        merged = with_inner(node, diff_inlines(old["c"][1], node["c"][1], marker))
    return Token(y.kind, y.marks, y.align, y.ident, y.exact, merged)


def _leaf(token: Token, change: Change | None, marker: Marker) -> list[Node]:
    """An atom as inlines; inserted or deleted, marked inside what holds links or notes."""
    node = token.node
    assert node is not None
    if change is None:
        return [node]
    t = node["t"]
    if t == "Note":  # the call and the note's own text (pandoc marks only the call)
        return marker.span(
            change, [{"t": "Note", "c": mark_blocks(node["c"], change, marker, False)}]
        )
    if t in ("Cite", "Span", "Link"):
        return [with_inner(node, mark_inlines(node["c"][1], change, marker))]
    return marker.span(change, [node])


def mark_inlines(inlines: list[Node], change: Change, marker: Marker) -> list[Node]:
    """Every word of `inlines` inserted or deleted."""
    items = [(t, change) for t in tokenize(inlines)]
    return rebuild(items, lambda tok, ch: _leaf(tok, ch, marker), marker.span)


def mark_blocks(
    blocks: list[Node], change: Change, marker: Marker, paragraphs: bool = True
) -> list[Node]:
    """Whole blocks inserted or deleted: their words, and (`paragraphs`) their paragraph marks,
    so that accepting a deletion in Word leaves no empty paragraph behind."""
    return [_mark_block(b, change, marker, paragraphs) for b in blocks]


def _mark_block(block: Node, change: Change, marker: Marker, paragraphs: bool) -> Node:
    t, c = block["t"], block.get("c", [])

    def inl(inlines: list[Node]) -> list[Node]:
        marked = mark_inlines(inlines, change, marker)
        return [*marked, marker.paragraph_mark(change)] if paragraphs and marked else marked

    def blk(blocks: list[Node]) -> list[Node]:
        return mark_blocks(blocks, change, marker, paragraphs)

    if t in ("Para", "Plain"):
        return {"t": t, "c": inl(c)}
    if t == "Header":
        return {"t": t, "c": [c[0], c[1], inl(c[2])]}
    if t == "BlockQuote":
        return {"t": t, "c": blk(c)}
    if t == "Div":
        return {"t": t, "c": [c[0], blk(c[1])]}
    if t == "Figure":
        return {"t": t, "c": [c[0], [c[1][0], blk(c[1][1])], blk(c[2])]}
    if t == "BulletList":
        return {"t": t, "c": [blk(item) for item in c]}
    if t == "OrderedList":
        return {"t": t, "c": [c[0], [blk(item) for item in c[1]]]}
    if t == "LineBlock":
        return {"t": t, "c": [mark_inlines(line, change, marker) for line in c]}
    if t == "DefinitionList":
        return {
            "t": t,
            "c": [[mark_inlines(term, change, marker), [blk(d) for d in defs]] for term, defs in c],
        }
    if t == "Table":
        attr, cap, cols, head, bodies, foot = c
        return {
            "t": t,
            "c": [
                attr,
                [cap[0], blk(cap[1])],
                cols,
                [head[0], mark_rows(head[1], change, marker)],
                [
                    [b[0], b[1], mark_rows(b[2], change, marker), mark_rows(b[3], change, marker)]
                    for b in bodies
                ],
                [foot[0], mark_rows(foot[1], change, marker)],
            ],
        }
    # Code, raw blocks, rules: no inlines to mark; a Div says what happened to them (HTML, PDF).
    return {"t": "Div", "c": [["", [change.kind], []], [block]]}
