"""Live preview: watch the sources, rebuild what went stale (HTML first), serve it with reload."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import parallel
from .assets import embed_assets
from .config import TOOLKIT_TEMPLATES, load_project
from .documents import Corpus
from .errors import Diagnostics, PressroomError
from .pipeline import Request, build
from .serve import PreviewServer, State
from .watch_preview import EarlyPreview

# The folders a project's inputs live in (DESIGN.md, "Layout"); build/ is never watched.
WATCHED = ("manuscript", "references", "templates")
STEP_MS = 30  # a batch of changes ends after this much quiet (editors write in bursts)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Preview:
    """The long-lived builder. Each batch of changes builds the stale HTML at once, on the
    watcher's thread; the DOCX and PDFs (a PDF layout takes seconds) follow in a forked
    process of their own, which the next edit stops: a stale layout is dropped, never waited
    for, and the slow outputs are built again from the newest sources once that edit's HTML
    is out. Where fork is not available, they follow on a thread instead (finishing the stale
    layout, still never ahead of the next HTML)."""

    def __init__(self, project_dir: Path, strict: bool, overrides: dict[str, Any]) -> None:
        self.project_dir = project_dir.resolve()
        self.strict = strict
        self.overrides = overrides
        self.state = State()
        self._errors: dict[str, list[str]] = {"html": [], "slow": []}
        self._shown: set[str] = set()  # errors already printed (both phases meet the same one)
        self._lock = threading.Lock()
        self._slow_wanted = threading.Event()
        self._html_idle = threading.Event()
        self._html_idle.set()
        self._slow: threading.Thread | None = None
        self._running = {"html": False, "slow": False}
        self.dropped = 0  # stale layouts stopped by a newer edit
        self._edited: set[Path] = set()  # sources edited since the slow phase last began
        self._corpus: Corpus | None = None  # the last HTML phase's, for the slow one to reuse
        self._early = EarlyPreview()  # the edited document's preview PDF, during its HTML

    @property
    def build_dir(self) -> Path:
        return self.project_dir / "build"

    def rebuild(self, changed: Iterable[Path] = ()) -> list[str]:
        """Build the stale HTML now (the documents whose own source changed first), then ask
        for the DOCX and PDFs on the slow thread. Returns the HTML outputs written."""
        self._html_idle.clear()
        self._early.stop()  # (a preview of older sources)
        changed = list(changed)
        with self._lock:
            self._edited.update(p.resolve() for p in changed)
        self._slow_wanted.set()  # before the HTML is done: the page never shows "idle" between
        self._begin("html")
        try:
            built, errors, took = self._build("html", changed)
        finally:
            self._html_idle.set()
        self._report("html", built, errors, took)
        with self._lock:
            if self._slow is None or not self._slow.is_alive():
                self._slow = threading.Thread(target=self._slow_loop, name="slow", daemon=True)
                self._slow.start()
        return built

    def wait(self, timeout: float | None = None) -> None:
        """Until the slow outputs of every batch so far are built (tests, the first build)."""
        slow = self._slow
        if slow is not None:
            slow.join(timeout)

    def _slow_loop(self) -> None:
        while self._slow_wanted.is_set():
            self._html_idle.wait()  # the newest HTML first, then its DOCX and PDF
            self._early.wait()  # (no fork while the preview thread lays out)
            self._slow_wanted.clear()
            with self._lock:
                edited, self._edited = self._edited, set()
            self._begin("slow")
            if parallel.available():
                outcome = self._slow_in_child(edited)
                if outcome is None:  # stopped by a newer edit: that edit's turn
                    self.dropped += 1
                    with self._lock:  # (its sources still go first)
                        self._edited |= edited
                    self._report("slow", [], [], 0.0)
                    continue
                built, errors, took = outcome
            else:
                built, errors, took = self._build("slow", edited)
            if not edited:  # watch just started: the preview thread readies itself
                self._ready()
            self._report("slow", built, errors, took)

    def _ready(self) -> None:
        """The preview thread readied for the first edit's preview (watch_preview.py) with the
        layouts the first slow phase kept, before watch says it is idle; waited for, so that
        no fork is taken while it runs. A newer edit stops it."""
        corpus = self._corpus  # (the first HTML phase's: its project)
        if corpus is None or self._slow_wanted.is_set():
            return
        self._early.warm(corpus.project)
        self._early.wait()

    def _slow_in_child(self, edited: set[Path]) -> tuple[list[str], list[str], float] | None:
        """The slow phase in a forked process; None if a newer edit stopped it first."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=self._child, args=(send, edited), name="slow-outputs")
        child.start()
        send.close()
        result = None
        while result is None:
            if self._slow_wanted.is_set():  # an edit came in: this layout is out of date
                child.terminate()
                child.join()
                return None
            try:
                if receive.poll(0.05):
                    result = _kept_or_result(receive.recv())
                elif not child.is_alive() and not receive.poll():
                    break
            except (EOFError, OSError):
                break
        child.join()
        if result is None:
            return [], [f"pressroom: the PDF builder stopped (exit {child.exitcode})"], 0.0
        built, errors, warnings, took = result
        for warning in warnings:
            _say(warning)
        return built, errors, took

    def _child(self, send: Any, edited: set[Path]) -> None:
        """In the forked process: build, hand back what happened, and exit. SIGTERM (a newer
        edit) stops its pandoc and removes its temporary files first."""
        from . import pandoc
        from .write import remove_pending

        def stop(signum: int, frame: Any) -> None:
            pandoc.kill_all()
            remove_pending()
            os._exit(143)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        from . import cite_incremental, weasy_incremental  # (imported by watch() before the fork)

        weasy_incremental.on_keep = lambda key, state: send.send(("state", key, state))
        cite_incremental.on_differ = lambda source: send.send(("differed", source))
        diagnostics = Diagnostics(self.project_dir, strict=self.strict, echo=False)
        try:
            built, errors, took = self._build("slow", edited, diagnostics)
            warnings = [w.format(self.project_dir) for w in diagnostics.warnings]
            send.send((built, errors, warnings, took))
        finally:
            os._exit(0)

    def _begin(self, phase: str) -> None:
        with self._lock:
            self._running[phase] = True
            self.state.update(building=True)

    def _build(
        self, phase: str, changed: Iterable[Path], diagnostics: Diagnostics | None = None
    ) -> tuple[list[str], list[str], float]:
        """One pipeline build of the HTML outputs (phase html) or all others (phase slow); a
        document that fails is reported and skipped; the last good outputs stay in build/. The
        slow phase builds the edited documents' outputs (the preview PDF first) before any
        other's, from the HTML phase's corpus where still current (no second citeproc)."""
        errors: list[str] = []
        built: list[str] = []
        cwd = Path.cwd()
        start = time.perf_counter()
        try:
            project = load_project(self.project_dir, self.strict, self.overrides)
            edited = {p.resolve() for p in changed}
            first = frozenset(
                n for n in project.documents if edited.intersection(project.sources(n))
            )
            targets = _phase_targets(project, phase)
            steps = [targets]
            if phase == "slow" and first:  # the edited documents' own build, then the others
                steps = [_phase_targets(project, phase, first), targets]
            corpus = self._corpus
            if phase == "html" and first:  # cited now: the preview is drafted during the HTML
                corpus = self._early.begin(project, first, corpus)
            for chosen in steps:
                if not chosen:  # (an empty set would mean every output)
                    continue
                request = Request(
                    targets=chosen,
                    keep_going=True,
                    first=first,
                    parallel=False,
                    preview=True,
                    corpus=corpus,
                )
                diagnostics = diagnostics or Diagnostics(project.root, strict=self.strict)
                result = build(project, request, diagnostics)
                built += result.built
                errors += [e.format(cwd) for e in result.errors]
                corpus = result.corpus or corpus
            if phase == "html":
                if not edited:  # watch just started: every document cited (pandoc's cache)
                    corpus = _cite_all(project, corpus)  # so the first edit is read alone
                self._corpus = corpus
            elif not edited:  # watch just started: the PDFs' layouts, for the first edit
                _prime(project, corpus)
            elif first and diagnostics is not None:
                built += _checked(project, first, diagnostics)
        except PressroomError as exc:
            errors.append(exc.format(cwd))
        except Exception:  # a bug: show it, and keep watching
            errors.append(traceback.format_exc().rstrip())
        return built, errors, time.perf_counter() - start

    def _report(self, phase: str, built: list[str], errors: list[str], took: float) -> None:
        """Print what a phase built and its new errors; publish the state to the pages."""
        with self._lock:
            self._running[phase] = False
            self._errors[phase] = errors
            if phase == "html":  # a new edit: its errors are news, even if seen before
                self._shown.clear()
            if built:
                self.state.update(builds=self.state.builds + 1)
                _say(f"built {', '.join('build/' + n for n in built)} ({took:.2f} s)")
            for error in errors:
                if error not in self._shown:
                    _say(error)
                    self._shown.add(error)
            every = list(dict.fromkeys(self._errors["html"] + self._errors["slow"]))
            building = any(self._running.values()) or self._slow_wanted.is_set()
            if self.state.error and not every and not building:
                # A fix that restores the last good source rebuilds nothing: without this
                # line the terminal's last word would still be the error.
                _say("pressroom: no errors; build/ is current")
            self.state.update(
                building=building,
                error="\n".join(every) or None,
                batches=self.state.batches + 1,
            )


