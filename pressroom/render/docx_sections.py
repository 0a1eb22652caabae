"""Landscape pages in the DOCX, as the PDF prints them: a table of many columns
(measure.LANDSCAPE) or whatever a `::: landscape` div holds goes in a Word section of its own
whose page is turned. pandoc's Word writer makes one section; the job marks where the turned
ones begin and end, and `sections` writes each as a copy of the document's own section
properties (page size, margins, running heads, note numbering), turned."""

from __future__ import annotations

import re
from typing import Any

from .. import tree
from .measure import LANDSCAPE

# Markers the job leaves in the body (raw OOXML that pandoc copies as it is); `sections`
# replaces each by a paragraph that ends a section.
_BEFORE = "<!--pressroom:landscape-before-->"
_AFTER = "<!--pressroom:landscape-after-->"
MARKED = b"<!--pressroom:landscape-"  # in the job's input: a marker is there
_FINAL = re.compile(r"<w:sectPr\b.*?</w:sectPr>(?=\s*</w:body>)", re.S)
_PAGE = re.compile(r'<w:pgSz w:h="(\d+)" w:w="(\d+)"\s*/>|<w:pgSz w:w="(\d+)" w:h="(\d+)"\s*/>')
_TITLE_PAGE = re.compile(r"<w:titlePg\s*/>")


def turned(block: tree.Node) -> bool:
    """Whether a body block goes on a landscape page."""
    if block.get("t") == "Div":
        return "landscape" in block["c"][0][1]
    return block.get("t") == "Table" and len(block["c"][2]) >= LANDSCAPE


def mark(ast: dict[str, Any]) -> dict[str, Any]:
    """The AST with each top-level block that goes on a landscape page between markers."""
    if not any(turned(b) for b in ast["blocks"]):
        return ast
    blocks: list[tree.Node] = []
    for block in ast["blocks"]:
        if turned(block):
            blocks += [_raw(_BEFORE), block, _raw(_AFTER)]
        else:
            blocks.append(block)
    return {**ast, "blocks": blocks}


def _raw(text: str) -> tree.Node:
    return {"t": "RawBlock", "c": ["openxml", text]}


def sections(document: str) -> str:
    """word/document.xml with each marker made the end of a section: before a turned block, a
    copy of the document's section (the first copy keeps its title page, which has no running
    head); after it, the same turned. The last section, after the last turned block, then no
    longer starts with a title page."""
    final = _FINAL.search(document)
    if final is None or _BEFORE not in document:
        return document
    upright = final.group(0)
    plain = _TITLE_PAGE.sub("", upright)
    parts = document[: final.start()].split(_BEFORE)
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out.append(_ending(upright if i == 0 else plain))
        out.append(part.replace(_AFTER, _ending(_landscape(plain)), 1))
    return "".join(out) + plain + document[final.end() :]


def _ending(sect: str) -> str:
    """An empty paragraph that ends a section with the properties `sect`."""
    return f"<w:p><w:pPr>{sect}</w:pPr></w:p>"


def _landscape(sect: str) -> str:
    def turn(m: re.Match[str]) -> str:
        height, width = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        short, long = sorted((int(width), int(height)))
        return f'<w:pgSz w:w="{long}" w:h="{short}" w:orient="landscape"/>'

    return _PAGE.sub(turn, sect, count=1)
