"""What each output shows of a marked document (diff.py).

- tracked (DOCX): every change, the automatic ones (a citation's full or short form, a number)
  under their own author, so that Accept All gives exactly the new text and Reject All exactly
  the old;
- reader (HTML, PDF, highlighted DOCX): the author's changes only, numbered, with a summary;
  what changed only because of them shows in its new form, unmarked."""

from __future__ import annotations

import copy
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import tree
from .diff import AUTOMATIC, DELETION, INSERTION, PARAGRAPH_MARK, ROW_MARK
from .docx import DELETED_STYLE, INSERTED_STYLE
from .tokens import NUMBER_SPANS, Node

INLINES = {
    "Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
    "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link",
    "Image", "Note", "Span",
}  # fmt: skip


def map_inlines(value: Any, fn: Callable[[list[Node]], list[Node]]) -> Any:
    """A copy of pandoc JSON with `fn` applied to every list of inlines, innermost first."""
    if isinstance(value, list):
        items = [map_inlines(v, fn) for v in value]
        if items and isinstance(items[0], dict) and items[0].get("t") in INLINES:
            return fn(items)
        return items
    if isinstance(value, dict):
        return {k: map_inlines(v, fn) for k, v in value.items()}
    return value


def change_of(node: Node) -> str | None:
    """INSERTION or DELETION if `node` is a change Span."""
    if node.get("t") != "Span":
        return None
    classes = node["c"][0][1]
    return next((c for c in classes if c in (INSERTION, DELETION)), None)


def is_automatic(node: Node) -> bool:
    return change_of(node) is not None and AUTOMATIC in node["c"][0][1]


def _is_marker(node: Node) -> bool:
    return node.get("t") == "Span" and node["c"][0][0].startswith((PARAGRAPH_MARK, ROW_MARK))


