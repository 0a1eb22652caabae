"""`pressroom new DIR`: copy the skeleton, a small project that builds as it is."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from .errors import PressroomError

SKELETON = Path(__file__).resolve().parent / "skeleton"

# What a project's git repository should not hold: the outputs and pressroom's records (whose
# depfiles name paths on this machine), and the editors' and systems' clutter.
GITIGNORE = """\
# pressroom: the outputs and their records are made again by `pressroom build`
build/
# systems and editors
.DS_Store
Thumbs.db
*~
.*.swp
"""


def scaffold(directory: Path) -> list[Path]:
    """Write the skeleton into `directory`, which must be new or empty."""
    if directory.exists() and any(directory.iterdir()):
        raise PressroomError("folder is not empty; choose a new one", directory, None, "new.exists")
    written = []
    for src in sorted(SKELETON.rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts:
            dst = directory / src.relative_to(SKELETON)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written.append(dst)
    gitignore = directory / ".gitignore"
    gitignore.write_text(GITIGNORE, "utf-8")
    written.append(gitignore)
    return written


def next_step(directory: Path) -> str:
    """The command that builds the new project, to paste where the user is: `cd DIR &&
    pressroom build` when the `pressroom` command is the one running, else the same Python
    and script this run used (a clone's `python build.py`)."""
    command = "pressroom"
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "__main__.py":  # python -m pressroom
        command = f"{shlex.quote(sys.executable)} -m pressroom"
    elif script is not None and script.suffix == ".py":  # python build.py in a clone
        command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script.resolve()))}"
    return f"cd {shlex.quote(str(directory))} && {command} build"
