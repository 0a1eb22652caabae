"""Fixtures: copy a project from tests/projects/ and build it with the real command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "projects"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    project: Path

    @property
    def build(self) -> Path:
        return self.project / "build"


def run_build(project: Path, *args: str) -> Run:
    """`python build.py --project DIR ARGS...` in the project's parent folder."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", project.name, *args],
        cwd=project.parent,
        capture_output=True,
        text=True,
        timeout=600,
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
        shutil.copytree(ROOT / part, target / part)
    return target


@pytest.fixture(scope="session")
def notes_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("notes", tmp_path_factory.mktemp("notes"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_default_project(tmp_path_factory.mktemp("default"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run
