"""Stage `render`: one renderer per output format, behind one small interface (base.py).

A document's renderers first ask pandoc for their bodies, side by side from the one cited AST
(each writer is its own pandoc process), then each wraps its body into the finished file. A new
format is one new module here and one line in RENDERERS."""

from __future__ import annotations

from collections.abc import Callable

from .. import pandoc
from ..config import Project
from ..errors import Diagnostics, PressroomError
from ..model import Cited, Output
from . import docx, html, pdf
from .base import Draft, Renderer

RENDERERS: dict[str, Renderer] = {r.fmt: r for r in (html.RENDERER, docx.RENDERER, pdf.RENDERER)}
FORMATS = tuple(RENDERERS)


def prepare(project: Project) -> None:
    """Before staleness is decided: each renderer records its build settings as files."""
    for renderer in RENDERERS.values():
        renderer.prepare(project)


def render_document(
    cited: Cited,
    project: Project,
    formats: set[str],
    diagnostics: Diagnostics,
    release: Callable[[], None] | None = None,
    done: Callable[[Output], None] | None = None,
    draft: Draft | None = None,
) -> list[Output]:
    """The document's outputs in `formats` (in the order html, docx, pdf); `release` is called
    once the pandoc writers are done with the AST, before any layout; `done` with each output
    as soon as it is made; `draft` with a quicker version of an output made before it (the
    preview PDF in watch), before any output is made. A format that fails does not stop the
    others: its error is raised once they are made (a PDF over the layout limit still leaves
    the HTML and DOCX written)."""
    chosen = [RENDERERS[f] for f in FORMATS if f in formats]
    jobs = [r.job(cited, project) for r in chosen]
    try:
        bodies = pandoc.run_many([(j.args, j.stdin) for j in jobs], cited.doc.source)
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not write the document: {exc.stderr.strip()}",
            cited.doc.source,
            None,
            "pandoc.writer",
        ) from None
    if release is not None:
        release()
    outputs: list[Output] = []
    failed: PressroomError | None = None
    # watch: a format's quick draft (the preview PDF) before any other format is made.
    started: dict[str, Callable[[], Output]] = {}
    for r, job, body in zip(chosen, jobs, bodies, strict=True):
        start = getattr(r, "start", None) if draft is not None else None
        if start is not None:
            try:
                started[r.fmt] = start(cited, job, body, project, diagnostics, draft)
            except PressroomError as exc:
                failed = failed or exc
    for r, job, body in zip(chosen, jobs, bodies, strict=True):
        try:
            if r.fmt in started:
                output = started[r.fmt]()
            elif draft is not None and hasattr(r, "start"):
                continue  # its start failed: reported above
            else:
                output = r.render(cited, job, body, project, diagnostics, draft)
        except PressroomError as exc:
            failed = failed or exc
            continue
        if done is not None:
            done(output)
        outputs.append(output)
    if failed is not None:
        raise failed
    return outputs
