"""Stage `cite`: pandoc reads the Markdown once, runs citeproc, and hands back its AST."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pandoc, tree
from .assemble import Assembled
from .config import Project
from .errors import PressroomError
from .references import Library
from .write import write_if_changed

FILTERS = Path(__file__).resolve().parent / "filters"
CROSSREF = FILTERS / "crossref.lua"
READER = "markdown-raw_attribute"  # a raw-format block could smuggle markup past every check


@dataclass(frozen=True)
class Citation:
    """Where one source is cited: the note number and the section it sits in."""

    key: str
    note: int | None
    section: str | None
    section_title: str | None
    section_id: str | None


@dataclass(frozen=True)
class Cited:
    """A document after citeproc: pandoc's AST, plus where each source is cited."""

    assembled: Assembled
    ast: dict[str, Any]
    citations: tuple[Citation, ...]
    inputs: frozenset[Path]
    notes: int = 0
    keys: frozenset[str] = field(default_factory=frozenset)


def library_file(project: Project, library: Library) -> Path:
    """The library as CSL-JSON in build/.cache, rewritten only when it changes."""
    path = project.build_dir / ".cache" / "library.json"
    write_if_changed(path, library.csljson())
    return path


def cite(assembled: Assembled, project: Project, library: Library, style: Path) -> Cited:
    """Markdown -> pandoc AST with notes and bibliography formatted by citeproc."""
    doc = assembled.doc
    args = ["-f", READER, "-t", "json", "--lua-filter", str(CROSSREF)]
    meta = {"lang": str(doc.meta.get("lang") or "en-US"), "link-citations": True}
    if doc.meta.get("number-sections") is False:
        meta["number-sections"] = False
    args += ["--metadata-file", str(_meta_file(project, doc.name, meta))]
    if library.items:
        args += [
            "--citeproc",
            "--csl",
            str(style),
            "--bibliography",
            str(library_file(project, library)),
        ]
    try:
        out, _ = pandoc.run(args, assembled.markdown.encode("utf-8"))
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not read the document: {exc.stderr.strip()}", doc.source
        ) from None
    ast = json.loads(out)
    _drop_empty_entries(ast)
    citations, notes, keys = _citations(ast)
    _check_keys(assembled, library, keys)
    return Cited(
        assembled=assembled,
        ast=ast,
        citations=tuple(citations),
        inputs=assembled.inputs | set(library.files) | {style},
        notes=notes,
        keys=frozenset(keys),
    )


def _drop_empty_entries(ast: dict[str, Any]) -> None:
    """pandoc leaves an empty bibliography entry for a source the style does not list (CMOS
    leaves unpublished testimony out, research/citations.md §2); a reader should not see it."""

    def visit(node: tree.Node) -> None:
        if node.get("t") == "Div" and "csl-bib-body" in node["c"][0][1]:
            node["c"][1] = [
                d
                for d in node["c"][1]
                if not (
                    d.get("t") == "Div" and "csl-entry" in d["c"][0][1] and not tree.text(d["c"][1])
                )
            ]

    tree.walk(ast["blocks"], visit)


def _meta_file(project: Project, name: str, meta: dict[str, Any]) -> Path:
    path = project.build_dir / ".cache" / f"{name}.meta.json"
    write_if_changed(path, json.dumps(meta, sort_keys=True).encode("utf-8"))
    return path


def _citations(ast: dict[str, Any]) -> tuple[list[Citation], int, set[str]]:
    """Walk the AST in reading order: note numbers, sections, and every citation key."""
    found: list[Citation] = []
    keys: set[str] = set()
    state: dict[str, Any] = {"note": None, "notes": 0, "section": (None, None, None)}

    def visit(n: tree.Node) -> bool | None:
        t = n.get("t")
        if t == "Header":
            level, attr, inlines = n["c"]
            number = tree.attr_value(attr, "number")
            if level <= 2:
                title = tree.text(
                    [
                        i
                        for i in inlines
                        if i.get("t") != "Span" or "header-section-number" not in i["c"][0][1]
                    ]
                )
                state["section"] = (number, title, attr[0] or None)
        elif t == "Note":
            state["notes"] += 1
            state["note"] = state["notes"]
            tree.walk(n["c"], visit)
            state["note"] = None
            return True
        elif t == "Cite":
            # In a note style, citeproc puts the note inside the Cite: Cite [Note [...]].
            note = state["note"]
            if note is None and any(True for _ in tree.nodes(n["c"][1], "Note")):
                note = state["notes"] + 1
            for c in n["c"][0]:
                keys.add(c["citationId"])
                number, title, ident = state["section"]
                found.append(Citation(c["citationId"], note, number, title, ident))
        return None

    tree.walk(ast["blocks"], visit)
    return found, state["notes"], keys


def _check_keys(assembled: Assembled, library: Library, keys: set[str]) -> None:
    """An unknown key is an error at its line, not pandoc's silent '(key?)'."""
    for key in sorted(keys - library.ids):
        path, line = locate(assembled, "@" + key)
        if key.lower().startswith(("sec-", "tbl-")):
            msg = f"unknown cross-reference '@{key}' (no heading or table has that id)"
            raise PressroomError(msg, path, line, "crossref.unknown")
        hint = library.closest(key)
        msg = f"unknown citation key '{key}'" + (f" (did you mean '{hint}'?)" if hint else "")
        raise PressroomError(msg, path, line, "citation.unknown")


def locate(assembled: Assembled, needle: str) -> tuple[Path, int | None]:
    """The first source line (the document, then its includes and data) that holds `needle`."""
    pattern = re.compile(re.escape(needle) + r"(?![\w:.#$%&+?<>~/-]*\w)")
    main = assembled.doc.source.resolve()
    files = [main, *sorted(p for p in assembled.inputs if p.is_file() and p != main)]
    for path in files:
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for i, line in enumerate(lines, 1):
            if pattern.search(line):
                return path, i
    return assembled.doc.source, None


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()
