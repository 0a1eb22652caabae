"""The corpus of one build: the library, style and data every document shares, and each
document assembled and cited once (on demand, so that the appendix's cited_in() can read the
paper's citations in the read phase, whatever order the documents come in)."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

from .assemble import assemble, load_data
from .blind import anonymize_keys, is_blind_build, masked
from .cite import cite
from .config import Project, load_document
from .depfile import saved_since
from .errors import PressroomError
from .model import Cited
from .references import Library, load_library
from .styles import resolve_style
from .write import write_if_changed


class Waiting(Exception):
    """In a worker (schedule.py): the document being read asks for another's citations
    (cited_in) that no process has read yet; the schedule reads that one first."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Corpus:
    """Documents as cited by this build, by name."""

    # In a worker: a document another one reads is read by the schedule, not within it (each
    # document is cited once, in one process, whatever order the workers take them in).
    defer: bool = False

    def __init__(self, project: Project) -> None:
        self.project = project
        library = load_library(project)
        if is_blind_build(project):  # blind review: self-citations masked in notes and bibliography
            library = masked(project, library)
        self.library: Library = library
        self.style: Path = resolve_style(project)
        self.data, self.data_paths = load_data(project)
        self.formatted: dict[str, dict[str, str]] | None = None  # the catalogue, once asked for
        self._cited: dict[str, Cited] = {}
        self._reading: list[str] = []  # documents being read now, innermost last

    def cited(self, name: str) -> Cited:
        """Document `name`, assembled and cited (once per build; again, from pandoc's cache on
        disk, if its AST was released to make room for a layout)."""
        if name in self._cited and self._cited[name].ast:
            return self._cited[name]
        if name not in self.project.documents:
            raise PressroomError(
                f"no document manuscript/{name}.md", self.project.manuscript, None, "jinja.include"
            )
        if name in self._reading:
            chain = " -> ".join([*self._reading, name])
            raise PressroomError(
                f"documents read each other's citations in a circle ({chain})",
                self.project.sources(name)[0],
                None,
                "jinja.cycle",
            )
        if self.defer and self._reading:
            raise Waiting(name)
        from .jinja_globals import source_globals  # the globals call back into the corpus

        self._reading.append(name)
        try:
            doc = load_document(self.project, name)
            reads: set[Path] = set()
            assembled = assemble(doc, self.project, source_globals(doc, self, reads), reads)
            cited = cite(assembled, self.project, self.library, self.style)
        finally:
            self._reading.pop()
        if is_blind_build(self.project):
            anonymize_keys(cited.ast)
        self.citation_index(cited)
        cited = dataclasses.replace(
            cited, inputs=cited.inputs | reads | {self.project.metadata_path}
        )
        self._cited[name] = cited
        return cited

    def carried_to(self, project: Project) -> Corpus:
        """A corpus for a later build of the same project (watch: each batch's HTML, then the
        slow outputs): this one's library, style and data where none of their files was saved
        since this build started, and its cited documents too where no file any of them read
        was (that build may have read a file saved since before or after the save); all new
        where the project's settings differ."""
        shared = {self.style, *self.library.files, *self.data_paths.values()}
        data = self.project.manuscript / "data"
        if data.is_dir():  # its list of files: a data file added or removed
            shared.add(data)
        if not self._current(project, shared):
            return Corpus(project)
        later = copy.copy(self)
        later.project = project
        later._reading = []
        read = {p for c in self._cited.values() for p in c.inputs}
        read.discard(self.project.metadata_path)  # (its settings are compared; it may not exist)
        # A released AST is cited again, from pandoc's cache.
        kept = {n: c for n, c in self._cited.items() if c.ast}
        later._cited = kept if self._current(project, read) else {}
        return later

    def _current(self, project: Project, files: set[Path]) -> bool:
        """Whether `project` has this build's settings and none of `files` was saved (or
        removed) since this build started."""
        before = self.project
        settings = (before.metadata, before.reference_files, before.style, before.overrides)
        now = (project.metadata, project.reference_files, project.style, project.overrides)
        if settings != now or not before.started:
            return False
        try:
            return not any(saved_since(p, before.started) for p in files)
        except OSError:  # removed since
            return False

    def read(self) -> dict[str, Cited]:
        """The documents cited so far in this build, by name."""
        return dict(self._cited)

    def adopt(self, cited: dict[str, Cited]) -> None:
        """Documents another process cited (their citations, perhaps without their AST)."""
        for name, c in cited.items():
            self._cited.setdefault(name, c)

    def citation_index(self, cited: Cited) -> Path:
        """build/.cache/NAME.citations.json: where a document cites each source, rewritten only
        when that changes (what other documents' cited_in() depends on)."""
        path = self.project.build_dir / ".cache" / f"{cited.doc.name}.citations.json"
        rows = [[c.key, c.note, c.section, c.section_title, c.section_id] for c in cited.citations]
        write_if_changed(path, json.dumps(rows, ensure_ascii=False).encode("utf-8"))
        return path

    def cited_in(self, ident: str, document: str) -> tuple[dict[str, Any], Path]:
        """Where `document` cites source `ident` (its notes and sections), and the file that
        records it (an input of the asking document)."""
        # Its citations, whether or not its AST is still held (released after its writers, or
        # cited in another process).
        other = self._cited.get(document) or self.cited(document)
        notes: list[int] = []
        sections: list[dict[str, Any]] = []
        for c in other.citations:
            if c.key != ident:
                continue
            if c.note is not None and c.note not in notes:
                notes.append(c.note)
            section = {"number": c.section, "title": c.section_title, "id": c.section_id}
            if c.section_title and section not in sections:
                sections.append(section)
        return {"notes": notes, "sections": sections}, self.citation_index(other)
