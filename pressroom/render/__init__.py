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
from .base import Draft, PandocJob, Renderer, jobs_together

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
    preview PDF in watch), before any other format is made (or written by pandoc). A format
    that fails does not stop the others: its error is raised once they are made (a PDF over
    the layout limit still leaves the HTML and DOCX written)."""
    chosen = [RENDERERS[f] for f in FORMATS if f in formats]
    # watch: a format's quick draft (the preview PDF) first, before the other formats' pandoc
    # writers run (their jobs walk the whole AST, and the writers would share the cores).
    early = [r for r in chosen if draft is not None and hasattr(r, "start")]
    for r in early:  # watch: a draft made from the last one, before any writer runs at all
        quick = getattr(r, "quick", None)
        if quick is not None and draft is not None:
            quick(cited, project, draft)
    made = dict(zip([r.fmt for r in early], _bodies(cited, project, early), strict=True))
    outputs: list[Output] = []
    failed: PressroomError | None = None
    started: dict[str, Callable[[], Output]] = {}
    for r in early:
        job, body = made[r.fmt]
        start: Callable[..., Callable[[], Output]] = r.start
        try:
            started[r.fmt] = start(cited, job, body, project, diagnostics, draft)
        except PressroomError as exc:
            failed = failed or exc
    later = [r for r in chosen if r not in early]
    made.update(zip([r.fmt for r in later], _bodies(cited, project, later), strict=True))
    if release is not None:
        release()
    jobs = [made[r.fmt][0] for r in chosen]
    bodies = [made[r.fmt][1] for r in chosen]
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


def _bodies(
    cited: Cited, project: Project, renderers: list[Renderer]
) -> list[tuple[PandocJob, bytes]]:
    """Each renderer's pandoc job and the body pandoc wrote for it (the writers side by side)."""
    with jobs_together():
        jobs = [r.job(cited, project) for r in renderers]
    if not jobs:
        return []
    try:
        bodies = pandoc.run_many([(j.args, j.stdin) for j in jobs], cited.doc.source)
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not write the document: {exc.stderr.strip()}",
            cited.doc.source,
            None,
            "pandoc.writer",
        ) from None
    return list(zip(jobs, bodies, strict=True))
