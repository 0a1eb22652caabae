"""Blind review: who the authors are, which references are theirs, and the masked build."""

from __future__ import annotations

import dataclasses
from typing import Any

from . import tree
from .config import Project
from .fields import split_names, surname
from .references import Library

DEFAULT_MASK = {"author": "Author", "title": "[title withheld for review]"}


def is_blind_build(project: Project) -> bool:
    """True for the blind build itself (blind_project); `blind: true` in metadata.yaml only
    makes `submission` blind, never build/paper.*."""
    return project.overrides.get("blind") is True


def identities(project: Project) -> list[tuple[str, str]]:
    """(kind, text) of every string that identifies an author: name, surname, affiliation,
    e-mail, ORCID."""
    found: list[tuple[str, str]] = []
    for author in project.metadata.get("authors") or []:
        if not isinstance(author, dict):
            continue
        name = str(author.get("name") or "").strip()
        if name:
            found.append(("name", name))
            for person in split_names(name):
                family = surname(person)
                if len(person.split()) > 1 and len(family) > 3:
                    found.append(("surname", family))
        for kind in ("affiliation", "email", "orcid"):
            if author.get(kind):
                found.append((kind, str(author[kind]).strip()))
    return found


def self_citations(project: Project, library: Library) -> set[str]:
    """References by an author of this paper: a name matches a metadata author, the item says
    `self-cite: true`, or an author lists its id under `self-cite`."""
    authors = [a for a in project.metadata.get("authors") or [] if isinstance(a, dict)]
    # A CSL name's `family` leaves its particle apart ("de" of "de Lauretis"): match the last word.
    people = [p for a in authors for p in split_names(str(a.get("name") or ""))]
    surnames = {surname(p).split()[-1].lower() for p in people if surname(p)}
    listed: set[str] = set()
    for a in authors:
        value = a.get("self-cite")
        listed |= {str(v) for v in value} if isinstance(value, list) else set()
    found = set()
    for item in library.items:
        names = {
            str(n.get("family") or n.get("literal") or "").lower() for n in item.get("author", [])
        }
        if item.get("self-cite") is True or item["id"] in listed or names & surnames:
            found.add(item["id"])
    return found


def masked(project: Project, library: Library) -> Library:
    """The library with every self-citation reduced to "Author, [title withheld] (year)"."""
    mask = {**DEFAULT_MASK, **(project.metadata.get("blind-mask") or {})}
    hide = self_citations(project, library)
    keep = {"id", "type", "issued"}
    items = []
    for item in library.items:
        if item["id"] in hide:
            item = {k: v for k, v in item.items() if k in keep}
            item["author"] = [{"literal": str(mask["author"])}]
            # nocase: CSL would title-case the mask ("[Title Withheld for Review]").
            item["title"] = f'<span class="nocase">{mask["title"]}</span>'
        items.append({k: v for k, v in item.items() if k != "self-cite"})
    return dataclasses.replace(library, items=tuple(items))


def blind_project(project: Project) -> Project:
    """The same project, built into build/submission/.blind/ with no author in its metadata."""
    overrides = {**project.overrides, "authors": [], "acknowledgements": "", "blind": True}
    return dataclasses.replace(
        project, build_dir=project.build_dir / "submission" / ".blind", overrides=overrides
    )


def anonymize_keys(ast: dict[str, Any]) -> None:
    """Rename every citation key in a blind build's AST: keys like `watanabe2020` would
    otherwise name the author in link targets, DOCX bookmarks and HTML attributes."""
    keys: dict[str, str] = {}

    def alias(key: str) -> str:
        return keys.setdefault(key, f"r{len(keys) + 1}")

    def visit(node: tree.Node) -> None:
        t = node.get("t")
        if t == "Cite":
            for citation in node["c"][0]:
                citation["citationId"] = alias(citation["citationId"])
        elif t == "Div" and node["c"][0][0].startswith("ref-"):
            node["c"][0][0] = "ref-" + alias(node["c"][0][0][4:])
        elif t == "Link" and node["c"][2][0].startswith("#ref-"):
            node["c"][2][0] = "#ref-" + alias(node["c"][2][0][5:])

    tree.walk(ast["blocks"], visit)
