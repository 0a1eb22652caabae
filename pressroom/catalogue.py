"""Formatted references for the Jinja side (the appendix, the handout): one pandoc run, cached.

pandoc's citeproc formats these, exactly as it formats the paper's notes, so the appendix can
never disagree with the paper (research/citations.md §4)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import pandoc
from .cache import digest, library_file
from .config import Project
from .errors import PressroomError
from .references import Library
from .write import write_if_changed

_ENTRY = re.compile(r"^::: \{#ref-(\S+?) \.csl-entry\}$")
_NOTE = re.compile(r"^\[\^(\d+)\]: (.*)$", re.M)


def catalogue(project: Project, library: Library, style: Path) -> dict[str, dict[str, str]]:
    """{id: {"entry": bibliography entry, "note": first note, "short": later note}} as Markdown."""
    lib = library.csljson()
    # The key covers this module too: a fix to the parsing below must not meet an old cache.
    key = digest(lib, style.read_bytes(), pandoc.version().encode(), Path(__file__).read_bytes())
    key = key[:16]
    cache = project.build_dir / ".cache" / f"catalogue-{key}.json"
    try:
        return dict(json.loads(cache.read_text("utf-8")))
    except (OSError, ValueError):
        pass
    ids = [item["id"] for item in library.items]
    # Every source once (first notes), then once more (short notes), then the bibliography.
    body = "\n\n".join(f"[@{i}]" for i in ids + ids) + "\n\n::: {#refs}\n:::\n"
    args = [
        "-f",
        "markdown",
        "-t",
        "markdown-smart",
        "--wrap=none",
        *pandoc.citeproc_args(style, library_file(project, library)),
    ]
    try:
        out, _ = pandoc.run(args, body.encode("utf-8"))
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not format the library: {exc.stderr.strip()}",
            library.files[0] if library.files else project.root,
            None,
            "pandoc.citeproc",
        ) from None
    text = out.decode("utf-8")
    entries = _entries(text)
    notes = {int(m.group(1)): m.group(2).strip() for m in _NOTE.finditer(text)}
    result: dict[str, dict[str, str]] = {}
    for n, ident in enumerate(ids, 1):
        result[ident] = {
            # An item cited in notes only has no entry, as in the paper's bibliography.
            "entry": "" if ident in library.notes_only else entries.get(ident, ""),
            "note": notes.get(n, ""),
            "short": notes.get(n + len(ids), ""),
        }
    write_if_changed(cache, json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return result


def _entries(markdown: str) -> dict[str, str]:
    """The bibliography's `::: {#ref-ID .csl-entry}` divs; an entry may be empty."""
    entries: dict[str, str] = {}
    current: str | None = None
    for line in markdown.splitlines():
        m = _ENTRY.match(line)
        if m:
            current = m.group(1)
            entries[current] = ""
        elif current is not None and line.strip() == ":::":
            current = None
        elif current is not None:
            entries[current] = (entries[current] + " " + line).strip()
    return entries


def reference(item: dict[str, Any], formatted: dict[str, str]) -> dict[str, Any]:
    """A library item as the templates see it: its CSL fields plus entry, note and short."""
    return {**item, **formatted}
