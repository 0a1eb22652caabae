"""The build, as a contents page: which outputs are stale, then each document's stages."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import importlib
import json
import multiprocessing
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assemble import DataView, assemble, load_data
from .blind import anonymize_keys, is_blind_build, masked
from .catalogue import catalogue, reference
from .cite import Cited, cite
from .config import TOOLKIT_ROOT, Document, Project, load_document
from .convert import convert, embed_assets
from .errors import Diagnostics, PressroomError, Warning_
from .handout import qr
from .pages import session_when
from .references import Library, load_library
from .render import Output, output_path, pdf_settings, render_docx, render_html, render_pdf
from .styles import resolve_style
from .write import (
    atomic_write,
    is_current,
    make_rule,
    recorded_inputs,
    write_depfile,
    write_if_changed,
)

# The toolkit's own code is an input of every output: a fix to pressroom rebuilds.
TOOLKIT_FILES = frozenset(
    p.resolve()
    for p in [
        *(TOOLKIT_ROOT / "pressroom").rglob("*.py"),
        *(TOOLKIT_ROOT / "pressroom").rglob("*.lua"),
    ]
)


@dataclass
class Session:
    """What one build shares across documents: library, style, data and cited documents."""

    project: Project
    library: Library
    style: Path
    data: dict[str, Any]
    data_paths: dict[str, Path]
    cited: dict[str, Cited] = field(default_factory=dict)
    formatted: dict[str, dict[str, str]] | None = None

    def context(self, doc: Document, reads: set[Path]) -> dict[str, Any]:
        """The Jinja globals of a source: meta, data, ref() and cited_in()."""

        def ref(ident: str) -> dict[str, Any]:
            reads.update(self.library.files)
            reads.add(self.style)
            if self.formatted is None:
                self.formatted = catalogue(self.project, self.library, self.style)
            for item in self.library.items:
                if item["id"] == ident:
                    return reference(item, self.formatted.get(ident, {}))
            hint = self.library.closest(ident)
            raise PressroomError(
                f"ref(): unknown reference id '{ident}'"
                + (f" (did you mean '{hint}'?)" if hint else ""),
                doc.source,
                None,
                "citation.unknown",
            )

        def cited_in(ident: str, document: str = "paper") -> dict[str, Any]:
            other = self.cite_document(document)
            # Depend on where the other document cites, not on all of its text: an edit to
            # the paper that moves no citation leaves the appendix alone.
            reads.add(citation_index(self.project, other))
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
            return {"notes": notes, "sections": sections}

        return {
            "meta": doc.meta,
            "data": DataView(self.data, self.data_paths, reads),
            "ref": ref,
            "cited_in": cited_in,
            "qr": qr,
            "session_when": session_when,
        }

    def cite_document(self, name: str) -> Cited:
        """assemble + cite, once per document per build (again, from pandoc's cache on disk,
        if its AST was released to make room for the PDF's layout)."""
        if name not in self.cited or "blocks" not in self.cited[name].ast:
            if name not in self.project.documents:
                raise PressroomError(
                    f"cited_in(): no document manuscript/{name}.md", self.project.manuscript
                )
            doc = load_document(self.project, name)
            reads: set[Path] = set()
            assembled = assemble(doc, self.project, self.context(doc, reads))
            cited = cite(assembled, self.project, self.library, self.style)
            if is_blind_build(self.project):
                anonymize_keys(cited.ast)
            extra = reads | {self.project.metadata_path}
            citation_index(self.project, cited)
            self.cited[name] = Cited(
                assembled=cited.assembled,
                ast=cited.ast,
                citations=cited.citations,
                inputs=cited.inputs | extra,
                notes=cited.notes,
                keys=cited.keys,
                warnings=cited.warnings,
            )
        return self.cited[name]


def plan(project: Project, wanted: set[str] | None = None) -> dict[str, set[str]]:
    """Each document's outputs that are missing or older than what they were made from."""
    stale: dict[str, set[str]] = {}
    for name in project.documents:
        doc = load_document(project, name)
        for fmt in doc.formats:
            if wanted and name not in wanted and f"{name}.{fmt}" not in wanted:
                continue
            if not is_current(project.build_dir, output_path(project, name, fmt)):
                stale.setdefault(name, set()).add(fmt)
    return stale


def facts_path(project: Project, output: Path) -> Path:
    """build/.deps/NAME.pdf.facts.json: pages, fonts, missing glyphs... (for `check`)."""
    return project.build_dir / ".deps" / f"{output.name}.facts.json"


def record_outputs(project: Project) -> None:
    """What the Makefile reads after a good build: build/.deps/outputs.mk (OUTPUTS, every
    document x format, and OUTPUTS_DOCS, the documents it was made for), and the stamp
    build/.deps/built with built.d, the union of every output's inputs. make runs the build
    when any input is newer than the stamp or an output is missing; the build then remakes
    exactly the outputs whose own inputs changed."""
    deps = project.build_dir / ".deps"
    docs = sorted(project.documents)
    outputs = [
        output_path(project, name, fmt)
        for name in docs
        for fmt in load_document(project, name).formats
    ]
    names = " ".join(f"build/{p.name}" for p in outputs)
    text = f"OUTPUTS_DOCS := {' '.join(docs)}\nOUTPUTS := {names}\n"
    write_if_changed(deps / "outputs.mk", text.encode("utf-8"))
    inputs = {p for out in outputs for p in recorded_inputs(project.build_dir, out)}
    write_if_changed(deps / "built.d", make_rule(project.root, deps / "built", inputs).encode())
    (deps / "built").touch()


def start_session(project: Project) -> Session:
    library = load_library(project)
    if is_blind_build(project):  # blind review: self-citations masked in notes and bibliography
        library = masked(project, library)
    style = resolve_style(project)
    data, data_paths = load_data(project)
    return Session(project, library, style, data, data_paths)


def citation_index(project: Project, cited: Cited) -> Path:
    """build/.cache/NAME.citations.json: where a document cites each source, rewritten only
    when that changes (what other documents' cited_in() depends on)."""
    path = project.build_dir / ".cache" / f"{cited.assembled.doc.name}.citations.json"
    rows = [[c.key, c.note, c.section, c.section_title, c.section_id] for c in cited.citations]
    write_if_changed(path, json.dumps(rows, ensure_ascii=False).encode("utf-8"))
    return path


def build_document(
    session: Session, name: str, formats: set[str], diagnostics: Diagnostics
) -> list[Output]:
    """One document, through every stage, to the formats asked for."""
    cited = session.cite_document(name)
    if not cited.ast["blocks"]:  # issue 6: an empty source still builds, but says so
        diagnostics.warn("document is empty", "document.empty", cited.assembled.doc.source, 1)
    for w in cited.warnings:  # pandoc's own warnings, re-issued with a kind (issue 6)
        diagnostics.warn(w.message, w.kind, w.path, w.line)
    cited = embed_assets(cited, session.project)
    converted = convert(cited, session.project, formats)
    # The writers have run: let the AST go before WeasyPrint lays out (about 100 MiB at 200
    # pages); a later step that needs it (watch: HTML first, PDF after) cites again from cache.
    del cited
    session.cited[name] = dataclasses.replace(session.cited[name], ast={})
    converted = dataclasses.replace(converted, cited=dataclasses.replace(converted.cited, ast={}))
    outputs = []
    if "html" in formats:
        outputs.append(render_html(converted, session.project))
    if "docx" in formats:
        outputs.append(render_docx(converted, session.project))
    if "pdf" in formats:
        outputs.append(render_pdf(converted, session.project, diagnostics))
    return outputs


def write_outputs(project: Project, outputs: list[Output]) -> None:
    for output in outputs:
        atomic_write(output.path, output.data)
        write_depfile(project.root, project.build_dir, output.path, output.inputs | TOOLKIT_FILES)
        if output.facts:
            facts = json.dumps(output.facts, ensure_ascii=False, sort_keys=True).encode("utf-8")
            write_if_changed(facts_path(project, output.path), facts)


def _worker(project: Project, name: str, formats: set[str]) -> list[Warning_]:
    """A document in its own process (forked after WeasyPrint was imported)."""
    diagnostics = Diagnostics(project.root, echo=False, strict=project.strict)
    session = start_session(project)
    write_outputs(project, build_document(session, name, formats, diagnostics))
    return diagnostics.warnings


def build(project: Project, diagnostics: Diagnostics, wanted: set[str] | None = None) -> list[str]:
    """Bring every stale output up to date; returns the names of the outputs rebuilt.

    Building one document can change a file another depends on (the paper's citation index,
    read by the appendix), so the plan is made again until nothing is stale."""
    rebuilt: list[str] = []
    pdf_settings(project)  # before the plan: a changed page size makes the PDFs stale
    for _ in range(3):
        stale = plan(project, wanted)
        if not stale:
            break
        if len(stale) == 1 or not any("pdf" in f for f in stale.values()):
            if any("pdf" in f for f in stale.values()):
                _import_weasyprint_meanwhile()
            session = start_session(project)
            for name, formats in stale.items():
                write_outputs(project, build_document(session, name, formats, diagnostics))
        else:
            _build_parallel(project, stale, diagnostics)
        rebuilt += [f"{name}.{fmt}" for name, formats in stale.items() for fmt in sorted(formats)]
    return rebuilt


def _import_weasyprint_meanwhile() -> None:
    """Import WeasyPrint (0.4 s) on a thread while pandoc runs in its own processes; the PDF
    stage's own import then finds it loaded (Python's import lock makes this safe)."""
    threading.Thread(target=importlib.import_module, args=("pressroom.weasy",), daemon=True).start()


def _build_parallel(project: Project, stale: dict[str, set[str]], diagnostics: Diagnostics) -> None:
    """Documents on both cores; WeasyPrint is imported once, before the fork."""
    importlib.import_module("pressroom.weasy")  # each forked worker inherits it, loaded

    # The longest document first, so the other core takes the short ones meanwhile.
    order = sorted(stale, key=lambda n: -(project.manuscript / f"{n}.md").stat().st_size)
    context = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(
        max_workers=2, mp_context=context, initializer=_worker_signals
    ) as pool:
        futures = {pool.submit(_worker, project, name, stale[name]): name for name in order}
        try:
            for future in cf.as_completed(futures):
                for w in future.result():
                    diagnostics.warn(w.message, w.kind, w.path, w.line)
        except BaseException:
            # Ctrl-C, SIGTERM or another document's error: stop the workers now rather than
            # wait for their documents (issue 6: an interrupt ends the build within seconds).
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the parent's to handle; SIGTERM stops its pandoc and exits."""
    import os
    import signal

    from . import pandoc
    from .write import remove_pending

    def stop(signum: int, frame: object) -> None:
        pandoc.kill_all()
        remove_pending()  # os._exit skips atomic_write's own clean-up
        os._exit(130)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
