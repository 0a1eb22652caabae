"""One walk over what pandoc's citeproc run hands back (cite.py): the fixes cite.py makes to it
and everything it reads from it, in document order. Each of them was a walk of the whole AST
of its own (seven: 1.6 s of CPU at 300 pages); the walk makes each fix before it reads what
lies under it, so everything is read from the fixed AST, as when the fixes came first.

    fixes   a bibliography entry the style prints empty, or one cited in notes only, goes
            (and a link to it keeps its text); quotation marks in citations (quotes.py)
    reads   citations with their note and section, the number of notes, citation modes, the
            first note reference left as text, the raw LaTeX spans rawtex.lua left"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import quotes, tree
from .model import Citation

# A note reference with no definition: pandoc keeps it as text ("[^x]").
NOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass
class Reading:
    """What the walk found."""

    citations: list[Citation] = field(default_factory=list)
    notes: int = 0
    modes: dict[str, set[str]] = field(default_factory=dict)  # key -> its citation modes
    undefined_note: str | None = None  # the first `[^x]` pandoc left as text
    raw_tex: list[tree.Node] = field(default_factory=list)  # rawtex.lua's `raw-tex` spans
    dropped: set[str] = field(default_factory=set)  # '#ref-x' of each entry that went

    @property
    def keys(self) -> set[str]:
        return set(self.modes)


def read(ast: dict[str, Any], notes_only: frozenset[str] | None, american: bool) -> Reading:
    """Fix `ast` in place and read it. `notes_only` None: the bibliography is left as it is and
    no quotation mark is moved (an incremental cite's AST had both done)."""
    walker = _Walker(notes_only, american)
    walker.walk(ast["blocks"])
    if walker.reading.dropped:
        _unlink(ast, walker.reading.dropped)
    walker.finish()
    return walker.reading


class _Walker:
    """tree.walk's order (depth first, a node before what it holds), with the fixes made at
    the node that holds what they change."""

    def __init__(self, notes_only: frozenset[str] | None, american: bool) -> None:
        self.notes_only = notes_only
        self.american = american and notes_only is not None
        self.reading = Reading()
        self.note: int | None = None
        # (number, the heading's inlines, id) of the section being read: its title is read
        # once the walk is over (a citation in the heading may still be fixed)
        self.section: tuple[str | None, list[Any] | None, str | None] = (None, None, None)
        self.fixing = False  # inside a citation or entry whose quotation marks are fixed
        self.found: list[tuple[str, int | None, tuple[str | None, list[Any] | None, str | None]]]
        self.found = []

    def walk(self, value: Any) -> None:
        if isinstance(value, dict):
            if "t" in value and self.visit(value):
                return
            for child in value.values():
                if isinstance(child, list | dict):
                    self.walk(child)
        elif isinstance(value, list):
            for child in value:
                if isinstance(child, list | dict):
                    self.walk(child)

    def inside(self, node: tree.Node) -> None:
        for child in node.values():
            if isinstance(child, list | dict):
                self.walk(child)

    def visit(self, node: tree.Node) -> bool:
        """Read `node`; True when its content was walked here."""
        t = node["t"]
        if t == "Str":
            if self.reading.undefined_note is None:
                m = NOTE_REF.search(node["c"])
                if m:
                    self.reading.undefined_note = m.group(0)
            return True
        if t == "Header":
            level, attr, inlines = node["c"]
            if level <= 2:
                self.section = (tree.attr_value(attr, "number"), inlines, attr[0] or None)
            return False
        if t == "Note":
            self.reading.notes += 1
            self.note = self.reading.notes
            self.inside(node)
            self.note = None
            return True
        if t == "Cite":
            self.cite(node)
            return self.fix(node, node["c"][1])
        if t == "Div":
            classes = node["c"][0][1]
            if self.notes_only is not None and "csl-bib-body" in classes:
                self.drop_entries(node)
            if "csl-entry" in classes:
                return self.fix(node, node["c"][1])
            return False
        if t == "Span" and "raw-tex" in node["c"][0][1]:
            self.reading.raw_tex.append(node)
        return False

    def cite(self, node: tree.Node) -> None:
        # In a note style, citeproc puts the note inside the Cite: Cite [Note [...]].
        note = self.note
        if note is None and any(True for _ in tree.nodes(node["c"][1], "Note")):
            note = self.reading.notes + 1
        for c in node["c"][0]:
            key = c["citationId"]
            self.reading.modes.setdefault(key, set()).add(c["citationMode"]["t"])
            self.found.append((key, note, self.section))

    def fix(self, node: tree.Node, content: list[Any]) -> bool:
        """A citation's or entry's quotation marks fixed (once: not again for what it holds),
        then its content read."""
        if not self.american or self.fixing:
            return False
        quotes.fix_all(content)
        self.fixing = True
        self.inside(node)
        self.fixing = False
        return True

    def drop_entries(self, node: tree.Node) -> None:
        """pandoc leaves an empty bibliography entry for a source the style does not list (CMOS
        leaves unpublished testimony out, research/citations.md §2), and lists unsigned press
        items that Chicago cites in notes only (references.notes_only); a reader sees
        neither."""
        assert self.notes_only is not None
        keep = []
        for d in node["c"][1]:
            entry = d.get("t") == "Div" and "csl-entry" in d["c"][0][1]
            omitted = entry and d["c"][0][0].removeprefix("ref-") in self.notes_only
            if entry and (omitted or not tree.text(d["c"][1])):
                self.reading.dropped.add("#" + d["c"][0][0])
            else:
                keep.append(d)
        node["c"][1] = keep

    def finish(self) -> None:
        """The citations, each with its section's title as the fixed AST has it."""
        titles: dict[int, str] = {}
        for key, note, (number, inlines, ident) in self.found:
            title = None
            if inlines is not None:
                if id(inlines) not in titles:
                    titles[id(inlines)] = _title(inlines)
                title = titles[id(inlines)]
            self.reading.citations.append(Citation(key, note, number, title, ident))


def _title(inlines: list[Any]) -> str:
    """A heading's text without the section number crossref.lua put before it."""
    return tree.text(
        [i for i in inlines if i.get("t") != "Span" or "header-section-number" not in i["c"][0][1]]
    )


def _unlink(ast: dict[str, Any], dropped: set[str]) -> None:
    """The citations that linked to a dropped entry keep their text but lose the dead link."""

    def links(node: tree.Node) -> None:
        if node.get("t") == "Link" and node["c"][2][0] in dropped:
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]

    tree.walk(ast["blocks"], links)
