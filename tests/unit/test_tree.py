"""tree: walking pandoc's JSON AST and reading its text (the AST of tests/unit/cases/tree.yaml)."""

from __future__ import annotations

from typing import Any

from pressroom import tree

from .conftest import ast


def test_walk_visits_in_document_order_and_can_stop() -> None:
    doc = ast("tree")
    seen: list[str] = []
    tree.walk(doc["blocks"], lambda n: seen.append(n["t"]) if n["t"] != "Note" else True)
    assert seen[:6] == ["Header", "Str", "Space", "Str", "Para", "Emph"]
    assert "Note" not in seen and seen.count("Emph") == 1
    inside = [n["t"] for n in tree.nodes(doc, "Str")]
    assert len(inside) > len([t for t in seen if t == "Str"]), "nodes() goes into notes"


def test_children_are_the_nearest_nodes() -> None:
    doc = ast("tree")
    assert [n["t"] for n in tree.children(doc["blocks"])] == [
        "Header",
        "Para",
        "BlockQuote",
        "Div",
    ]
    quote = tree.children(doc["blocks"])[2]
    assert [n["t"] for n in tree.children(quote["c"])] == ["Para"]


def test_text_leaves_notes_out_and_keeps_code() -> None:
    doc = ast("tree")
    assert tree.text(doc["blocks"][0]["c"][2]) == "A Heading"
    assert tree.text(doc["blocks"][1]) == "Emphasis and code() in a line broken here."
    assert tree.text(doc["blocks"]) == (
        "A Heading\nEmphasis and code() in a line broken here.\nQuoted text.\nIn a div."
    )


def test_attr_value() -> None:
    div: dict[str, Any] = tree.children(ast("tree")["blocks"])[3]
    attr = div["c"][0]
    assert attr[0] == "box" and tree.attr_value(attr, "lang") == "ja"
    assert tree.attr_value(attr, "missing") is None
