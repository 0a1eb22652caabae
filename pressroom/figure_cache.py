"""build/.cache/figures: figures converted for an output (a PDF figure drawn as a PNG, an SVG
figure's PNG for Word), so that a rebuild does not convert them again, and pruned of what no
output uses any more.

Each file is named after its source's content hash, the hash the outputs' records keep of
that figure (depfile.sha256), then what it is: `<sha256>.<what>`. A figure removed from
every document leaves no record naming its hash, and its files go at the next build of
everything (stamp.record: the moment every output's record has been read)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .cache import cache_path
from .config import Project

FOLDER = "figures"
# A cache file: the source's hash, then what was made of it. Anything else (a temporary file
# being written, ".name.XXXX.tmp") is not the pruner's.
_ENTRY = re.compile(r"([0-9a-f]{64})\..+")


def source_digest(data: bytes) -> str:
    """The hash a figure's converted files are kept under: the one its records keep."""
    return hashlib.sha256(data).hexdigest()


def entry(project: Project, digest: str, what: str) -> Path:
    """The cache file for what was made (`what`, e.g. "pdfium-1.png") of the source whose
    content hash is `digest`."""
    return cache_path(project, f"{FOLDER}/{digest}.{what}")


def prune(project: Project, in_use: Iterable[str]) -> list[str]:
    """Remove every cache file whose source hash is not in `in_use` (the hashes of every
    output's recorded inputs); return their names. A figure a build drew but has not yet
    recorded (a second build running at once) is at worst drawn again."""
    keep = set(in_use)
    folder = cache_path(project, FOLDER)
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # no figure was ever converted
        return []
    removed = []
    for name in names:
        match = _ENTRY.fullmatch(name)
        if match and match.group(1) not in keep:
            with contextlib.suppress(FileNotFoundError):  # another build pruned it first
                (folder / name).unlink()
            removed.append(name)
    return removed
