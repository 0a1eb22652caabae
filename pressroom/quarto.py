"""Quarto's conditional content in a paper brought from Quarto: `::: {.content-visible
when-format="html"}` (or `unless-format`, or `.content-hidden`) holds what only some formats
show. The web and print pages share one AST, and their stylesheets hide what is for other
formats (web.css, print.css: the PDF answers to Quarto's `pdf` and `latex`); the DOCX is
written from an AST without it (`for_format`). A bibliography is never conditional: a paper
that places `::: {#refs}` inside its HTML-only block gets it in every format
(`keep_bibliography`), as its LaTeX-only `\\printbibliography` would give it in the PDF."""

from __future__ import annotations

from typing import Any

CONDITIONS = ("content-visible", "content-hidden")
# The Quarto format names each pressroom output answers to.
ANSWERS = {"html": {"html", "html4", "html5"}, "pdf": {"pdf", "latex"}, "docx": {"docx"}}


def shown(block: dict[str, Any], fmt: str) -> bool:
    """Whether a block is shown in pressroom's format `fmt` (every block that is not a
    conditional div is)."""
    if block.get("t") != "Div":
        return True
    _ident, classes, pairs = block["c"][0]
    visible = "content-visible" in classes
    if not visible and "content-hidden" not in classes:
        return True
    given = dict(pairs)
    if "when-format" in given:
        match = _answers(given["when-format"], fmt)
    elif "unless-format" in given:
        match = not _answers(given["unless-format"], fmt)
    else:
        match = True  # every format (when-meta, when-profile: not known here)
    return match if visible else not match


def _answers(name: str, fmt: str) -> bool:
    return name.split(":")[0].strip().lower() in ANSWERS[fmt]


def for_format(ast: dict[str, Any], fmt: str) -> dict[str, Any]:
    """`ast` without the conditional divs `fmt` does not show; `ast` itself when it has none
    (the cited AST is shared by the writers and never changed here)."""
    if not _any_conditional(ast["blocks"]):
        return ast
    return {**ast, "blocks": _filtered(ast["blocks"], fmt)}


def _filtered(blocks: list[Any], fmt: str) -> list[Any]:
    out = []
    for block in blocks:
        if not shown(block, fmt):
            continue
        if isinstance(block, dict) and block.get("t") == "Div":
            block = {**block, "c": [block["c"][0], _filtered(block["c"][1], fmt)]}
        out.append(block)
    return out


def _any_conditional(blocks: list[Any]) -> bool:
    for block in blocks:
        if isinstance(block, dict) and block.get("t") == "Div":
            if any(c in block["c"][0][1] for c in CONDITIONS):
                return True
            if _any_conditional(block["c"][1]):
                return True
    return False


def keep_bibliography(blocks: list[Any]) -> bool:
    """Make every conditional div that holds a bibliography (`#refs`, `#refs_NAME`)
    unconditional, in place; whether `blocks` hold one."""
    found = False
    for block in blocks:
        if not (isinstance(block, dict) and block.get("t") == "Div"):
            continue
        ident, classes, pairs = block["c"][0]
        inside = ident == "refs" or ident.startswith("refs_")
        inside = keep_bibliography(block["c"][1]) or inside
        if inside and any(c in classes for c in CONDITIONS):
            block["c"][0] = [
                ident,
                [c for c in classes if c not in CONDITIONS],
                [p for p in pairs if p[0] not in ("when-format", "unless-format")],
            ]
        found = found or inside
    return found
