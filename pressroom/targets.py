"""What a build was asked for: target names (`paper`, `paper.pdf`) and `--to` formats, checked
against the project's documents, so that a typo is an error listing the valid ones instead of a
build that does nothing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import PurePath

from .config import Project, load_document
from .errors import PressroomError


def outputs(project: Project) -> dict[str, tuple[str, ...]]:
    """Every document and the formats it builds (its front matter's `formats`)."""
    return {name: load_document(project, name).formats for name in project.documents}


def select(
    project: Project, targets: Iterable[str] = (), formats: Iterable[str] = ()
) -> frozenset[str] | None:
    """The outputs to build as `name.fmt` names, or None for every output. `targets` may be
    `paper`, `paper.pdf` or `build/paper.pdf`; `formats` (from --to) narrows them, or every
    document, to those formats."""
    names = [PurePath(t).name for t in targets]
    wanted = set(formats)
    if not names and not wanted:
        return None
    known = outputs(project)
    chosen: set[str] = set()
    for name in names or list(known):
        chosen |= _one(name, known, wanted, bool(names))
    if not chosen:
        listed = ", ".join(sorted(wanted))
        raise PressroomError(
            f"no document is built as {listed} (see each document's `formats:`)",
            None,
            None,
            "target.none",
        )
    return frozenset(chosen)


def _one(target: str, known: dict[str, tuple[str, ...]], wanted: set[str], named: bool) -> set[str]:
    """The outputs one target names; an unknown target is an error with the valid ones."""
    # A document's own name may hold dots (`ch1.dissertation.Heppler.md`): the format is
    # what follows the last one, unless the whole target names a document.
    doc, fmt = (target, "") if target in known else target.rpartition(".")[::2]
    if not doc:  # no dot at all
        doc, fmt = fmt, ""
    if doc not in known or (fmt and fmt not in known[doc]):
        valid = [n for d, fs in known.items() for n in (d, *(f"{d}.{f}" for f in fs))]
        close = difflib.get_close_matches(target, valid, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise PressroomError(
            f"unknown target '{target}'{hint}; targets are: {', '.join(valid)}",
            None,
            None,
            "target.unknown",
        )
    formats = {fmt} if fmt else set(known[doc])
    if wanted:
        formats &= wanted
        if named and not formats:
            raise PressroomError(
                f"'{target}' is not built as {', '.join(sorted(wanted))}; its formats are "
                f"{', '.join(known[doc])}",
                None,
                None,
                "target.format",
            )
    return {f"{doc}.{f}" for f in formats}
