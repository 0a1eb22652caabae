"""The project and its documents: metadata.yaml plus each source's front matter, validated once."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import PressroomError, PressroomErrors

TOOLKIT_ROOT = Path(__file__).resolve().parent.parent
TOOLKIT_TEMPLATES = TOOLKIT_ROOT / "templates"
FILTERS = Path(__file__).resolve().parent / "filters"  # pandoc Lua filters
FORMATS = ("html", "docx", "pdf")

# Every metadata field, declared once: name -> (type, what it means). Front matter may set the
# same fields for one document, plus the DOCUMENT_FIELDS below.
METADATA_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "Title of the paper; each document may override it in its front matter."),
    "subtitle": (str, "Subtitle, printed under the title."),
    "short-title": (str, "Short title for running heads; defaults to the title."),
    "lang": (str, "Language as a BCP 47 tag (en-US, en-GB, ja); drives hyphenation."),
    "authors": (list, "Authors: each a mapping with name, affiliation, email, orcid."),
    "keywords": (list, "Keywords, printed under the abstract and written to PDF/DOCX metadata."),
    "conference": (
        dict,
        "Conference: name, place, dates, start, end, session {title, date, time, timezone}.",
    ),
    "url": (str, "Web address of the paper's HTML version (handout link and QR code)."),
    "date": (str, "Date printed in the title block (YYYY-MM-DD or free text)."),
    "limits": (
        dict,
        "Limits per document: {paper: {words, pages}, abstract: {words, characters}}.",
    ),
    "citation-style": (
        str,
        "CSL style name or references/styles/NAME.csl; default chicago-notes-bibliography.",
    ),
    "acknowledgements": (str, "Acknowledgements (Markdown), removed in blind-review builds."),
    "blind": (bool, "Build a blind-review version: authors and self-citations removed."),
    "paper-size": (str, "Page size: a4 (default) or letter."),
    "blind-mask": (
        dict,
        "Blind review: how self-citations read, {author: 'Author', title: '[title withheld"
        " for review]'}; a reference is a self-citation if an author's name matches a"
        " metadata author, it has `self-cite: true`, or an author lists its id in `self-cite`.",
    ),
}
DOCUMENT_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "number-sections": (bool, "Number level-1 and level-2 headings (default true)."),
    "formats": (list, "Which outputs to build: any of html, docx, pdf (default all three)."),
    "title-block": (bool, "Print the title block with authors (default true)."),
    "label": (str, "What this document is, printed above the title: Abstract, Source Appendix."),
    "layout": (
        str,
        "Print layout: 'article' (default) or 'handout' (one page, templates/handout.*).",
    ),
}
AUTHOR_FIELDS = {"name", "affiliation", "email", "orcid", "self-cite"}
DEFAULT_STYLE = "chicago-notes-bibliography"
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Document:
    """One source under manuscript/ (paper.md -> paper), with its merged metadata."""

    name: str
    source: Path
    meta: dict[str, Any]
    body: str  # the source with its front matter blanked out, so line numbers stay true
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    """A project directory with the standard layout (manuscript/, references/, templates/)."""

    root: Path
    build_dir: Path
    metadata: dict[str, Any]
    metadata_path: Path
    template_dirs: tuple[Path, ...]
    reference_files: tuple[Path, ...]
    style: str
    documents: tuple[str, ...]
    strict: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    def output(self, name: str, fmt: str) -> Path:
        """Where document `name`'s output in format `fmt` is written: build/NAME.FMT."""
        return self.build_dir / f"{name}.{fmt}"

    def template(self, name: str) -> Path:
        """The project's own template file if it has one, else the toolkit's."""
        for d in self.template_dirs:
            if (d / name).is_file():
                return d / name
        raise PressroomError(
            f"template '{name}' not found", self.root / "templates", None, "config.template"
        )


