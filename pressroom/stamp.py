"""The interface with make, with one owner: build/.deps/outputs.mk (every output make knows
of) and the stamp build/.deps/built with built.d (the union of every output's inputs).

make runs the build when any input is newer than the stamp, or an output is missing; the
build then remakes exactly the outputs whose own inputs changed. The stamp therefore says "every
output is current as `make` builds it", and may be set only by a build of everything with the
default settings: after `make handout`, `--paper letter` or a blind submission, the next `make`
must still rebuild what that build left stale or built differently."""

from __future__ import annotations

import os

from . import figure_cache
from .config import Project, load_document
from .depfile import CHANGED_DURING_BUILD, make_escape, make_inputs, make_rule, read_record
from .write import write_if_changed


def may_stamp(project: Project, targets: frozenset[str] | None) -> bool:
    """A build of every output (no targets, no --to), with no setting overridden on the
    command line (--paper, -M), into the project's own build/ (no --output-dir)."""
    return targets is None and not project.overrides and project.default_build_dir


def record(project: Project, targets: frozenset[str] | None) -> None:
    """After a good build: write what make reads, and set the stamp if this build may. Then,
    as every output's record has been read, the converted figures none is made from go
    (figure_cache.prune)."""
    if not may_stamp(project, targets):
        return
    deps = project.build_dir / ".deps"
    docs = sorted(project.documents)
    outputs = [
        project.output(name, fmt) for name in docs for fmt in load_document(project, name).formats
    ]
    # Document names are refused unless make can carry them (config.document_names); escaped
    # all the same, as every name written for make.
    names = " ".join(make_escape(f"build/{p.name}") for p in outputs)
    text = f"OUTPUTS_DOCS := {' '.join(make_escape(d) for d in docs)}\nOUTPUTS := {names}\n"
    write_if_changed(deps / "outputs.mk", text.encode("utf-8"))
    records = [read_record(project.build_dir, out) or {} for out in outputs]
    inputs = {p for r in records for p in make_inputs(r) if p.exists()}
    # Every output's record at hand: the converted figures none of them was made from go.
    figure_cache.prune(project, {digest for r in records for digest in r.values()})
    write_if_changed(deps / "built.d", make_rule(project.root, deps / "built", inputs).encode())
    (deps / "built").touch()
    if any(digest == CHANGED_DURING_BUILD for r in records for digest in r.values()):
        # A source saved while the build ran is newer than the build's start: a stamp dated
        # then makes the next `make` run the build, which remakes what that source went into.
        os.utime(deps / "built", ns=(project.started, project.started))
