"""watch's preview PDF drafted in the watch process itself, on a thread, as soon as the edited
document is cited: while pandoc writes its HTML, not after it and a forked builder's start.

The preview is render/pdf.py's quick path (the edited paragraph written alone and spliced into
the last print page, page_incremental.py; the pages laid out again from the change,
weasy_incremental.py), run where the last layout's state already is. A thread, not a fork: the
watch process has threads running (the watcher, the server, pandoc's), and a fork taken while
one of them holds a lock can hang. For the same reason the thread lives as long as watch (see
EarlyPreview), and the forked builder of the slow outputs starts only once it waits for the
next edit (watch.py), so that no fork is taken while it lays out; the builder finds the preview
drafted and checks the spliced page against the whole one pandoc writes, as before
(render/pdf.py's _check_spliced). A newer edit stops a preview between its pages. Anything
that cannot be drafted here (a full cite, a refused splice or layout, an error) is left to the
builder, which drafts it as before.

The layouts are laid out ahead by the builder (watch.py's _prime), in its own process: the
caches a preview fills in this one (the stylesheets parsed, the styles computed, fonts, word
widths, lines: weasy_restyle.py, weasy_lines.py) would be filled by the first edit's preview.
Once watch's first build is done, the thread fills them ahead (`EarlyPreview.warm`), writing
nothing, so that the first edit's preview costs what the later ones cost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .errors import PressroomError


class EarlyPreview:
    """The preview thread of one watch session: one thread for the whole session, drafting
    one edit's previews at a time. It never ends while watch runs: a thread that ends frees
    its share of the C libraries' allocators (GLib's) after Python has let go of it, and a
    fork taken then inherits their lock held, and hangs in the forked builder."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        # the next job: a function of the event that stops it, and that event
        self._job: tuple[Callable[[threading.Event], None], threading.Event] | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def begin(self, project: Any, names: frozenset[str], corpus: Any) -> Any:
        """Cite the edited documents `names` now (in `corpus`, carried to `project`; returned
        for the HTML build to reuse) and draft the preview PDF of each one cited
        incrementally on the thread; a document that fails to cite is left to the build."""
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
            self._queue(lambda stop: _draft(project, jobs, stop))
        return carried

    def warm(self, project: Any) -> None:
        """watch's first build done: the thread readies itself for the first edit's preview
        of each PDF whose layout is kept (render/pdf.py's warm), writing nothing; a newer edit
        stops it as it stops a preview. The caller waits (`wait`) before any fork."""
        from . import cite_incremental
        from .render import pdf

        if pdf.incremental_on() and cite_incremental.enabled():
            self._queue(lambda stop: _warm(project, stop))

    def _queue(self, job: Callable[[threading.Event], None]) -> None:
        """`job` next on the thread (started with the first), in place of any not begun."""
        with self._state:
            self._stop = stop = threading.Event()
            self._job = (job, stop)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="preview", daemon=True)
                self._thread.start()
            self._state.notify_all()

    def stop(self) -> None:
        """A newer edit came in: the running preview stops at its next page."""
        self._stop.set()

    def wait(self) -> None:
        """Until no preview is being drafted or waits to be (before a fork: the thread is
        then waiting in Python, holding no library's lock)."""
        with self._state:
            while self._job is not None or self._busy:
                self._state.wait()

    def _run(self) -> None:
        while True:
            with self._state:
                while self._job is None:
                    self._state.wait()
                (job, stop), self._job, self._busy = self._job, None, True
            try:
                job(stop)
            finally:
                with self._state:
                    self._busy = False
                    self._state.notify_all()


def _draft(project: Any, jobs: list[Any], stop: threading.Event) -> None:
    """Each document's preview drafted into build/, as the builder would draft it."""
    from . import weasy_incremental
    from .pipeline import write_draft
    from .render import pdf

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


def _warm(project: Any, stop: threading.Event) -> None:
    """Each PDF with a kept layout readied for its first preview, the longest first (the one
    most worth it, should an edit stop the rest)."""
    from . import weasy_incremental
    from .render import pdf
    from .targets import outputs

    weasy_incremental.stopping = stop.is_set
    try:
        kept = {}
        for name, formats in outputs(project).items():
            state = weasy_incremental.STORE.get(str(project.output(name, "pdf")))
            if "pdf" in formats and state is not None:
                kept[name] = state.pages
        for name in sorted(kept, key=lambda n: -kept[n]):
            if stop.is_set():
                return
            said = pdf.warm(project, name)
            weasy_incremental.log.debug("%s.pdf: %s", name, said)
    except Exception as exc:  # a bug: said; the first edit's preview does it all, as before
        weasy_incremental.log.info("preview not readied (%s: %s)", type(exc).__name__, exc)
    finally:
        weasy_incremental.stopping = _never


def _never() -> bool:
    return False
