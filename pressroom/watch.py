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
from .pipeline import Request, build
from .serve import PreviewServer, State

# The folders a project's inputs live in (DESIGN.md, "Layout"); build/ is never watched.
WATCHED = ("manuscript", "references", "templates")
STEP_MS = 30  # a batch of changes ends after this much quiet (editors write in bursts)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Preview:
    """The long-lived builder: one pipeline build per batch of changes."""

    def __init__(self, project_dir: Path, strict: bool, overrides: dict[str, Any]) -> None:
        self.project_dir = project_dir.resolve()
        self.strict = strict
        self.overrides = overrides
        self.state = State()

    @property
    def build_dir(self) -> Path:
        return self.project_dir / "build"

    def rebuild(self, changed: Iterable[Path] = ()) -> list[str]:
        """Bring every stale output up to date through the pipeline, HTML first (pages reload
        before the PDFs are laid out), the documents whose own source changed first. A document
        that fails is reported and skipped; the last good outputs stay in build/."""
        self.state.update(building=True)
        errors: list[str] = []
        built: list[str] = []
        cwd = Path.cwd()
        start = time.perf_counter()
        try:
            project = load_project(self.project_dir, self.strict, self.overrides)
            edited = {p.resolve() for p in changed}
            first = frozenset(
                n for n in project.documents if project.manuscript / f"{n}.md" in edited
            )
            request = Request(
                keep_going=True, html_first=True, first=first, parallel=False, preview=True
            )
            result = build(project, request, Diagnostics(project.root, strict=self.strict))
            built = result.built
            errors += [e.format(cwd) for e in result.errors]
        except PressroomError as exc:
            errors.append(exc.format(cwd))
        except Exception:  # a bug: show it, and keep watching
            errors.append(traceback.format_exc().rstrip())
        if built:
            took = time.perf_counter() - start
            self.state.update(builds=self.state.builds + 1)
            _say(f"built {', '.join('build/' + n for n in built)} ({took:.2f} s)")
        for error in errors:
            _say(error)
        self.state.update(
            building=False, error="\n".join(errors) or None, batches=self.state.batches + 1
        )
        return built


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
