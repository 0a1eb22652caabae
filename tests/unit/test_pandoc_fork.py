"""pandoc.forked(): a process forked (watch's builder) while the parent runs a subprocess through
pandoc.run must neither keep that process's input open (it would never see its end, and the
parent would wait for it) nor stop it when the child is stopped."""

from __future__ import annotations

import multiprocessing
import subprocess
from typing import Any

import pytest

from pressroom import pandoc

fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork here"
)


def _child(release: Any, done: Any) -> None:
    pandoc.forked()
    pandoc.kill_all()  # what a stopped builder does: only its own pandoc processes
    done.set()
    release.wait(60)


@fork
def test_a_forked_child_leaves_the_parents_process_its_input_end() -> None:
    context = multiprocessing.get_context("fork")
    # A real process reading its input to the end, as pandoc does, run the way pandoc.run runs it.
    proc = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    pandoc._RUNNING.add(proc)
    release, done = context.Event(), context.Event()
    try:
        with pandoc.STARTING:
            child = context.Process(target=_child, args=(release, done))
            child.start()
        assert done.wait(60), "the child did not start"
        assert proc.poll() is None, "the child stopped the parent's process"
        out, _ = proc.communicate(b"text", timeout=60)  # ends only if no copy of stdin is open
        assert out == b"text"
        assert child.is_alive()  # (so the end of input did not come from the child exiting)
    finally:
        pandoc._RUNNING.discard(proc)
        release.set()
        child.join(60)
        if proc.poll() is None:
            proc.kill()
