"""What each output was made from: build/.deps/NAME.FMT.json maps every input file to its
content hash (read by freshness.py), and make rules in make's own syntax (written by stamp.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .write import write_if_changed


def sha256(path: Path) -> str:
    if path.is_dir():
        # A folder's "content" is its list of names: adding or removing a data file changes it.
        names = "\n".join(sorted(p.name for p in path.iterdir()))
        return hashlib.sha256(names.encode("utf-8")).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_path(build_dir: Path, output: Path) -> Path:
    stem = output.relative_to(build_dir).as_posix().replace("/", "__")
    return build_dir / ".deps" / f"{stem}.json"


def write_record(build_dir: Path, output: Path, inputs: Iterable[Path]) -> None:
    """Every file `output` was made from, with its hash (so that an input saved again without
    a change does not count as changed)."""
    real = sorted({p.resolve() for p in inputs if p.exists()})
    hashes = {str(p): sha256(p) for p in real}
    data = json.dumps(hashes, indent=0, sort_keys=True).encode("utf-8")
    write_if_changed(record_path(build_dir, output), data)


def read_record(build_dir: Path, output: Path) -> dict[str, str] | None:
    """The inputs recorded for `output` by its last build, with their hashes."""
    try:
        data = json.loads(record_path(build_dir, output).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _make_escape(path: str) -> str:
    return path.replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")


def make_rule(root: Path, target: Path, inputs: Iterable[Path]) -> str:
    """`target: inputs...` plus an empty rule per input, so that a deleted input forces a
    rebuild instead of stopping make ("No rule to make target")."""

    def name(p: Path) -> str:
        p = p.resolve()
        return _make_escape(p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p))

    names = sorted({name(p) for p in inputs if p.exists()})
    lines = [f"{name(target)}: \\", *(f"  {n} \\" for n in names), ""]
    lines += [f"{n}:" for n in names]
    return "\n".join(lines) + "\n"
