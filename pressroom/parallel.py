"""Two forked worker processes, their pipes and their signals (schedule.py decides what each
does, and when).

The workers are forked before any document is read, while the build has no other thread, so
each inherits the project, the library and the imported modules from the parent's memory. A
worker keeps what it read between tasks (a document it cited is there when it renders it), and
sends its messages back through its pipe. Where fork is not available (macOS's default,
Windows), the caller reads and renders in its own process."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Project

WORKERS = 2

# What a worker does with a task: handle(task, send), `send` passing a message to the parent.
Handler = Callable[[Any, Callable[[Any], None]], None]

_SIGNALS = {signal.SIGINT, signal.SIGTERM}

# The handler the forked workers run, set just before the fork (a closure over this build's
# corpus cannot be pickled, and need not be: the children inherit it).
_HANDLER: Handler | None = None


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def preload_weasyprint() -> None:
    """Import WeasyPrint (0.4 s) on a thread while pandoc runs in its own processes; the PDF
    renderer's own import then finds it loaded (Python's import lock makes this safe). Only in
    a process that forks no more: a thread alive at a fork can leave a lock held in the child."""
    threading.Thread(target=import_renderers, daemon=True).start()


def import_renderers() -> None:
    """What a render needs beyond the read: WeasyPrint (0.3 s) and the renderers' modules, and
    WeasyPrint's patches applied (0.03 s: here once, not in each worker forked after)."""
    for module in ("pressroom.weasy", "pressroom.render", "pressroom.assets"):
        importlib.import_module(module)
    from . import weasy_patch

    weasy_patch.apply()


def prepare_pages(project: Project) -> None:
    """What every worker's first pages need, made once for them to inherit: the page templates
    of the HTML and the PDF compiled, and the hyphenation patterns of the project's language
    read (pyphen keeps them per file: 0.05-0.1 s in each process that hyphenates)."""
    import pyphen

    from .render.page import compile_ahead

    compile_ahead(project, ("print.html.j2", "page.html.j2"))
    lang = str(project.metadata.get("lang") or "en-US")  # the pages' own default (page.py)
    fallback = pyphen.language_fallback(lang.replace("-", "_"))
    if fallback:
        pyphen.Pyphen(lang=fallback)


class WorkerFailed(Exception):
    """A worker raised something other than a user error: a bug, with the worker's traceback."""


class Workers:
    """WORKERS forked processes, each running `handler` on the tasks sent to it."""

    def __init__(self, handler: Handler, count: int = WORKERS) -> None:
        global _HANDLER
        _HANDLER = handler
        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        # Ctrl-C and SIGTERM wait until each child has its own handlers: the parent's would
        # raise KeyboardInterrupt in a child that has not yet begun to serve.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for _ in range(count):
                mine, theirs = context.Pipe()
                # The child closes the parent's ends it inherits (its own and the earlier
                # workers'): a pipe must not stay open through a process that never reads it.
                ends = [*self.pipes, mine]
                process = context.Process(target=_serve, args=(theirs, ends), daemon=True)
                process.start()
                theirs.close()
                self.pipes.append(mine)
                self.processes.append(process)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def send(self, worker: int, task: Any) -> None:
        self.pipes[worker].send(task)

    def receive(self) -> tuple[int, Any]:
        """The next message of any worker, as (worker, message); the task's end is the message
        ("free", None); a user error it raised, ("error", exc). A worker's bug is raised here."""
        while True:
            for ready in wait(self.pipes + [p.sentinel for p in self.processes]):
                if ready in self.pipes:
                    worker = self.pipes.index(ready)
                    try:
                        message = ready.recv()
                    except EOFError:
                        break  # it died: its sentinel says so below
                    if message[0] == "bug":
                        raise WorkerFailed(message[1])
                    return worker, message
            for process in self.processes:
                if process.exitcode is not None:
                    raise WorkerFailed(f"a worker process ended (exit code {process.exitcode})")

    def close(self) -> None:
        """The work is done: each worker ends."""
        for pipe in self.pipes:
            pipe.send(None)
            pipe.close()
        for process in self.processes:
            process.join()

    def stop(self) -> None:
        """Ctrl-C, SIGTERM or an error: stop the workers now rather than wait for their
        documents (an interrupt ends the build within seconds); each stops its pandoc."""
        for process in self.processes:
            if process.exitcode is None:
                process.terminate()
        for process in self.processes:
            process.join(10)
            if process.exitcode is None:  # stuck where its SIGTERM handler cannot run
                process.kill()
                process.join()
        for pipe in self.pipes:
            pipe.close()


def _serve(pipe: Connection, ends: list[Connection]) -> None:
    """A worker: tasks from the pipe until None; each task's messages, then ("free", None)."""
    assert _HANDLER is not None
    _worker_signals()
    for end in ends:
        end.close()
    preload_weasyprint()  # while its first document is read (pandoc runs meanwhile)
    from .errors import PressroomError

    while True:
        try:
            task = pipe.recv()
        except EOFError:
            task = None
        if task is None:
            os._exit(0)
        try:
            _HANDLER(task, pipe.send)
        except PressroomError as exc:
            pipe.send(("error", exc))
        except BaseException:
            pipe.send(("bug", traceback.format_exc()))
            continue
        pipe.send(("free", None))


def _worker_signals() -> None:
    """In a worker: Ctrl-C is the parent's to handle; SIGTERM stops its pandoc and exits."""
    from . import pandoc
    from .write import remove_pending

    def stop(signum: int, frame: Any) -> None:
        pandoc.kill_all()
        remove_pending()  # os._exit skips atomic_write's own clean-up
        os._exit(130)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
