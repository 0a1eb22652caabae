"""Fixtures: copy a project from tests/projects/ and build it with the real command line.

Whole-project builds are the slow part of the suite, so each is made once per test run and
shared, by pytest-xdist's workers too (`shared_build`); a test that edits a built project gets
a fresh copy of the built tree instead of a build of its own (`BuiltTree`)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

# As `pressroom watch` does before WeasyPrint's first allocation (watch.py): tests that run
# watch's Preview in this process fork its PDF builder beside the preview thread, and GLib's
# slice allocator could hand the fork a lock held (a hang, not a failure).
os.environ.setdefault("G_SLICE", "always-malloc")

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "projects"

# tests/content/ checks the sample paper's own text (`make content-check`), not the toolkit:
# a user who writes their own paper in manuscript/ still gets a green `make test`. It runs
# when named: `pytest tests/content`.
collect_ignore = ["content"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from this run's outputs instead of comparing with them",
    )


# The files that take longest (whole-project builds with and without a patch, layouts checked
# page by page), longest first. `make test` runs with `--dist loadfile --no-loadscope-reorder`:
# the two workers take files in this order, so the long ones start first and both workers
# finish about together (xdist's own order, by number of tests, puts these last).
LONGEST_FIRST = (
    "test_weasy_fast.py",
    "test_incremental_layout.py",
    "test_parallel_layout.py",
    "test_redline.py",
    "test_cite_incremental.py",
    "test_interrupt.py",
    "test_page_incremental.py",
    "test_schedule.py",
    "test_incremental.py",
    "test_stamp.py",
    "test_docx.py",
    "test_watch.py",
    "test_install.py",
    "test_preview.py",
    "test_security.py",
    "test_submission.py",
    "test_pipeline.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order kept


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: runs make, interrupts a build or watches files (part of `make test`)"
    )


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    project: Path

    @property
    def build(self) -> Path:
        return self.project / "build"


def run_build(project: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`python build.py --project DIR ARGS...` in the project's parent folder; `env` adds
    environment variables."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", project.name, *args],
        cwd=project.parent,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, project)


def copy_project(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns("build"))
    return target


def copy_default_project(dest: Path) -> Path:
    """The repository's own paper, without its build/ or the toolkit code."""
    target = dest / "default"
    for part in ("manuscript", "references", "templates"):
        if (ROOT / part).is_dir():  # templates/: only if the repository's paper overrides one
            shutil.copytree(ROOT / part, target / part)
    return target


class BuiltTree:
    """A project built once, then handed out again and again as it was right after that build.

    Each copy is put back at the same path
    (`shutil.copytree` keeps every mtime): to the build, the copy is the project it made."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.pristine = project.parent / f"{project.name}.pristine"
        shutil.copytree(project, self.pristine, symlinks=True)

    def fresh(self) -> Path:
        """The project as built, whatever an earlier test did to it."""
        shutil.rmtree(self.project)
        shutil.copytree(self.pristine, self.project, symlinks=True)
        return self.project


def shared_build(
    tmp_path_factory: pytest.TempPathFactory, name: str, copy: Callable[[Path], Path]
) -> Run:
    """A project copied by `copy` into a folder and built, once for the whole test run: under
    pytest-xdist the first worker to ask builds it while the other waits on the lock, then both
    read the same tree (its users only read it). The build's result is kept beside it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's own folder, above each worker's (xdist's basetemp/gwN)
    record = base / f"{name}.run.json"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            folder = base / f"{name}.shared"
            folder.mkdir()
            run = run_build(copy(folder))
            saved = {**asdict(run), "project": str(run.project)}
            record.write_text(json.dumps(saved), "utf-8")
    saved = json.loads(record.read_text("utf-8"))
    run = Run(**{**saved, "project": Path(saved["project"])})
    assert run.code == 0, run.stderr
    return run


@pytest.fixture(scope="session")
def notes_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return shared_build(tmp_path_factory, "notes", lambda dest: copy_project("notes", dest))


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return shared_build(tmp_path_factory, "default", copy_default_project)


@pytest.fixture(scope="session")
def handout_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return shared_build(tmp_path_factory, "handout", lambda dest: copy_project("handout", dest))


@pytest.fixture(scope="session")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> BuiltTree:
    """tests/projects/incremental, built once, with its own copy of the print stylesheet and
    page template (as a user who customises them would have)."""
    project = copy_project("incremental", tmp_path_factory.mktemp("incremental"))
    (project / "templates").mkdir()
    for name in ("print.css", "page.html.j2"):
        shutil.copy(ROOT / "pressroom" / "templates" / name, project / "templates" / name)
    run = run_build(project)
    assert run.code == 0, run.stderr
    return BuiltTree(project)
