"""Stage `write`: atomic writes, and a make depfile of every file an output was made from."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import PressroomError

_PENDING: set[str] = set()  # temporary files this process is writing right now


def remove_pending() -> None:
    """Remove this process's half-written temporary files (a worker stopped mid-write)."""
    for tmp in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _PENDING.clear()


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written output."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        _PENDING.add(tmp)
    except OSError as exc:
        raise PressroomError(
            f"cannot write: {exc.strerror}", path.parent, None, "io.write"
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _PENDING.discard(tmp)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _PENDING.discard(tmp)
        if isinstance(exc, OSError):
            raise PressroomError(f"cannot write: {exc.strerror}", path, None, "io.write") from None
        raise


def check_writable(build_dir: Path) -> None:
    """Fail before any work if build/ cannot be written (a file in its place, no permission)."""
    if build_dir.exists() and not build_dir.is_dir():
        msg = "cannot write to the build folder: a file has its name"
        raise PressroomError(msg, build_dir, None, "io.write")
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=build_dir)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise PressroomError(
            f"cannot write to the build folder: {exc.strerror}", build_dir, None, "io.write"
        ) from None


def write_if_changed(path: Path, data: bytes) -> bool:
    """Honest mtimes: a file whose content would not change is not rewritten."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def sha256(path: Path) -> str:
    if path.is_dir():
        # A folder's "content" is its list of names: adding or removing a data file changes it.
        names = "\n".join(sorted(p.name for p in path.iterdir()))
        return hashlib.sha256(names.encode("utf-8")).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_escape(path: str) -> str:
    return path.replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")


def depfile_paths(build_dir: Path, output: Path) -> tuple[Path, Path]:
    stem = output.relative_to(build_dir).as_posix().replace("/", "__")
    deps = build_dir / ".deps"
    return deps / f"{stem}.d", deps / f"{stem}.json"


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


def write_depfile(root: Path, build_dir: Path, output: Path, inputs: Iterable[Path]) -> None:
    """The make rule of every file `output` was made from, and their hashes (for the check
    that an input saved again unchanged does not count as changed)."""
    real = sorted({p.resolve() for p in inputs if p.exists()})
    d_path, j_path = depfile_paths(build_dir, output)
    write_if_changed(d_path, make_rule(root, output, real).encode("utf-8"))
    hashes = {str(p): sha256(p) for p in real}
    write_if_changed(j_path, json.dumps(hashes, indent=0, sort_keys=True).encode("utf-8"))


def recorded_inputs(build_dir: Path, output: Path) -> list[Path]:
    """The inputs recorded for `output` by its last build."""
    _, j_path = depfile_paths(build_dir, output)
    try:
        return [Path(p) for p in json.loads(j_path.read_text("utf-8"))]
    except (OSError, ValueError):
        return []


def is_current(build_dir: Path, output: Path) -> bool:
    """True if `output` exists and no input recorded for it has changed in content.

    An input newer than the output whose content hash is unchanged (an editor's save without
    edits, a checkout restoring the same text) does not count; the output's mtime is then
    brought forward so that make stays quiet too."""
    _, j_path = depfile_paths(build_dir, output)
    try:
        out_mtime = output.stat().st_mtime_ns
        hashes: dict[str, str] = json.loads(j_path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    touched = False
    for name, digest in hashes.items():
        p = Path(name)
        try:
            if p.stat().st_mtime_ns <= out_mtime:
                continue
            if sha256(p) != digest:
                return False
        except OSError:
            return False
        touched = True
    if touched:
        os.utime(output)
    return True
