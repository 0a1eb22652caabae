"""The process around a command: its memory cap, its signals, and how each way of ending becomes
an exit code (user errors one line each and 1, Ctrl-C or SIGTERM 130)."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from .errors import PressroomError

# Address space for the build and every process it starts (pandoc, layout workers): a
# pathological input ends in a MemoryError, not in swap. pandoc's GHC runtime reserves less
# when its 1 TB reservation fails, and has its own -M heap cap.
MEMORY_MB = int(os.environ.get("PRESSROOM_MEMORY_MB", "6144"))


def limit_memory(megabytes: int = MEMORY_MB) -> None:
    """Cap the address space where the system can (POSIX); elsewhere (Windows) do nothing."""
    try:
        import resource
    except ImportError:
        return
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


interrupted: list[int] = []  # the signals that ended the run (see _terminate)

# Whether this process ends through `leave` once its command is done: set by the command line
# (__main__), taken back by watch, which lives on; never set for a library caller or a test.
# While it is set, what WeasyPrint's layout and write allocate is never walked by the garbage
# collector (weasy_patch.quiet_gc): os._exit gives the memory back at once.
ends_with_command = False


def _terminate(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM (make, a killed terminal) end the build alike. The signal is also
    recorded: Python ignores an exception raised inside its at-fork handlers (a Ctrl-C that
    lands while a worker is forked), and such a build must still end as interrupted."""
    interrupted.append(signum)
    raise KeyboardInterrupt


def run(argv: list[str] | None = None) -> int:
    """Entry point of the `pressroom` command (and build.py): limits and signals, then
    `execute`."""
    limit_memory()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    return execute(argv)


def execute(argv: list[str] | None = None) -> int:
    """Run one command line: user errors as one line each and exit 1; Ctrl-C as exit 130."""
    root = Path.cwd()
    try:
        from .cli import main

        main.main(args=argv, prog_name="pressroom", standalone_mode=False)
        if interrupted:
            raise KeyboardInterrupt
    except PressroomError as exc:
        print(exc.format(root), file=sys.stderr)
        return 1
    except MemoryError:
        print(
            f"pressroom: error: the build ran out of memory ({MEMORY_MB} MB; "
            "set PRESSROOM_MEMORY_MB) [limit.memory]",
            file=sys.stderr,
        )
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        from . import pandoc
        from .write import remove_pending

        pandoc.kill_all()  # the pandoc runs of other threads (run_many)
        remove_pending()  # a temporary file the interrupt caught between creation and its write
        print("pressroom: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def die_with_parent() -> None:
    """Called first in a forked helper child (a layout's or a write's second half): the kernel
    is asked to kill it when its parent ends (Linux's PR_SET_PDEATHSIG), so that a build killed
    outright (SIGTERM's quick exit, SIGKILL, the OOM killer) leaves no child drawing pages for
    nobody. Where the call does not exist (macOS, Windows) nothing is asked."""
    parent = os.getppid()
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def leave(code: int) -> NoReturn:
    """End the process with `code` once a command has run: the exit handlers run (atexit:
    logging's among them) and the output streams flushed, as at any exit, but not the
    interpreter's tear-down, which frees every object one by one (after a build, the cited
    documents and WeasyPrint's modules: 0.1 s of CPU once the last output is written)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # a closed pipe
            stream.flush()  # (`| head`), a closed stream, none at all (pythonw)
    os._exit(code)
