"""The two versions a diff compares: a git revision of the project, or a folder holding a copy.

A revision is read with `git archive` into build/.cache/diff/<commit>/, never through the
user's working tree or index (no checkout, no stash); the copy is kept, so a second diff from
the same revision reuses it and its citeproc cache."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import PressroomError

PARTS = ("manuscript", "references", "templates")  # what a project version is made of
WORKING_TREE = "the working tree"


@dataclass(frozen=True)
class Version:
    """One side of a diff: where its project lies, what to call it, and when it was made."""

    root: Path
    label: str  # "v1 (3f2c1ab)", "the working tree", a folder's name
    date: dt.datetime


def resolve(spec: str | None, project_root: Path, cache: Path) -> Version:
    """`spec`: None (the working tree), a folder with a manuscript/, or a git revision."""
    if spec is None:
        return Version(project_root, WORKING_TREE, _newest(project_root))
    folder = Path(spec).expanduser()
    if folder.is_dir():
        if not (folder / "manuscript").is_dir():
            raise PressroomError(
                f"'{spec}' is a folder without manuscript/: not a copy of a project",
                folder,
                None,
                "diff.version",
            )
        return Version(folder.resolve(), folder.resolve().name, _newest(folder))
    return _revision(spec, project_root, cache)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def _revision(spec: str, project_root: Path, cache: Path) -> Version:
    top = _git(["rev-parse", "--show-toplevel"], project_root)
    if top.returncode != 0:
        raise PressroomError(
            f"'{spec}' is neither a folder nor a git revision: {project_root} is not in a git "
            "repository",
            None,
            None,
            "diff.version",
        )
    commit = _git(["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], project_root)
    if commit.returncode != 0:
        raise PressroomError(
            f"'{spec}' is neither a folder nor a git revision of this repository",
            None,
            None,
            "diff.version",
        )
    sha = commit.stdout.decode().strip()
    toplevel = Path(top.stdout.decode().strip()).resolve()
    prefix = project_root.resolve().relative_to(toplevel).as_posix()
    target = cache / sha
    if not (target / "manuscript").is_dir():
        _archive(sha, prefix, project_root, target, spec)
    when = _git(["show", "-s", "--format=%cI", sha], project_root).stdout.decode().strip()
    label = spec if spec.startswith(sha[:7]) else f"{spec} ({sha[:7]})"
    return Version(target, label, dt.datetime.fromisoformat(when))


def _archive(sha: str, prefix: str, project_root: Path, target: Path, spec: str) -> None:
    """The revision's manuscript/, references/ and templates/ into `target`, through a
    temporary folder beside it (an interrupted copy is never taken for a whole one)."""
    paths = [p if prefix == "." else f"{prefix}/{p}" for p in PARTS]
    listed = _git(["ls-tree", "--name-only", sha, "--", *paths], project_root)
    present = [p for p in listed.stdout.decode().splitlines() if p]
    if not any(p.endswith("manuscript") for p in present):
        raise PressroomError(
            f"revision '{spec}' has no manuscript/ folder in this project",
            None,
            None,
            "diff.version",
        )
    archive = _git(["archive", "--format=tar", sha, "--", *present], project_root)
    if archive.returncode != 0:
        raise PressroomError(
            f"git archive {spec}: {archive.stderr.decode().strip()}",
            None,
            None,
            "diff.version",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")  # no links out, no absolute paths
        source = Path(tmp) if prefix == "." else Path(tmp) / prefix
        shutil.rmtree(target, ignore_errors=True)
        source.rename(target)


def _newest(root: Path) -> dt.datetime:
    """When a folder's version was last edited: its newest source file."""
    times = [
        p.stat().st_mtime
        for part in PARTS
        if (root / part).is_dir()
        for p in (root / part).rglob("*")
        if p.is_file()
    ]
    return dt.datetime.fromtimestamp(max(times, default=0), dt.UTC)