def _prime(project: Any, corpus: Corpus | None) -> None:
    """The first slow phase's last step: each PDF that has no layout kept for its preview
    (it was current when watch started) laid out once, the longest first, writing nothing:
    the first edit's preview is then laid out again only from its page. A newer edit stops
    it with the rest of the slow phase; a document that fails here is left to its build."""
    from . import weasy_incremental
    from .render import pdf
    from .targets import outputs

    if not pdf.incremental_on():
        return
    names = [n for n, formats in outputs(project).items() if "pdf" in formats]
    names = [n for n in names if str(project.output(n, "pdf")) not in weasy_incremental.STORE]
    if not names:
        return
    corpus = corpus.carried_to(project) if corpus is not None else Corpus(project)
    for name in sorted(names, key=lambda n: -_size(project.manuscript / f"{n}.md")):
        try:
            pdf.prime(embed_assets(corpus.cited(name), project), project)
        except Exception as exc:  # (its own build reports its errors)
            weasy_incremental.log.info("%s.pdf: not laid out ahead (%s)", name, exc)


def _checked(project: Any, names: frozenset[str], diagnostics: Diagnostics) -> list[str]:
    """The edited documents' outputs, once built: each one cited incrementally (read alone,
    cite_incremental.py) is cited again in full; where the two differ, its outputs are built
    again from the full cite, the next edit starts from that, and a warning says so (a fault
    in pressroom, never the author's). It costs one citeproc run on the builder's core, after
    the preview and the final PDF; a full cite also fills pandoc's cache for a later build."""
    from . import cite_incremental, pandoc
    from .config import load_document
    from .depfile import record_path

    rebuilt: list[str] = []
    for name in sorted(names):
        doc = load_document(project, name)
        source = doc.source
        made = cite_incremental.made_here(source)
        if made is None:
            continue
        with cite_incremental.suspended():
            corpus = Corpus(project)
            if pandoc.to_json(corpus.cited(name).ast) == made:
                continue
            diagnostics.warn(
                "the edit, cited alone, differed from the whole document cited: its outputs "
                "were built again from the whole (a fault in pressroom: please report it)",
                "watch.cite-check",
                source,
                None,
            )
            cite_incremental.differed(source)
            targets = frozenset(f"{name}.{fmt}" for fmt in doc.formats)
            for target in targets:
                record_path(project.build_dir, project.build_dir / target).unlink(missing_ok=True)
            request = Request(targets=targets, keep_going=True, parallel=False, corpus=corpus)
            rebuilt += build(project, request, diagnostics).built
    return rebuilt


