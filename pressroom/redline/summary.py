"""The box at the top of a redline: which versions, when, how many changes, how they are shown,
and (on the web page) a list of every change that links to it."""

from __future__ import annotations

from typing import Any

from .diff import DELETION, INSERTION
from .tokens import Node
from .views import Record

EXCERPT = 70  # characters of a change's text in the list


def summary(
    records: list[Record],
    automatic: int,
    old: str,
    new: str,
    author: str,
    date: str,
    blind: bool,
) -> list[Node]:
    """The summary as pandoc blocks (a Div `redline-summary`)."""
    inserted = sum(1 for r in records if r.inserted and not r.deleted)
    deleted = sum(1 for r in records if r.deleted and not r.inserted)
    replaced = len(records) - inserted - deleted
    in_notes = sum(1 for r in records if r.note is not None)
    by = "" if blind else f" by {author}"
    counts = (
        f"{_n(len(records), 'change')}: {inserted} inserted, {deleted} deleted, {replaced} "
        f"replaced; {in_notes} of them in notes."
        if records
        else "No changes."
    )
    blocks = [
        _para(f"Changes from {old} to {new}{by}, dated {date[:10]}. {counts}"),
        {
            "t": "Para",
            "c": [
                *_words("Shown as"),
                {"t": "Space"},
                _change(INSERTION, "inserted"),
                *_words(", "),
                _change(DELETION, "deleted"),
                *_words("; a bar in the margin marks a changed paragraph or note."),
            ],
        },
    ]
    if automatic:
        blocks.append(
            _para(
                f"{_n(automatic, 'citation or number', 'citations or numbers')} that changed "
                "only because of these changes (a note's full or short form, a section's number) "
                f"{'is' if automatic == 1 else 'are'} shown as now printed, unmarked."
            )
        )
    if records:
        moves = _moves(records)
        items = [[{"t": "Plain", "c": [_link(r, moves.get(r.ident))]}] for r in records]
        blocks.append(
            _div(
                "redline-changes",
                [{"t": "OrderedList", "c": [[1, {"t": "Decimal"}, {"t": "Period"}], items]}],
            )
        )
    return [_div("redline-summary", blocks)]


def _n(count: int, noun: str, plural: str = "") -> str:
    return f"1 {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def _words(text: str) -> list[Node]:
    out: list[Node] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _para(text: str) -> Node:
    return {"t": "Para", "c": _words(text)}


def _div(cls: str, blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [["", [cls], []], blocks]}


def _change(kind: str, text: str) -> Node:
    """A sample of the marking, for the legend (no author: it marks nothing)."""
    return {"t": "Span", "c": [["", [kind], []], _words(text)]}


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _moves(records: list[Record]) -> dict[str, str]:
    """A passage deleted in one place and inserted, word for word, in another: for each of the
    two changes, where the other one is."""
    inserted = {r.inserted: r for r in records if r.inserted and not r.deleted}
    moves: dict[str, str] = {}
    for r in records:
        other = inserted.get(r.deleted) if r.deleted and not r.inserted else None
        if other is not None and len(r.deleted.split()) > 3:
            moves[r.ident] = f"moved to {other.section or 'the opening'}"
            moves[other.ident] = f"moved from {r.section or 'the opening'}"
    return moves


def _link(record: Record, move: str | None = None) -> Node:
    where = record.section or "Opening"
    if record.note is not None:
        where += f", note {record.note}"
    if move:
        what = f"{move}: “{_excerpt(record.deleted or record.inserted)}”"
    elif record.deleted and record.inserted:
        what = f"“{_excerpt(record.deleted)}” → “{_excerpt(record.inserted)}”"
    elif record.deleted:
        what = f"deleted “{_excerpt(record.deleted)}”"
    else:
        what = f"inserted “{_excerpt(record.inserted)}”"
    inlines: list[Any] = _words(f"{where}: {what}")
    return {"t": "Link", "c": [["", [], []], inlines, ["#" + record.ident, ""]]}
