"""The typed hand-offs between the stages: what each stage gives the next, flat and frozen.

    Document (config) --assemble--> Assembled --cite--> Cited --render/<format>--> Output

Every record carries the files it was made from (`inputs`), so the depfile of an output is the
union of what its stages read, and the source map, so that a later stage names the user's line
by looking it up rather than by searching the files again."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Document
from .errors import BuildWarning
from .sourcemap import SourceMap


@dataclass(frozen=True)
class Assembled:
    """A document's Markdown after Jinja, with every file that went into it."""

    doc: Document
    markdown: str
    source_map: SourceMap
    inputs: frozenset[Path]


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

    doc: Document
    ast: dict[str, Any]
    source_map: SourceMap
    citations: tuple[Citation, ...]
    inputs: frozenset[Path]
    notes: int = 0
    keys: frozenset[str] = field(default_factory=frozenset)
    warnings: tuple[BuildWarning, ...] = ()  # pandoc's, mapped to the source
    origin: str = ""  # watch: the key of the cite that made the AST (cite_incremental.py)


@dataclass(frozen=True)
class Output:
    """One finished file, with every file it was made from."""

    path: Path
    data: bytes
    inputs: frozenset[Path]
    facts: dict[str, object] = field(default_factory=dict)  # what preflight checks (PDFs)
