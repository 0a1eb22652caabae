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
from .errors import PressroomError, Warning_
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
    warnings: tuple[Warning_, ...] = ()  # pandoc's, mapped to the source


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
        out, stderr = _run_cached(project, doc.name, args, assembled.markdown.encode("utf-8"))
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not read the document: {exc.stderr.strip()}", doc.source
        ) from None
    try:
        ast = json.loads(out)
        _drop_empty_entries(ast)
        citations, notes, keys = _citations(ast)
        pandoc.to_json(ast)  # the later stages serialise it again: fail here, at the document
    except RecursionError:
        # 5,000 nested <div>s: pandoc reads them, Python's JSON and tree walks cannot.
        raise PressroomError(
            "the document nests too deeply (divs, lists or quotes inside each other)",
            doc.source,
            None,
            "limit.depth",
        ) from None
    _check_keys(assembled, library, keys)
    return Cited(
        assembled=assembled,
        ast=ast,
        citations=tuple(citations),
        # A document that cites nothing does not depend on the library or the style.
        inputs=assembled.inputs | (set(library.files) | {style} if keys else set()),
        notes=notes,
        keys=frozenset(keys),
        warnings=tuple(pandoc_warnings(assembled, stderr)),
    )


def _run_cached(project: Project, name: str, args: list[str], stdin: bytes) -> tuple[bytes, str]:
    """pandoc's reader + citeproc, skipped when nothing it reads has changed: an edit to a
    stylesheet or page template then costs no citeproc run. The key covers the Markdown, the
    arguments, the content of every file they name (filter, style, library, metadata) and
    pandoc's version."""
    parts = [stdin, pandoc.version().encode(), "\0".join(args).encode()]
    parts += [Path(a).read_bytes() for a in args if a.startswith("/") and Path(a).is_file()]
    key = digest(*parts)
    cache = project.build_dir / ".cache" / f"{name}.cited.json"
    try:
        saved = json.loads(cache.read_text("utf-8"))
        if saved["key"] == key:
            return saved["out"].encode("utf-8"), saved["stderr"]
    except (OSError, ValueError, KeyError):
        pass
    out, stderr = pandoc.run(args, stdin)
    record = {"key": key, "out": out.decode("utf-8"), "stderr": stderr}
    write_if_changed(cache, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return out, stderr


# pandoc's reader and citeproc warnings ("[WARNING] ... at line N column M"), by stable kind.
_PANDOC_KINDS = [
    ("Duplicate note reference", "markdown.duplicate-note"),
    ("Duplicate identifier", "markdown.duplicate-id"),
    ("unclosed", "markdown.unclosed-div"),
    ("Could not fetch resource", "asset.missing"),
    ("citation", "citation.pandoc"),
]


def pandoc_warnings(assembled: Assembled, stderr: str) -> list[Warning_]:
    """Re-issue pandoc's warnings with a kind, at the source line they came from."""
    found = []
    lines = assembled.markdown.splitlines()
    for raw in stderr.splitlines():
        if not raw.startswith("[WARNING] "):
            continue
        message = raw.removeprefix("[WARNING] ").strip()
        if "no printed form" in message:
            continue  # by design: the style omits it and _drop_empty_entries removes it
        kind = next((k for text, k in _PANDOC_KINDS if text in message), "pandoc.warning")
        m = re.search(r"at line (\d+)", message)
        path, line = assembled.doc.source, None
        if m and 0 < int(m.group(1)) <= len(lines):
            n = int(m.group(1))
            q = re.search(r"'([^']+)'", message)
            needle = {
                "markdown.duplicate-note": f"[^{q.group(1)}]:" if q else None,
                "markdown.duplicate-id": f"#{q.group(1)}" if q else None,
            }.get(kind)
            path, line = source_line(assembled, lines[n - 1], n, needle)
            message = re.sub(r" at line \d+ column \d+", "", message)
        found.append(Warning_(message, kind, path, line))
    return found


def source_line(
    assembled: Assembled, text: str, near: int, needle: str | None = None
) -> tuple[Path, int | None]:
    """The source line that reads `text` (or holds `needle`), the one nearest line `near` of
    the assembled text and not after it: Jinja moves lines, but a line it did not produce is
    still in some file. pandoc reports a block where it ends, so earlier lines come first."""
    if not text.strip() and not needle:
        return assembled.doc.source, None
    main = assembled.doc.source.resolve()
    best: tuple[int, Path, int] | None = None
    for path in [main, *sorted(p for p in assembled.inputs if p.is_file() and p != main)]:
        try:
            source = path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for i, line in enumerate(source, 1):
            if (needle in line) if needle else (line == text):
                distance = (near - i if i <= near else 1000 + i - near) + (
                    0 if path == main else 10**6
                )
                if best is None or distance < best[0]:
                    best = (distance, path, i)
    return (best[1], best[2]) if best else (assembled.doc.source, None)


def _drop_empty_entries(ast: dict[str, Any]) -> None:
    """pandoc leaves an empty bibliography entry for a source the style does not list (CMOS
    leaves unpublished testimony out, research/citations.md §2); a reader should not see it,
    and the citations that linked to it keep their text but lose the dead link."""
    dropped: set[str] = set()

    def entries(node: tree.Node) -> None:
        if node.get("t") == "Div" and "csl-bib-body" in node["c"][0][1]:
            keep = []
            for d in node["c"][1]:
                if d.get("t") == "Div" and "csl-entry" in d["c"][0][1] and not tree.text(d["c"][1]):
                    dropped.add("#" + d["c"][0][0])
                else:
                    keep.append(d)
            node["c"][1] = keep

    def links(node: tree.Node) -> None:
        if node.get("t") == "Link" and node["c"][2][0] in dropped:
            node["t"], node["c"] = "Span", [node["c"][0], node["c"][1]]

    tree.walk(ast["blocks"], entries)
    if dropped:
        tree.walk(ast["blocks"], links)


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


def locate(assembled: Assembled, needle: str, whole: bool = True) -> tuple[Path, int | None]:
    """The first source line (the document, then its includes and data) that holds `needle`
    (`whole`: not as the start of a longer key; off for markup such as `<script`)."""
    pattern = re.compile(re.escape(needle) + (r"(?![\w:.#$%&+?<>~/-]*\w)" if whole else ""))
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
