"""`build.py new DIR`: copy the skeleton, a small project that builds as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import PressroomError

SKELETON = Path(__file__).resolve().parent / "skeleton"


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
    return written
