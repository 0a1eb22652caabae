"""What each output was made from: build/.deps/NAME.FMT.json maps every input file to its
content hash (read by freshness.py), and make rules in make's own syntax (written by stamp.py).

Records name a project file relative to the project (the folder holding build/), so that a
copied or moved project still finds its inputs; a file outside it (the toolkit's code, a
system font) by its absolute path, so that a moved toolkit makes every output stale."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .write import write_if_changed

# The hash recorded for an input saved while the build ran: it never matches a file's hash, so
# the output stays stale and the next build remakes it from what is on disk then.
CHANGED_DURING_BUILD = "changed-during-build"
# The hash recorded for an input that did not exist when the output was made (a project without
# metadata.yaml): once such a file appears, the output is stale.
ABSENT = "absent"
# A record's key (never a file name): the command line's settings the output was built with,
# -M values (and --paper) and whether under --strict (so without a warning). An output built
# with other -M values is stale; under --strict, one not built under it is too (its warnings
# were only printed).
SETTINGS = "(settings)"


def settings_mark(strict: bool, overrides: dict[str, Any]) -> dict[str, Any]:
    """What a record keeps of the command line: -M values as JSON would write them."""
    return {"M": json.loads(json.dumps(overrides, sort_keys=True, default=str)), "strict": strict}


def now() -> int:
    """The clock file times are set from (Linux stamps mtimes with the coarse clock, which may
    lag the fine one by a tick: a file saved after this moment never has an earlier mtime)."""
    coarse = getattr(time, "CLOCK_REALTIME_COARSE", None)
    return time.clock_gettime_ns(coarse) if coarse is not None else time.time_ns()


def saved_since(path: Path, started: int) -> bool:
    """Whether `path` was modified at or after `started` (from `now()`), so that what a build
    read of it may not be what is on disk. At, not only after: a save in the same tick of the
    coarse clock as the build's start may follow it, and counting it costs one rebuild at most.
    The one rule for this; OSError (a file removed since) is the caller's."""
    return path.stat().st_mtime_ns >= started


def sha256(path: Path) -> str:
    if path.is_dir():
        # A folder's "content" is its list of names: adding or removing a data file changes it.
        names = "\n".join(sorted(p.name for p in path.iterdir()))
        return hashlib.sha256(names.encode("utf-8")).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_path(build_dir: Path, output: Path) -> Path:
    stem = output.relative_to(build_dir).as_posix().replace("/", "__")
    return build_dir / ".deps" / f"{stem}.json"


def _key(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def write_record(
    build_dir: Path,
    output: Path,
    inputs: Iterable[Path],
    started: int | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Every file `output` was made from, with its hash (so that an input saved again without
    a change does not count as changed). An input modified after `started` (the build's start,
    from `now()`) may have been read before or after the change: it is recorded as changed,
    never as the content on disk now, which the output may not hold. (Files under build/ are
    the build's own, written in this build before they are read: a citation index, settings.)"""
    build = build_dir.resolve()
    root = build.parent
    hashes: dict[str, str] = {}
    for p in sorted({p.resolve() for p in inputs}):
        ours = p.is_relative_to(build)
        if not p.exists():
            if not ours:
                hashes[_key(root, p)] = ABSENT
            continue
        saved = bool(started) and not ours and saved_since(p, started or 0)
        hashes[_key(root, p)] = CHANGED_DURING_BUILD if saved else sha256(p)
    record: dict[str, Any] = dict(hashes)
    if settings and (settings.get("M") or settings.get("strict")):
        record[SETTINGS] = settings
    data = json.dumps(record, indent=0, sort_keys=True).encode("utf-8")
    write_if_changed(record_path(build_dir, output), data)


def read_record(build_dir: Path, output: Path) -> dict[Path, str] | None:
    """The inputs recorded for `output` by its last build (absolute paths), with their hashes."""
    found = read_record_and_settings(build_dir, output)
    return found[0] if found is not None else None


def read_record_and_settings(
    build_dir: Path, output: Path
) -> tuple[dict[Path, str], dict[str, Any]] | None:
    """The recorded inputs, and the command line's settings (settings_mark; {} for none)."""
    try:
        data = json.loads(record_path(build_dir, output).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    settings = data.pop(SETTINGS, None)
    root = build_dir.resolve().parent
    inputs = {root / name: str(digest) for name, digest in data.items()}
    return inputs, settings if isinstance(settings, dict) else {}


def make_inputs(record: dict[Path, str]) -> set[Path]:
    """What make compares a record's output with: each input, or for one recorded absent, the
    folder it would appear in (whose time moves when it does: make then runs the build, which
    finds from the record whether the new file is one the output reads)."""
    return {p if digest != ABSENT else p.parent for p, digest in record.items()}


# A name make reads as text once its specials are escaped; any other character (`;`, `=`, `%`,
# `(`, `|`, a quote, a backslash, a newline...) means something to make that no escape undoes.
_CARRIABLE = re.compile(r"[\w./+,@^{}\-\ #$:*?\[\]]+")
_ESCAPE = re.compile(r"([ #:*?\[\]])")


def carriable(name: str) -> bool:
    """Whether make can read `name` as one file name (after `make_escape`)."""
    return _CARRIABLE.fullmatch(name) is not None


def make_escape(name: str) -> str:
    """`name` as make reads it in a rule: `$` doubled, spaces and make's specials escaped."""
    return _ESCAPE.sub(r"\\\1", name.replace("$", "$$"))


def make_rule(root: Path, target: Path, inputs: Iterable[Path]) -> str:
    """`target: inputs...` plus an empty rule per input, so that a deleted input forces a
    rebuild instead of stopping make ("No rule to make target"). An input whose name make
    cannot carry is left out and the target made always out of date instead (the build then
    decides from the hashes, so nothing is missed; make only runs it every time)."""

    def name(p: Path) -> str:
        p = p.resolve()
        return p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)

    names = sorted({name(p) for p in inputs if p.exists()})
    kept = [make_escape(n) for n in names if carriable(n)]
    if len(kept) < len(names):
        # a prerequisite that never exists: the target is always out of date
        kept.append(make_escape(name(target.parent / "always-rebuild")))
    lines = [f"{make_escape(name(target))}: \\", *(f"  {n} \\" for n in kept), ""]
    lines += [f"{n}:" for n in kept]
    return "\n".join(lines) + "\n"
