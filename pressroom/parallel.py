"""Documents rendered on both cores: a pool of forked workers, and their signals.

The workers are forked after the read phase, so each inherits the cited documents (and the
imported WeasyPrint) from the parent's memory instead of citing again. Where fork is not
available (macOS's default, Windows), or only one document needs a PDF, the caller renders in
its own process."""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from .errors import BuildWarning, Diagnostics

WORKERS = 2

# The job the forked workers run, set by `run` just before the fork (a closure over this
# build's corpus cannot be pickled, and need not be: the children inherit it).
_JOB: Callable[[str, set[str], Diagnostics], None] | None = None


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def preload_weasyprint() -> None:
    """Import WeasyPrint (0.4 s) on a thread while pandoc runs in its own processes; the PDF
    renderer's own import then finds it loaded (Python's import lock makes this safe)."""
    threading.Thread(target=importlib.import_module, args=("pressroom.weasy",), daemon=True).start()


def run(
    jobs: dict[str, set[str]],
    job: Callable[[str, set[str], Diagnostics], None],
    diagnostics: Diagnostics,
    size: Callable[[str], int],
    done: Callable[[str], None] | None = None,
) -> None:
    """Run `job(name, formats, diagnostics)` for every document in forked workers, the largest
    (`size`) first so the other core takes the short ones meanwhile; the workers' warnings are
    reported by the parent, and `done(name)` called as each document is finished. The first
    error stops every worker and is raised here."""
    global _JOB
    importlib.import_module("pressroom.weasy")  # each forked worker inherits it, loaded
    _JOB = job
    order = sorted(jobs, key=lambda n: -size(n))
    context = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(
        max_workers=WORKERS, mp_context=context, initializer=_worker_signals
    ) as pool:
        futures = {
            pool.submit(_worker, name, jobs[name], diagnostics.strict): name for name in order
        }
        try:
            for future in cf.as_completed(futures):
                for w in future.result():
                    diagnostics.warn(w.message, w.kind, w.path, w.line)
                if done is not None:
                    done(futures[future])
        except BaseException:
            # Ctrl-C, SIGTERM or another document's error: stop the workers now rather than
            # wait for their documents (an interrupt ends the build within seconds).
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _worker(name: str, formats: set[str], strict: bool) -> list[BuildWarning]:
    """One document in a worker process; its warnings go back to the parent to print."""
    assert _JOB is not None
    diagnostics = Diagnostics(echo=False, strict=strict)
    _JOB(name, formats, diagnostics)
    return diagnostics.warnings


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
