"""Draft markers: notes an author keeps in the text without shipping them.

`[check this date]{.todo}` (or a `::: todo` block) prints highlighted in every format of a
normal build (the page stylesheets and reference.docx style it), `check` lists each with its
file and line, and `submission` refuses to bundle a paper that still has one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import tree
from .errors import PressroomError
from .model import Cited

KIND = "draft.todo"
CLASS = "todo"
# Where a marker is written: an attribute block with the class ({.todo}, {#id .todo key=v}) or a
# fenced div opened as `::: todo`. One match per marker, in document order.
_CLASS = r"\{[^{}]*(?<![\w-])\.todo(?![\w-])[^{}]*\}"
_WRITTEN = re.compile(rf"\]{_CLASS}|^\s*:{{3,}}\s*(?:{_CLASS}|todo\b)")


@dataclass(frozen=True)
class DraftMarker:
    """One marker: where it is written, and its text (shortened)."""

    path: Path
    line: int | None
    text: str

    def error(self) -> PressroomError:
        return PressroomError(
            f'draft marker left in the text: "{self.text}"', self.path, self.line, KIND
        )


def draft_markers(cited: Cited) -> list[DraftMarker]:
    """Every draft marker of a document, in order, with the file and line it was written at."""
    texts: list[str] = []

    def visit(node: tree.Node) -> bool | None:
        if node.get("t") in ("Span", "Div") and CLASS in node["c"][0][1]:
            texts.append(_short(tree.text(node["c"][1])))
            return True  # a marker inside a marker is one marker
        return None

    tree.walk(cited.ast["blocks"], visit)
    places = [
        cited.source_map.origin(number)
        for number, line in enumerate(cited.source_map.lines, 1)
        for _ in _WRITTEN.finditer(line)
    ]
    default = (cited.source_map.default, None)
    return [
        DraftMarker(*(places[i] if i < len(places) else default), text)
        for i, text in enumerate(texts)
    ]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
