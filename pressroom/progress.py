"""What a build says while it runs: each output as it is started and written, with its time.

On a terminal a live display (rich) shows the outputs in progress with their elapsed time, and
for a PDF the pages laid out so far against the page count of its last build (a bar); when the
output is not a terminal (a CI log, a pipe), one plain line per output written; with --quiet,
nothing. Warnings and errors are not progress: they are printed whatever the mode."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

Mode = Literal["live", "plain", "quiet"]

# WeasyPrint announces each page it lays out on this logger ("Step 5 - Creating layout - Page
# %d"), at INFO: the page count comes from WeasyPrint itself, without touching its layout.
WEASYPRINT_PROGRESS = "weasyprint.progress"


class Listener(Protocol):
    """What the pipeline tells as it goes (pipeline.Request.progress)."""

    def reading(self, name: str) -> None: ...

    def started(self, name: str, fmt: str) -> None: ...

    def finished(self, output: Path) -> None: ...


def choose_mode(quiet: bool, stream: Any = None) -> Mode:
    """quiet, else live on a terminal (not for TERM=dumb), else plain lines."""
    stream = stream if stream is not None else sys.stderr
    if quiet:
        return "quiet"
    interactive = hasattr(stream, "isatty") and stream.isatty()
    return "live" if interactive and os.environ.get("TERM") != "dumb" else "plain"


class Progress:
    """A Listener that reports to stderr in one of the three modes; a context manager (the
    live display and the page counter run only inside it)."""

    def __init__(self, mode: Mode, build_dir: Path, cwd: Path | None = None) -> None:
        self.mode = mode
        self.build_dir = build_dir
        self.cwd = cwd or Path.cwd()
        self.begun: dict[str, float] = {}
        self.written: list[Path] = []
        self._live: Any = None  # rich.progress.Progress on a terminal
        self._tasks: dict[str, Any] = {}
        self._totals: dict[str, int | None] = {}
        self.pages: dict[str, int] = {}  # the last page WeasyPrint laid out, per PDF (live)
        self._handler: _PageHandler | None = None
        self._level = logging.NOTSET

    def __enter__(self) -> Progress:
        if self.mode == "live":
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._live = Progress(
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._live.start()
            logger = logging.getLogger(WEASYPRINT_PROGRESS)
            self._handler = _PageHandler(self._page)
            self._level = logger.level
            logger.addHandler(self._handler)
            logger.setLevel(logging.INFO)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handler is not None:
            logger = logging.getLogger(WEASYPRINT_PROGRESS)
            logger.removeHandler(self._handler)
            logger.setLevel(self._level)
        if self._live is not None:
            self._live.stop()

    def reading(self, name: str) -> None:
        """The document is being assembled and cited (pandoc and citeproc): live only."""
        if self._live is not None:
            self._tasks[name] = self._live.add_task(f"reading {name}.md", total=None, detail="")

    def started(self, name: str, fmt: str) -> None:
        reading = self._tasks.pop(name, None)
        if reading is not None:
            self._live.remove_task(reading)
        key = f"{name}.{fmt}"
        self.begun[key] = time.perf_counter()
        if self._live is not None:
            total = self._totals[key] = _last_pages(self.build_dir, key) if fmt == "pdf" else None
            self._tasks[key] = self._live.add_task(
                self._show(self.build_dir / key), total=total, detail=""
            )

    def finished(self, output: Path) -> None:
        self.written.append(output)
        took = time.perf_counter() - self.begun.pop(output.name, time.perf_counter())
        line = f"built {self._show(output)} ({took:.1f} s)"
        if self._live is not None:
            task = self._tasks.pop(output.name, None)
            if task is not None:
                self._live.remove_task(task)
            self._live.console.print(line, highlight=False)
        elif self.mode == "plain":
            print(line, file=sys.stderr, flush=True)

    def _page(self, page: int) -> None:
        """WeasyPrint laid out `page`: advance the PDF in progress (one at a time here)."""
        for key, task in self._tasks.items():
            if key.endswith(".pdf"):
                self.pages[key] = page
                total = self._totals.get(key)
                if total is not None and page > total:  # longer than last time
                    self._totals[key] = page
                    self._live.update(task, total=page)
                self._live.update(task, completed=page, detail=f"page {page}")
                return

    def _show(self, path: Path) -> str:
        """A path as the user types it: relative to the current folder when inside it."""
        try:
            return os.path.relpath(path, self.cwd)
        except ValueError:  # another drive (Windows)
            return str(path)


class _PageHandler(logging.Handler):
    def __init__(self, on_page: Any) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if str(record.msg).startswith("Step 5 - Creating layout - Page") and args:
            page = args[0] if isinstance(args, tuple) else None
            if isinstance(page, int):
                self.on_page(page)


def _last_pages(build_dir: Path, key: str) -> int | None:
    """The page count of this PDF's last build (build/.deps/NAME.pdf.facts.json), if any."""
    try:
        facts = json.loads((build_dir / ".deps" / f"{key}.facts.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    pages = facts.get("pages")
    return pages if isinstance(pages, int) and pages > 0 else None
