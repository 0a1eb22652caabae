"""Numbered equations in the DOCX as Word sets them: the formula centred on its own line, its
number at the right margin, on the tab stops of the "Display Equation" paragraph style
(reference.docx, tools/make_reference_docx.py)."""

from __future__ import annotations

from typing import Any

from .. import tree

_TAB: tree.Node = {"t": "RawInline", "c": ["openxml", "<w:r><w:tab/></w:r>"]}
_BREAKS = ("Space", "SoftBreak", "LineBreak")


def with_equation_tabs(ast: dict[str, Any]) -> dict[str, Any]:
    """Each numbered equation (crossref.lua's span: the math, a space, "(1)") in a paragraph of
    its own in the "Display Equation" style: a tab, the formula as Word's inline math in
    display style (Word centres display math on a line of its own, and the number would then
    follow it), a tab, the number. An equation inside a paragraph of text splits it: the text
    after it goes on unindented ("First Paragraph"), as a sentence that runs on."""

    def walk(blocks: list[tree.Node]) -> list[tree.Node]:
        out: list[tree.Node] = []
        for block in blocks:
            if block.get("t") == "Div":
                out.append({"t": "Div", "c": [block["c"][0], walk(block["c"][1])]})
            elif block.get("t") == "Para" and any(_is_equation(i) for i in block["c"]):
                out += _split(block["c"])
            else:
                out.append(block)
        return out

    return {**ast, "blocks": walk(ast["blocks"])}


def _is_equation(node: tree.Node) -> bool:
    if node.get("t") != "Span" or "equation" not in node["c"][0][1]:
        return False
    inlines = node["c"][1]
    return len(inlines) == 3 and inlines[0].get("t") == "Math"


def _split(inlines: list[tree.Node]) -> list[tree.Node]:
    """A paragraph's inlines as paragraphs: text, each equation on its own, text."""
    blocks: list[tree.Node] = []
    text: list[tree.Node] = []
    for node in inlines:
        if _is_equation(node):
            _flush(text, blocks)
            blocks.append(_equation(node))
            text = []
        else:
            text.append(node)
    _flush(text, blocks)
    return blocks


def _flush(text: list[tree.Node], blocks: list[tree.Node]) -> None:
    while text and text[0].get("t") in _BREAKS:
        text.pop(0)
    while text and text[-1].get("t") in _BREAKS:
        text.pop()
    if not text:
        return
    para = {"t": "Para", "c": text}
    if blocks:  # after an equation: the sentence runs on, without a new paragraph's indent
        blocks.append({"t": "Div", "c": [["", [], [["custom-style", "First Paragraph"]]], [para]]})
    else:
        blocks.append(para)


def _equation(span: tree.Node) -> tree.Node:
    attr, (math, _space, number) = span["c"]
    formula = {"t": "Math", "c": [{"t": "InlineMath"}, "\\displaystyle " + math["c"][1]]}
    body = {"t": "Span", "c": [attr, [_TAB, formula, _TAB, number]]}
    para = {"t": "Para", "c": [body]}
    return {"t": "Div", "c": [["", [], [["custom-style", "Display Equation"]]], [para]]}