def _cite_all(project: Any, corpus: Corpus | None) -> Corpus | None:
    """Each document cited once (from pandoc's cache where its outputs were current), so that
    the incremental cite (cite_incremental.py) has a cite to start the first edit from; a
    document that fails is left to its build, which reports it."""
    try:
        corpus = corpus.carried_to(project) if corpus is not None else Corpus(project)
    except PressroomError:  # (a library that does not load: the build said so)
        return corpus
    for name in project.documents:
        with contextlib.suppress(PressroomError):  # (its build reports it)
            corpus.cited(name)
    return corpus


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0  # (a folder of chapters: last)


def _kept_or_result(message: Any) -> Any:
    """A message from the forked builder: a preview's layout state, which this process keeps
    for the next builder (it inherits it: nothing is copied back until a layout changes it),
    or the builder's result (None for a state)."""
    if isinstance(message[0], str) and message[0] == "state":
        from . import weasy_incremental

        _, key, state = message
        weasy_incremental.STORE[key] = state
        return None
    if isinstance(message[0], str) and message[0] == "differed":
        from . import cite_incremental

        cite_incremental.differed(message[1])
        return None
    return message


def _phase_targets(project: Any, phase: str, only: frozenset[str] | None = None) -> frozenset[str]:
    """The outputs one phase builds: every document's HTML, or everything else (of the
    documents `only`, if given)."""
    from .targets import outputs

    return frozenset(
        f"{name}.{fmt}"
        for name, formats in outputs(project).items()
        for fmt in formats
        if (fmt == "html") == (phase == "html") and (only is None or name in only)
    )


