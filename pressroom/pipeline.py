"""The build, as a contents page.

    plan        which outputs are stale                               freshness.py
    read        assemble + cite each stale document, then each       documents.py
                document that went stale through them (cited_in)     (assemble, cite)
    render      each stale output, from the cited AST                 assets.py, render/
    write       atomic writes and a record of every input             write.py, depfile.py
    stamp       what make reads, after a build of everything          stamp.py

Two phases, as Sphinx builds: a document is read (and its citation index written) before it is
rendered, and before any document that reads its citations, so the appendix that lists where the
paper cites each source never waits for a second pass. In one process (watch, one PDF) every
document is read before any is rendered; on two cores (schedule.py) each is rendered as soon as
it is read, the largest first, so a cold build's critical path (the paper's cite, then its PDF)
never waits for the other documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import freshness, parallel, schedule, stamp
from .config import PACKAGE, Project
from .depfile import record_path, settings_mark, write_record
from .documents import Corpus
from .errors import Diagnostics, PressroomError
from .model import Output
from .progress import Listener
from .render import FORMATS, prepare, render_document
from .write import atomic_write, check_writable, write_if_changed

# The toolkit's own code is an input of every output: a fix to pressroom rebuilds.
TOOLKIT_FILES = frozenset(
    p.resolve()
    for p in [
        *PACKAGE.rglob("*.py"),
        *PACKAGE.rglob("*.lua"),
    ]
)


@dataclass(frozen=True)
class Request:
    """What to build: every output, or `targets` (`paper`, `paper.pdf`); `keep_going` reports
    a failing document and builds the others (watch); the documents in `first` are built
    before the rest (watch: the one just edited); `preview` writes each PDF first untagged with
    fast compression, then the final tagged one over it (watch). The watch builds its HTML and
    its slower outputs as two requests (watch.py), so that no HTML waits behind a PDF layout;
    `corpus`, an earlier request's, is reused where nothing it read was saved since
    (Corpus.carried_to): the slow outputs do not cite the edited document again, nor does any
    HTML build load an unchanged library again."""

    targets: frozenset[str] | None = None
    keep_going: bool = False
    first: frozenset[str] = frozenset()
    parallel: bool = True
    preview: bool = False
    progress: Listener | None = None  # told as each output is started and written
    corpus: Corpus | None = None  # an earlier build's, to reuse if still current


@dataclass
class Result:
    built: list[str] = field(default_factory=list)  # build/ names written
    errors: list[PressroomError] = field(default_factory=list)  # with keep_going
    corpus: Corpus | None = None


def build(project: Project, request: Request, diagnostics: Diagnostics) -> Result:
    """Bring every stale output up to date."""
    check_writable(project.build_dir)
    for w in project.warnings:  # metadata.yaml's unknown keys
        diagnostics.warn(w.message, w.kind, w.path, w.line)
    prepare(project)  # settings files first: a changed page size makes the PDFs stale
    plan = freshness.plan(project, request.targets)
    result = Result()
    if plan.stale:
        earlier = request.corpus
        corpus = result.corpus = earlier.carried_to(project) if earlier else Corpus(project)
        if _on_two_cores(plan, request):
            _scheduled(corpus, plan, request, diagnostics, result)
        else:
            if any("pdf" in f for f in plan.stale.values()):
                parallel.preload_weasyprint()
            _read(corpus, plan, request)
            _library_summary(corpus, diagnostics)
            _render(corpus, plan.stale, request, diagnostics, result)
    freshness.refresh(plan.refresh)
    if not result.errors:
        stamp.record(project, request.targets)
    return result


def _on_two_cores(plan: freshness.Plan, request: Request) -> bool:
    """Read and render on two forked workers (schedule.py) when more than one PDF is to be
    made; watch (keep_going) builds in its own process, the edited document first."""
    pdfs = [n for n, formats in plan.stale.items() if "pdf" in formats]
    return request.parallel and not request.keep_going and len(pdfs) > 1 and parallel.available()


def _scheduled(
    corpus: Corpus,
    plan: freshness.Plan,
    request: Request,
    diagnostics: Diagnostics,
    result: Result,
) -> None:
    """Phases 1 and 2 on two cores, each document rendered as soon as it is read (schedule.py).
    On an error, phase 1 again in this process: its first error is the one a serial build
    reports (the documents' order, a circle of documents named from where it starts)."""
    project = corpus.project

    def render(corpus: Corpus, name: str, formats: set[str], diagnostics: Diagnostics) -> None:
        build_document(corpus, name, formats, diagnostics)

    def finished(name: str, formats: frozenset[str]) -> None:
        result.built.extend(f"{name}.{f}" for f in sorted(formats))
        if request.progress is not None:
            for f in sorted(formats):
                request.progress.finished(project.output(name, f))

    try:
        schedule.run(
            corpus,
            plan,
            request.targets,
            request.progress,
            diagnostics,
            render,
            lambda: _library_summary(corpus, diagnostics),
            finished,
            lambda n: _size(project, n),
        )
    except PressroomError:
        _read(corpus, plan, request)
        raise


def _read(corpus: Corpus, plan: freshness.Plan, request: Request) -> None:
    """Phase 1: cite every stale document; a document whose inputs changed through that (a
    citation index it reads) joins the plan, until none does."""
    done: set[str] = set()
    while True:
        todo = [n for n in plan.stale if n not in done]
        if not todo:
            return
        for name in todo:
            if request.progress is not None:
                request.progress.reading(name)
            try:
                corpus.cited(name)
            except PressroomError:
                if not request.keep_going:
                    raise
            done.add(name)
        plan.add(freshness.plan(corpus.project, request.targets, skip=set(plan.stale)))


def _library_summary(corpus: Corpus, diagnostics: Diagnostics) -> None:
    """Problems in library entries no document read in this build cites: one warning (a
    cited one stopped the build at its line already)."""
    cited = {k for c in corpus.read().values() for k in c.keys}
    summary = corpus.library.summary(cited)
    if summary:
        diagnostics.warn(summary.message, summary.kind, summary.path, summary.line)


def _render(
    corpus: Corpus,
    stale: dict[str, set[str]],
    request: Request,
    diagnostics: Diagnostics,
    result: Result,
) -> None:
    """Phase 2, in this process: render and write each stale output."""
    project = corpus.project
    names = sorted(stale, key=lambda n: (n not in request.first, project.documents.index(n)))
    for name in names:
        try:
            outputs = build_document(
                corpus, name, stale[name], diagnostics, request.progress, request.preview
            )
        except PressroomError as exc:
            if not request.keep_going:
                raise
            result.errors.append(exc)
            continue
        result.built += [o.path.name for o in outputs]


def _size(project: Project, name: str) -> int:
    return sum(path.stat().st_size for path in project.sources(name))


def build_document(
    corpus: Corpus,
    name: str,
    formats: set[str],
    diagnostics: Diagnostics,
    progress: Listener | None = None,
    preview: bool = False,
) -> list[Output]:
    """One cited document through render and write, to the formats asked for; `progress` is
    told as each output starts and as it is written; with `preview`, a draft of a slow output
    is written first (write_draft)."""
    if progress is not None:
        for fmt in sorted(formats, key=FORMATS.index):
            progress.started(name, fmt)
    cited = corpus.cited(name)
    if not cited.ast["blocks"]:  # an empty source still builds, but says so
        diagnostics.warn("document is empty", "document.empty", cited.doc.source, 1)
    for w in cited.warnings:  # pandoc's own warnings, re-issued with a kind
        diagnostics.warn(w.message, w.kind, w.path, w.line)
    from .assets import embed_assets  # (imported beside the first cite: parallel.import_renderers)

    embedded = embed_assets(cited, corpus.project)
    for w in embedded.warnings[len(cited.warnings) :]:  # the figures' own (a multi-page PDF)
        diagnostics.warn(w.message, w.kind, w.path, w.line)
    cited = embedded
    last = "pdf" in formats or len(formats) == len(cited.doc.formats)
    # Once pandoc's writers have run, the AST (about 100 MiB at 200 pages) need not wait for
    # the PDF's layout; a later step that needs it cites again, from pandoc's cache.
    release = cited.ast.clear if last else None
    # Each output is written as soon as it is made: when a later format fails, the earlier
    # ones are already on disk.

    def written(output: Output) -> None:
        write_outputs(corpus.project, [output])
        if progress is not None:
            progress.finished(output.path)

    return render_document(
        cited,
        corpus.project,
        formats,
        diagnostics,
        release,
        done=written,
        draft=(lambda output: write_draft(corpus.project, output)) if preview else None,
    )


def write_draft(project: Project, output: Output) -> None:
    """A preview in the output's place, with no record of its inputs: until the final file
    replaces it (and records them), the output is stale, so no later build keeps a preview."""
    record_path(project.build_dir, output.path).unlink(missing_ok=True)
    atomic_write(output.path, output.data)


def write_outputs(project: Project, outputs: list[Output]) -> None:
    for output in outputs:
        atomic_write(output.path, output.data)
        inputs = output.inputs | TOOLKIT_FILES
        mark = settings_mark(project.strict, project.overrides)
        write_record(project.build_dir, output.path, inputs, project.started, mark)
        if output.facts:
            facts = json.dumps(output.facts, ensure_ascii=False, sort_keys=True).encode("utf-8")
            write_if_changed(facts_path(project, output.path), facts)


def facts_path(project: Project, output: Path) -> Path:
    """build/.deps/NAME.pdf.facts.json: pages, fonts, missing glyphs... (for `check`)."""
    return project.build_dir / ".deps" / f"{output.name}.facts.json"
