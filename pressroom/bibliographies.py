"""Several bibliographies in one document, as pandoc's multiple-bibliographies filter writes them
(historians keep their archival sources apart from the literature): `bibliography_sources:
sources.bib` and `bibliography_main: references.bib` in the metadata, and `::: {#refs_sources}`
and `::: {#refs_main}` where each list goes. Every file is part of the library, citeproc formats
one bibliography of all of them, and each entry then moves into the div of the file it came
from; what no div takes stays where citeproc put it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .fields import NAMED_BIBLIOGRAPHY


def named(meta: dict[str, Any]) -> dict[str, list[str]]:
    """Each named bibliography's files (normalised: absolute paths), by name."""
    found: dict[str, list[str]] = {}
    for key, value in meta.items():
        m = NAMED_BIBLIOGRAPHY.fullmatch(key)
        if m and isinstance(value, list):
            found[m.group(1)] = [str(v) for v in value]
    return found


def split(ast: dict[str, Any], files: dict[str, list[str]], places: dict[str, Any]) -> None:
    """Move each entry of citeproc's bibliography (`#refs`) into the `#refs_NAME` div of the
    file its source was read from (`places`: id -> (path, line)); drop `#refs` if that leaves
    it empty. In place."""
    if not files:
        return
    targets = {f"refs_{name}": {Path(p) for p in paths} for name, paths in files.items()}
    divs: dict[str, dict[str, Any]] = {}
    holders: list[list[Any]] = []
    _find(ast["blocks"], set(targets) | {"refs"}, divs, holders)
    refs = divs.get("refs")
    if refs is None:
        return
    entries = refs["c"][1]
    left = list(entries)
    for ident, paths in targets.items():
        div = divs.get(ident)
        if div is None:
            continue
        mine = [e for e in left if _source_file(e, places) in paths]
        left = [e for e in left if e not in mine]
        _, classes, attrs = refs["c"][0]
        # pandoc's Word writer gives its "Bibliography" style to the entries of `#refs` only
        style = [["custom-style", "Bibliography"]]
        div["c"] = [[ident, [*div["c"][0][1], *classes], [*attrs, *style]], mine]
    refs["c"][1] = left
    if not left:
        for blocks in holders:
            blocks[:] = [b for b in blocks if b is not refs]


def _source_file(entry: Any, places: dict[str, Any]) -> Path | None:
    ident = entry["c"][0][0] if isinstance(entry, dict) and entry.get("t") == "Div" else ""
    place = places.get(ident.removeprefix("ref-")) if ident else None
    return Path(place[0]) if place else None


def _find(
    blocks: list[Any], wanted: set[str], found: dict[str, Any], holders: list[list[Any]]
) -> None:
    """The divs whose id is in `wanted`, and every block list that holds one, at any depth."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block.get("t") == "Div":
            ident = block["c"][0][0]
            if ident in wanted and ident not in found:
                found[ident] = block
                holders.append(blocks)
            _find(block["c"][1], wanted, found, holders)
        elif block.get("t") in ("BlockQuote",):
            _find(block["c"], wanted, found, holders)