def _watch_dirs(project_dir: Path) -> list[Path]:
    dirs = [project_dir / d for d in WATCHED] + [TOOLKIT_TEMPLATES]
    return sorted({d.resolve() for d in dirs if d.is_dir()})


def _watcher(paths: list[Path], build_dir: Path, changes: queue.Queue[set[Path]]) -> None:
    """Feed batches of changed paths to the builder (a thread, so no edit is missed while a
    build runs). watchfiles wraps the OS's native notifications (inotify on Linux)."""
    import watchfiles

    class Filter(watchfiles.DefaultFilter):
        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            return super().__call__(change, path) and not Path(path).is_relative_to(build_dir)

    for batch in watchfiles.watch(
        *paths, watch_filter=Filter(), step=STEP_MS, raise_interrupt=False
    ):
        changes.put({Path(p) for _, p in batch})


def watch(
    project_dir: Path,
    strict: bool,
    overrides: dict[str, Any],
    port: int,
    open_browser: bool = False,
) -> None:
    """Serve build/ on 127.0.0.1:PORT, build, then rebuild on every change until Ctrl-C;
    `open_browser` opens the served index in the system's browser."""
    # GLib's slice allocator keeps per-thread caches behind a lock a fork can inherit held;
    # with plain malloc (fork-safe), the PDF builder forked beside the preview thread cannot
    # hang in it (watch_preview.py). Read by GLib at its first allocation.
    os.environ.setdefault("G_SLICE", "always-malloc")
    # WeasyPrint is imported once, here: a rebuild does not pay its 0.4 s again.
    from . import cite_incremental, weasy  # noqa: F401

    cite_incremental.enable()  # an edit inside one paragraph: that paragraph read alone

    _say_previews()

    preview = Preview(project_dir, strict, overrides)
    if not (preview.project_dir / "manuscript").is_dir():
        load_project(preview.project_dir)  # raises the usual "no manuscript/ folder" error
    server = PreviewServer(port, preview.build_dir, preview.state, preview.project_dir.name)
    server.start()
    changes: queue.Queue[set[Path]] = queue.Queue()
    paths = _watch_dirs(preview.project_dir)
    threading.Thread(
        target=_watcher, args=(paths, preview.build_dir, changes), name="watcher", daemon=True
    ).start()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    _say(f"pressroom: serving build/ at {server.url} (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        if not webbrowser.open(server.url):  # no browser here (a server, an SSH session)
            _say(f"pressroom: no browser to open here; open {server.url} in yours")
    try:
        preview.rebuild()
        while True:
            try:
                batch = changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while not changes.empty():  # edits that came in during the last build: one batch
                batch |= changes.get_nowait()
            preview.rebuild(batch)
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        # A DOCX or PDF may be in progress on the slow thread: stop its pandoc, and leave no
        # temporary file behind (the thread ends with the process).
        from . import pandoc
        from .write import remove_pending

        pandoc.kill_all()
        remove_pending()


def _say_previews() -> None:
    """How each preview PDF was laid out (again from a page, or in full and why), on stderr."""
    from . import weasy_incremental

    logger = weasy_incremental.log
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("pressroom: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
