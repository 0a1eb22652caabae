"""Inline tokens: a run of pandoc inlines as words, spaces and atoms, each with its formatting.

The word diff compares tokens; `rebuild` turns a diff's tokens back into inlines, with every
change Span as the innermost wrapper (inside links, emphasis and citations: a Span around a
Link is invalid in WordprocessingML and LibreOffice drops its text, jgm/pandoc#4609)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Node = dict[str, Any]

# Wrappers whose content is inlines at c (the rest: Quoted [type, inlines], Link [attr,
# inlines, target], Span [attr, inlines]).
_PLAIN_WRAPPERS = {
    "Emph",
    "Strong",
    "Underline",
    "Strikeout",
    "Superscript",
    "Subscript",
    "SmallCaps",
}
SPACES = {"Space", "SoftBreak"}
# Numbers pressroom prints itself (crossref.lua): compared by what they number, not by text.
NUMBER_SPANS = {"header-section-number", "table-number", "figure-number", "equation-number"}

# A word (with its inner apostrophes), one space character, or one other character: citeproc
# moves punctuation between Str nodes ("uses" + ","), so adjacent Str are joined first.
_PIECES = re.compile(r"\w+(?:['’]\w+)*|\s|[^\w\s]")


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Mark:
    """A wrapper around a token (Emph, Link, Span...): `key` compares, `node` rebuilds."""

    key: str
    node: Node


@dataclass(slots=True)
class Token:
    """One word, space or atom. `align` pairs tokens; `ident` says whether a pair is the same
    thing (a citation of the same source and page); `exact` whether it prints the same."""

    kind: str  # "word", "space", "atom"
    marks: tuple[Mark, ...]
    align: Any
    ident: Any
    exact: Any
    node: Node | None = None  # spaces and atoms: the inline itself
    text: str = ""  # words


# Nodes with nothing derived inside: identity() gives them back as they are (most of a text).
_LEAVES = {"Str", "Space", "SoftBreak", "LineBreak", "Math", "Code", "RawInline"}


def identity(value: Any) -> Any:
    """pandoc JSON with what pressroom or citeproc derive left out: a citation is what it
    cites (not its full or short form), a number is the thing it numbers. (For comparing
    only: unchanged parts are shared with `value`, not copied.)"""
    if isinstance(value, list):
        return [identity(v) for v in value]
    if not isinstance(value, dict):
        return value
    t = value.get("t")
    if t in _LEAVES:
        return value
    if t == "Cite":
        return {"t": "Cite", "c": cite_identity(value)}
    if t == "Span" and NUMBER_SPANS & set(value["c"][0][1]):
        return {"t": "Number"}
    if t == "Image":
        return {"t": "Image", "c": value["c"][2][0]}
    if t == "Link" and "cross-ref" in value["c"][0][1]:
        return {"t": "CrossRef", "c": value["c"][2][0]}
    if t == "Header":
        level, (ident, classes, attrs), inlines = value["c"]
        attrs = [kv for kv in attrs if kv[0] != "number"]
        return {"t": "Header", "c": [level, [ident, classes, attrs], identity(inlines)]}
    return {k: identity(v) for k, v in value.items()}


def cite_identity(node: Node) -> list[Any]:
    """What a Cite cites: each source, prefix, locator and suffix, and mode."""
    return [
        [
            c["citationId"],
            identity(c["citationPrefix"]),
            identity(c["citationSuffix"]),
            c["citationMode"]["t"],
        ]
        for c in node["c"][0]
    ]


def tokenize(inlines: list[Node]) -> list[Token]:
    out: list[Token] = []
    _tokens(inlines, (), (), out)
    return out


def _tokens(
    inlines: list[Node], marks: tuple[Mark, ...], keys: tuple[str, ...], out: list[Token]
) -> None:
    text: list[str] = []

    def flush() -> None:
        if text:
            for piece in _PIECES.findall("".join(text)):
                key = (keys, piece)
                out.append(Token("word", marks, key, key, key, text=piece))
            text.clear()

    for node in inlines:
        t = node.get("t")
        if t == "Str":
            text.append(node["c"])
            continue
        flush()
        if t in SPACES:
            key = (keys, " ")
            out.append(Token("space", marks, key, key, key, node=node))
        elif (wrapper := _wrapper(node)) is not None:
            mark, content = wrapper
            _tokens(content, (*marks, mark), (*keys, mark.key), out)
        else:
            out.append(_atom(node, marks, keys))
    flush()


def _wrapper(node: Node) -> tuple[Mark, list[Node]] | None:
    """(mark, content) if `node` is a wrapper the diff looks inside, else None."""
    t, c = node["t"], node.get("c", [])
    if t in _PLAIN_WRAPPERS:
        return Mark(t, {"t": t}), c
    if t == "Quoted":
        return Mark(dump([t, c[0]]), {"t": t, "c": [c[0]]}), c[1]
    if t == "Span" and not NUMBER_SPANS & set(c[0][1]):
        return Mark(dump([t, c[0]]), {"t": t, "c": [c[0]]}), c[1]
    if t == "Link" and "cross-ref" not in c[0][1]:
        return Mark(dump([t, c[0], c[2]]), {"t": t, "c": [c[0], c[2]]}), c[1]
    return None


def _atom(node: Node, marks: tuple[Mark, ...], keys: tuple[str, ...]) -> Token:
    """A thing compared whole: a note, a citation, a number, an image, code, math."""
    t, c = node["t"], node.get("c", [])
    exact: Any = (keys, dump(node))
    ident: Any
    if t == "Note":
        return Token("atom", marks, (keys, "Note"), (keys, dump(identity(c))), exact, node)
    if t == "Cite":
        ids = tuple(x["citationId"] for x in c[0])
        ident = (keys, dump(cite_identity(node)))
        return Token("atom", marks, (keys, "Cite", ids), ident, exact, node)
    if t == "Span":  # a section or table number
        return Token("atom", marks, (keys, "Number", tuple(c[0][1])), (keys, "Number"), exact, node)
    if t == "Image":  # by its file: a new caption number in its alt text is not a new image
        return Token("atom", marks, (keys, "Image", c[2][0]), (keys, "Image", c[2][0]), exact, node)
    if t == "Link":  # a cross-reference, "section 3"
        ident = (keys, "CrossRef", c[2][0])
        return Token("atom", marks, ident, ident, exact, node)
    return Token("atom", marks, exact, exact, exact, node)


def with_inner(node: Node, inlines: list[Node]) -> Node:
    """A Cite, number Span or cross-ref Link with other inlines inside (all hold them at c[1])."""
    c = list(node["c"])
    c[1] = inlines
    return {"t": node["t"], "c": c}


Leaf = Callable[[Token, Any], list[Node]]
Wrap = Callable[[Any, list[Node]], list[Node]]


def rebuild(items: list[tuple[Token, Any]], leaf: Leaf, wrap: Wrap) -> list[Node]:
    """Inlines from (token, change) pairs: tokens that share wrappers share them again, and a run
    of tokens with the same change is wrapped by `wrap(change, inlines)` inside them all.
    `leaf(token, change)` gives an atom's inlines (marked by the caller as it needs)."""
    return _rebuild(items, 0, leaf, wrap)