def _hint(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return (
        f" (did you mean '{close[0]}'?)" if close else f"; valid keys: {', '.join(sorted(valid))}"
    )


def validate_meta(
    meta: dict[str, Any], path: Path, fields: dict[str, tuple[type | tuple[type, ...], str]]
) -> list[PressroomError]:
    """Check every field; return all problems, not just the first."""
    problems: list[PressroomError] = []
    lines = getattr(meta, "lines", {})
    for key, value in meta.items():
        line = lines.get(key)
        if key not in fields:
            msg = f"unknown metadata key '{key}'{_hint(key, list(fields))}"
            problems.append(PressroomError(msg, path, line, "config.unknown"))
            continue
        kind, _doc = fields[key]
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            expect = {"str": "text", "list": "a list", "dict": "a mapping", "bool": "true or false"}
            msg = f"'{key}' must be {expect.get(want, want)}"
            problems.append(PressroomError(msg, path, line, "config.type"))
    # A field of the wrong type was reported above; only a list's items are checked here.
    authors = meta.get("authors")
    for i, author in enumerate(authors if isinstance(authors, list) else []):
        aline = getattr(author, "line", line_of(meta, "authors"))
        if not isinstance(author, dict) or not isinstance(author.get("name"), str):
            msg = f"author {i + 1} needs a 'name'"
            problems.append(PressroomError(msg, path, aline, "config.type"))
            continue
        for k in author:
            if k not in AUTHOR_FIELDS:
                msg = f"unknown author key '{k}'{_hint(k, sorted(AUTHOR_FIELDS))}"
                kline = getattr(author, "lines", {}).get(k, aline)
                problems.append(PressroomError(msg, path, kline, "config.unknown"))
    formats = meta.get("formats")
    for fmt in formats if isinstance(formats, list) else []:
        if fmt not in FORMATS:
            msg = f"unknown format '{fmt}'; formats are {', '.join(FORMATS)}"
            problems.append(PressroomError(msg, path, line_of(meta, "formats"), "config.value"))
    size = meta.get("paper-size")
    if isinstance(size, str) and size.lower() not in ("a4", "letter"):
        msg = f"paper-size must be a4 or letter, not '{size}'"
        problems.append(PressroomError(msg, path, line_of(meta, "paper-size"), "config.value"))
    layout = meta.get("layout")
    if isinstance(layout, str) and layout not in ("article", "handout"):
        msg = f"layout must be article or handout, not '{layout}'"
        problems.append(PressroomError(msg, path, line_of(meta, "layout"), "config.value"))
    return problems


def line_of(meta: dict[str, Any], key: str) -> int | None:
    return getattr(meta, "lines", {}).get(key)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """Return (front matter, body with the front matter replaced by blank lines)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    data = yamlio.loads(m.group(1), path, line_offset=1) if m.group(1).strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PressroomError("front matter must be a mapping", path, 2, "config.type")
    blank = "\n" * m.group(0).count("\n")
    return data, blank + text[m.end() :]


def load_project(
    root: Path, strict: bool = False, overrides: dict[str, Any] | None = None
) -> Project:
    """Read metadata.yaml and find the documents, references and style."""
    root = root.resolve()
    manuscript = root / "manuscript"
    metadata_path = manuscript / "metadata.yaml"
    if not manuscript.is_dir():
        raise PressroomError(
            "no manuscript/ folder here; start a project with 'python build.py new DIR'", root
        )
    if metadata_path.is_file():
        inside(metadata_path, root)
        metadata = yamlio.load(metadata_path) or {}
        if not isinstance(metadata, dict):
            raise PressroomError("metadata must be a mapping", metadata_path, 1, "config.type")
    else:
        metadata = {}
    metadata = _apply_overrides(metadata, overrides or {})
    problems = validate_meta(metadata, metadata_path, METADATA_FIELDS)
    if problems:
        raise PressroomErrors(problems)
    refdir = root / "references"
    reference_files = (
        tuple(
            sorted(
                p
                for p in refdir.glob("*")
                if p.suffix.lower() in (".yaml", ".yml", ".json", ".bib") and p.is_file()
            )
        )
        if refdir.is_dir()
        else ()
    )
    for p in [*reference_files, *manuscript.glob("*.md")]:
        inside(p, root)
    names = sorted(p.stem for p in manuscript.glob("*.md") if p.is_file())
    # The paper first: other documents (the appendix) read where it cites each source.
    names.sort(key=lambda n: (n != "paper", n))
    template_dirs = tuple(d for d in (root / "templates", TOOLKIT_TEMPLATES) if d.is_dir())
    return Project(
        root=root,
        build_dir=root / "build",
        metadata=metadata,
        metadata_path=metadata_path,
        template_dirs=template_dirs,
        reference_files=reference_files,
        style=str(metadata.get("citation-style") or DEFAULT_STYLE),
        documents=tuple(names),
        strict=strict,
        overrides=overrides or {},
    )


def inside(path: Path, root: Path) -> Path:
    """`path`, if its real path lies in the project: a symlink out of it is refused, so that
    nothing outside the project is read into an output (issue 6)."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise PressroomError(
            "links to a file outside the project; copy the file in instead",
            path,
            None,
            "io.outside",
        )
    return real


def _apply_overrides(metadata: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    if not overrides:
        return metadata
    merged = yamlio.LineDict(metadata)
    merged.lines = dict(getattr(metadata, "lines", {}))  # keep the lines of the file's keys
    merged.update(overrides)
    return merged


def load_document(project: Project, name: str) -> Document:
    """Read one source: its front matter merged over the project metadata."""
    source = project.manuscript / f"{name}.md"
    text = yamlio.read_text(source)
    front, body = split_front_matter(text, source)
    problems = validate_meta(front, source, {**METADATA_FIELDS, **DOCUMENT_FIELDS})
    if problems:
        raise PressroomErrors(problems)
    meta = yamlio.LineDict({**project.metadata, **front, **project.overrides})
    meta.lines = {}
    formats = tuple(front.get("formats") or FORMATS)
    return Document(name=name, source=source, meta=meta, body=body, formats=formats)
