"""Live preview: watch the sources, rebuild what went stale (HTML first), serve it with reload."""

from __future__ import annotations

import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .config import TOOLKIT_TEMPLATES, load_project
from .errors import Diagnostics, PressroomError
from .pipeline import build_document, plan, start_session, write_outputs
from .serve import PreviewServer, State

# The folders a project's inputs live in (DESIGN.md, "Layout"); build/ is never watched.
WATCHED = ("manuscript", "references", "templates")
STEP_MS = 30  # a batch of changes ends after this much quiet (editors write in bursts)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Preview:
    """The long-lived builder: one rebuild per batch of changes, through pipeline.plan()."""

    def __init__(self, project_dir: Path, strict: bool, overrides: dict[str, Any]) -> None:
        self.project_dir = project_dir.resolve()
        self.strict = strict
        self.overrides = overrides
        self.state = State()

    @property
    def build_dir(self) -> Path:
        return self.project_dir / "build"

    def rebuild(self, changed: Iterable[Path] = ()) -> list[str]:
        """Bring every stale output up to date; HTML is written (and pages reload) first.

        The documents whose own source changed go first: their HTML, then their DOCX and PDF;
        then the documents that went stale through them (the appendix cites the paper). A
        document that fails is reported and skipped; the last good outputs stay in build/."""
        self.state.update(building=True)
        errors: list[str] = []
        built: list[str] = []
        cwd = Path.cwd()
        try:
            project = load_project(self.project_dir, self.strict, self.overrides)
            stale = plan(project)
            if stale:
                diagnostics = Diagnostics(project.root)
                session = start_session(project)
                edited = {p.resolve() for p in changed}
                first = [n for n in stale if project.manuscript / f"{n}.md" in edited]
                rest = [n for n in stale if n not in first]
                failed: set[str] = set()
                for names in (first, rest):
                    for phase in ({"html"}, {"docx", "pdf"}):
                        for name in names:
                            formats = stale[name] & phase
                            if not formats or name in failed:
                                continue
                            try:
                                built += self._build(session, name, formats, diagnostics)
                            except PressroomError as exc:
                                failed.add(name)
                                errors.append(exc.format(cwd))
                if project.strict and diagnostics.warnings:
                    count = len(diagnostics.warnings)
                    errors.append(f"pressroom: error: {count} warning(s) and --strict")
        except PressroomError as exc:
            errors.append(exc.format(cwd))
        except Exception:  # a bug: show it, and keep watching
            errors.append(traceback.format_exc().rstrip())
        for error in errors:
            _say(error)
        self.state.update(
            building=False, error="\n".join(errors) or None, batches=self.state.batches + 1
        )
        return built

    def _build(
        self, session: Any, name: str, formats: set[str], diagnostics: Diagnostics
    ) -> list[str]:
        start = time.perf_counter()
        outputs = build_document(session, name, formats, diagnostics)
        write_outputs(session.project, outputs)
        took = time.perf_counter() - start
        self.state.update(builds=self.state.builds + 1)
        names = [o.path.name for o in outputs]
        _say(f"built {', '.join('build/' + n for n in names)} ({took:.2f} s)")
        return names


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


def watch(project_dir: Path, strict: bool, overrides: dict[str, Any], port: int) -> None:
    """Serve build/ on 127.0.0.1:PORT, build, then rebuild on every change until Ctrl-C."""
    # WeasyPrint is imported once, here: a rebuild does not pay its 0.4 s again.
    from . import weasy  # noqa: F401

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


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
