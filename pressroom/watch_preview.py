"""watch's preview PDF drafted in the watch process itself, on a thread, as soon as the edited
document is cited: while pandoc writes its HTML, not after it and a forked builder's start.

The preview is render/pdf.py's quick path (the edited paragraph written alone and spliced into
the last print page, page_incremental.py; the pages laid out again from the change,
weasy_incremental.py), run where the last layout's state already is. A thread, not a fork: the
watch process has threads running (the watcher, the server, pandoc's), and a fork taken while
one of them holds a lock can hang. The forked builder of the slow outputs starts only once the
thread is done (watch.py), so that no fork is taken while it lays out; it finds the preview
drafted and checks the spliced page against the whole one pandoc writes, as before
(render/pdf.py's _check_spliced). A newer edit stops a preview between its pages. Anything
that cannot be drafted here (a full cite, a refused splice or layout, an error) is left to the
builder, which drafts it as before."""

from __future__ import annotations

import threading
from typing import Any

from .errors import PressroomError


class EarlyPreview:
    """The preview thread of one watch session: at most one runs at a time."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def begin(self, project: Any, names: frozenset[str], corpus: Any) -> Any:
        """Cite the edited documents `names` now (in `corpus`, carried to `project`; returned
        for the HTML build to reuse) and draft the preview PDF of each one cited
        incrementally on a thread; a document that fails to cite is left to the build."""
        from . import cite_incremental
        from .assets import embed_assets
        from .documents import Corpus
        from .render import pdf
        from .targets import outputs

        self.stop()
        if not pdf.incremental_on() or not cite_incremental.enabled():
            return corpus
        try:
            carried = corpus.carried_to(project) if corpus is not None else Corpus(project)
            formats = outputs(project)
        except PressroomError:  # (the build reports it)
            return corpus
        jobs = []
        for name in sorted(names):
            if "pdf" not in formats.get(name, ()):
                continue
            try:
                cited = embed_assets(carried.cited(name), project)
            except PressroomError:
                continue
            if cited.origin in cite_incremental.CHANGES:  # (a full cite: the builder's)
                jobs.append(cited)
        if jobs:
            stop, previous = threading.Event(), self._thread
            self._stop = stop
            self._thread = threading.Thread(
                target=_draft, args=(previous, project, jobs, stop), name="preview", daemon=True
            )
            self._thread.start()
        return carried

    def stop(self) -> None:
        """A newer edit came in: the running preview stops at its next page."""
        self._stop.set()

    def wait(self) -> None:
        """Until no preview is being drafted (before a fork)."""
        thread = self._thread
        if thread is not None:
            thread.join()


def _draft(
    previous: threading.Thread | None, project: Any, jobs: list[Any], stop: threading.Event
) -> None:
    """Each document's preview drafted into build/, as the builder would draft it."""
    from . import weasy_incremental
    from .pipeline import write_draft
    from .render import pdf

    if previous is not None:
        previous.join()
    weasy_incremental.stopping = stop.is_set
    try:
        for cited in jobs:
            if stop.is_set():
                return
            try:
                pdf.RENDERER.quick(cited, project, lambda output: write_draft(project, output))
            except Exception as exc:  # any doubt, a bug included: the builder drafts it
                weasy_incremental.log.info(
                    "%s.pdf: not drafted early (%s: %s)", cited.doc.name, type(exc).__name__, exc
                )
    finally:
        weasy_incremental.stopping = _never


def _never() -> bool:
    return False