def _rebuild(items: list[tuple[Token, Any]], depth: int, leaf: Leaf, wrap: Wrap) -> list[Node]:
    out: list[Node] = []
    i = 0
    while i < len(items):
        token, change = items[i]
        if len(token.marks) > depth:
            mark = token.marks[depth]
            j = i + 1
            while (
                j < len(items)
                and len(items[j][0].marks) > depth
                and items[j][0].marks[depth].key == mark.key
            ):
                j += 1
            out.append(_wrapped(mark.node, _rebuild(items[i:j], depth + 1, leaf, wrap)))
            i = j
            continue
        j = i + 1
        while j < len(items) and len(items[j][0].marks) == depth and items[j][1] == change:
            j += 1
        out.extend(_run(items[i:j], change, leaf, wrap))
        i = j
    return out


def _run(items: list[tuple[Token, Any]], change: Any, leaf: Leaf, wrap: Wrap) -> list[Node]:
    """Tokens at one depth with one change: words and spaces wrapped together; an atom marks
    itself (`leaf`), since a Span must not hold a citation's link."""
    out: list[Node] = []
    text: list[Node] = []

    def flush() -> None:
        if text:
            out.extend(wrap(change, list(text)) if change is not None else text)
            text.clear()

    for tok, _ in items:
        if tok.kind == "word":
            if text and text[-1]["t"] == "Str":
                text[-1] = {"t": "Str", "c": text[-1]["c"] + tok.text}
            else:
                text.append({"t": "Str", "c": tok.text})
        elif tok.kind == "space":
            assert tok.node is not None
            text.append(tok.node)
        else:
            flush()
            out.extend(leaf(tok, change))
    flush()
    return out


def _wrapped(mark: Node, content: list[Node]) -> Node:
    t = mark["t"]
    if t in _PLAIN_WRAPPERS:
        return {"t": t, "c": content}
    if t == "Link":
        attr, target = mark["c"]
        return {"t": t, "c": [attr, content, target]}
    return {"t": t, "c": [mark["c"][0], content]}