def reader(ast: dict[str, Any]) -> dict[str, Any]:
    """The author's changes only: automatic ones accepted, paragraph-mark markers gone."""

    def accept(inlines: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in inlines:
            if _is_marker(node) or (is_automatic(node) and change_of(node) == DELETION):
                continue
            if is_automatic(node):
                out.extend(node["c"][1])
            else:
                out.append(node)
        return out

    return {**ast, "blocks": map_inlines(ast["blocks"], accept)}


def count_automatic(ast: dict[str, Any]) -> int:
    """Citations and numbers that print differently only because of other changes."""
    found = 0

    def visit(node: Node) -> bool | None:
        nonlocal found
        t = node.get("t")
        atom = t == "Cite" or _numbered(node) or (t == "Link" and "cross-ref" in node["c"][0][1])
        if atom and any(is_automatic(n) for n in tree.nodes(node["c"], "Span")):
            found += 1
            return True
        return None

    tree.walk(ast["blocks"], visit)
    return found


def _numbered(node: Node) -> bool:
    return node.get("t") == "Span" and bool(NUMBER_SPANS & set(node["c"][0][1]))


@dataclass(frozen=True)
class Record:
    """One change as the list of changes names it."""

    ident: str
    section: str
    note: int | None
    deleted: str
    inserted: str


def number_changes(ast: dict[str, Any]) -> tuple[dict[str, Any], list[Record]]:
    """Each change (a run of adjacent change Spans) gets an id, `change-N`, on its first Span;
    returns the document and the changes in reading order."""
    state: dict[str, Any] = {"section": "", "note": None, "notes": 0}
    records: list[Record] = []
    blocks = [_number_block(b, state, records) for b in ast["blocks"]]
    return {**ast, "blocks": blocks}, records


def _number_block(value: Any, state: dict[str, Any], records: list[Record]) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and value[0].get("t") in INLINES:
            return _number_inlines(value, state, records)
        return [_number_block(v, state, records) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("t") == "Header":
        attr, inlines = value["c"][1], value["c"][2]
        number = tree.attr_value(attr, "number")
        # The heading as it now reads: its deleted words and its number left out.
        kept = map_inlines(inlines, lambda xs: [x for x in xs if change_of(x) != DELETION])
        title = tree.text([i for i in kept if not _numbered(i)])
        state["section"] = f"§{number} {title}" if number else title
    return {k: _number_block(v, state, records) for k, v in value.items()}


def _number_inlines(
    inlines: list[Node], state: dict[str, Any], records: list[Record]
) -> list[Node]:
    out: list[Node] = []
    run: list[Node] = []

    def close() -> None:
        if run:
            ident = f"change-{len(records) + 1}"
            first = _first_change(run[0])
            first["c"][0] = [ident, *first["c"][0][1:]]
            records.append(
                Record(
                    ident,
                    state["section"],
                    state["note"],
                    _text(run, DELETION),
                    _text(run, INSERTION),
                )
            )
            out.extend(run)
            run.clear()

    for node in inlines:
        if _only_changed(node):
            node = copy.deepcopy(node)  # its first Span gets an id; the tracked view shares it
            run.append(node)
            # A note inserted or deleted whole counts for the numbers; its text is this change.
            state["notes"] += sum(1 for _ in tree.nodes(node, "Note"))
            continue
        close()
        if node.get("t") == "Note":
            out.append(_enter_note(node, state, records))
        else:
            out.append(_number_block(node, state, records))
    close()
    return out


def _enter_note(note: Node, state: dict[str, Any], records: list[Record]) -> Node:
    state["notes"] += 1
    outer = state["note"]
    state["note"] = state["notes"]
    body = _number_block(note["c"], state, records)
    state["note"] = outer
    return {"t": "Note", "c": body}


def _only_changed(node: Node) -> bool:
    """A change Span, or a wrapper that holds nothing but change Spans."""
    if change_of(node) is not None:
        return True
    t = node.get("t")
    if t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
        content = node["c"]
    elif t in ("Link", "Span", "Cite", "Quoted"):
        content = node["c"][1]
    else:
        return False
    return bool(content) and all(_only_changed(n) for n in content)


def _first_change(node: Node) -> Node:
    if change_of(node) is not None:
        return node
    for span in tree.nodes(node, "Span"):
        if change_of(span) is not None:
            return span
    raise AssertionError("no change span")


def _text(run: list[Node], kind: str) -> str:
    parts: list[str] = []

    def visit(node: Node) -> bool | None:
        if change_of(node) == kind:
            words = tree.text(node["c"][1])
            notes = any(True for _ in tree.nodes(node["c"][1], "Note"))
            parts.append(words or ("[a note]" if notes else ""))
            return True
        return None

    tree.walk(run, visit)
    return " ".join(p for p in parts if p)


def for_html(ast: dict[str, Any]) -> dict[str, Any]:
    """Change Spans as <ins>/<del> elements (with their author and date), for the HTML and
    print pages."""

    def convert(inlines: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in inlines:
            kind = change_of(node)
            if kind is None:
                out.append(node)
                continue
            ident, _classes, attrs = node["c"][0]
            values = dict(attrs)
            tag = "ins" if kind == INSERTION else "del"
            opening = (
                f'<{tag}{_attr("id", ident)} class="{kind}"'
                f"{_attr('data-author', values.get('author', ''))}"
                f"{_attr('datetime', values.get('date', ''))}>"
            )
            out += [_raw(opening), *node["c"][1], _raw(f"</{tag}>")]
        return out

    return {**ast, "blocks": map_inlines(ast["blocks"], convert)}


def _attr(name: str, value: str) -> str:
    return f' {name}="{html.escape(value)}"' if value else ""


def _raw(text: str) -> Node:
    return {"t": "RawInline", "c": ["html", text]}


def highlighted(ast: dict[str, Any]) -> dict[str, Any]:
    """Change Spans as the character styles `Inserted Text` and `Deleted Text`: visible
    marks in Word, without tracked changes."""

    def convert(inlines: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in inlines:
            kind = change_of(node)
            if kind is None:
                out.append(node)
                continue
            style = INSERTED_STYLE if kind == INSERTION else DELETED_STYLE
            out.append({"t": "Span", "c": [["", [], [["custom-style", style]]], node["c"][1]]})
        return out

    return {**ast, "blocks": map_inlines(ast["blocks"], convert)}
