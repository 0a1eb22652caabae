"""The `pressroom` command, `python -m pressroom` and a clone's `python build.py`."""

from __future__ import annotations

import os
import signal
import sys
from typing import NoReturn


def _interrupted_at_start(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM while the command line is still importing (click, pandoc's and
    WeasyPrint's modules: up to a second): nothing has been started or written yet, so end
    at once, as the build itself ends when interrupted. `process.run` replaces this handler."""
    os.write(2, b"pressroom: interrupted\n")
    os._exit(130)


def main() -> NoReturn:
    # Before the heavy imports: otherwise a Ctrl-C in the first second prints a traceback.
    # Earlier than this no code of pressroom's can run: a Ctrl-C while Python itself starts
    # ends as Python ends it. Before it installs its own handler the signal kills the process
    # (the shell's 130); while its `site` module runs the .pth files (a few ms; some 12 ms
    # more in an editable install, whose import finder loads pathlib) Python stops with
    # "Fatal Python error: init_import_site" and exit 1.
    signal.signal(signal.SIGINT, _interrupted_at_start)
    signal.signal(signal.SIGTERM, _interrupted_at_start)
    from . import process

    process.ends_with_command = True
    process.leave(process.run())


if __name__ == "__main__":
    sys.exit(main())
