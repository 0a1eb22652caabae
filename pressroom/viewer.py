"""`build --open`: a result opened in the system's viewer, or one line of pressroom's own
saying there is none.

On Linux and the BSDs the viewer is whatever xdg-open finds. xdg-open reports a failure only
when it ends, and it may run as long as the viewer it started (its generic mode waits for
it): so it runs in the background, as click.launch runs it, with its own output silenced and
a shell around it that prints pressroom's line should it fail. The build's exit status never
depends on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click

# xdg-open's own messages ("no method available for opening ...", each browser it tried "not
# found") and the viewer's go nowhere; its exit status alone says whether it opened the file.
_OPEN = 'xdg-open "$1" </dev/null >/dev/null 2>&1 || printf "%s\\n" "$2" >&2'


def no_viewer(shown: str) -> str:
    """The line for a result no viewer could open."""
    return f"pressroom: no viewer to open {shown} here; open it in yours"


def open_file(path: Path, shown: str) -> None:
    """Open `path` (named `shown` in the message) in the system's viewer, without waiting."""
    if sys.platform in ("darwin", "win32", "cygwin"):
        click.launch(str(path))  # `open` and the shell say nothing of their own here
        return
    if shutil.which("xdg-open") is None or shutil.which("sh") is None:
        click.echo(no_viewer(shown), err=True)
        return
    subprocess.Popen(
        ["sh", "-c", _OPEN, "sh", str(path), no_viewer(shown)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # the viewer outlives the build, and the terminal's Ctrl-C
    )
