"""Which outputs are stale: missing, never recorded, or made from an input whose content has
changed since. Deciding writes nothing; bringing forward the mtime of an output whose inputs
were only saved again (same content) is a separate, explicit step (`refresh`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Project, load_document
from .depfile import (
    ABSENT,
    CHANGED_DURING_BUILD,
    read_record_and_settings,
    settings_mark,
    sha256,
)


@dataclass
class Plan:
    """Each document's stale formats, and the current outputs whose mtime must move forward
    (an input newer than them but unchanged in content), so that make stays quiet."""

    stale: dict[str, set[str]] = field(default_factory=dict)
    refresh: list[Path] = field(default_factory=list)

    def add(self, other: Plan) -> None:
        for name, formats in other.stale.items():
            self.stale.setdefault(name, set()).update(formats)
        self.refresh += [p for p in other.refresh if p not in self.refresh]


def check(
    build_dir: Path, output: Path, settings: dict[str, Any] | None = None
) -> tuple[bool, bool]:
    """(current, needs refresh): current if `output` exists, was built with the same -M values
    (and, under --strict, under --strict: a warning it had is seen again), and no recorded
    input changed in content; needs refresh if some input is newer than it but has the same
    content."""
    found = read_record_and_settings(build_dir, output)
    try:
        out_mtime = output.stat().st_mtime_ns
    except OSError:
        return False, False
    if found is None:
        return False, False
    recorded, was = found
    now = settings or {}
    if (was.get("M") or {}) != (now.get("M") or {}):
        return False, False  # built with other -M values
    if now.get("strict") and not was.get("strict"):
        return False, False  # its warnings were only printed
    touched = False
    for p, digest in recorded.items():
        if digest == CHANGED_DURING_BUILD:
            return False, False
        if digest == ABSENT:
            if p.exists():  # a file the build looked for and did not find, there now
                return False, False
            continue
        try:
            if p.stat().st_mtime_ns <= out_mtime:
                continue
            if sha256(p) != digest:
                return False, False
        except OSError:
            return False, False
        touched = True
    return True, touched


def plan(
    project: Project, targets: frozenset[str] | None = None, skip: set[str] | None = None
) -> Plan:
    """The outputs of each document (those in `targets`, if given; documents in `skip` left
    out) that are missing or older than what they were made from."""
    result = Plan()
    mark = settings_mark(project.strict, project.overrides)
    for name in project.documents:
        if skip and name in skip:
            continue
        doc = load_document(project, name)
        for fmt in doc.formats:
            if targets and name not in targets and f"{name}.{fmt}" not in targets:
                continue
            output = project.output(name, fmt)
            current, touched = check(project.build_dir, output, mark)
            if not current:
                result.stale.setdefault(name, set()).add(fmt)
            elif touched:
                result.refresh.append(output)
    return result


def refresh(outputs: list[Path]) -> None:
    """Bring the outputs' mtimes forward: their inputs were saved again, unchanged."""
    for output in outputs:
        os.utime(output)
