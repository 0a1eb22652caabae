"""build/.cache: content-keyed files shared by the stages (the cited library, pandoc's
metadata files, citeproc results). Each is rewritten only when its content changes, so that
its mtime is honest for make."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .config import Project
from .references import Library
from .write import write_if_changed


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()


def cache_path(project: Project, name: str) -> Path:
    return project.build_dir / ".cache" / name


def library_file(project: Project, library: Library) -> Path:
    """The library as CSL-JSON, the one file every citeproc run reads."""
    path = cache_path(project, "library.json")
    write_if_changed(path, library.csljson())
    return path


def meta_file(project: Project, name: str, meta: dict[str, Any]) -> Path:
    """A pandoc --metadata-file for document `name`."""
    path = cache_path(project, f"{name}.meta.json")
    write_if_changed(path, json.dumps(meta, sort_keys=True).encode("utf-8"))
    return path
