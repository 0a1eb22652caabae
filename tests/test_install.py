"""Issue 11: pressroom installs as a package. A wheel built from this repository, installed into
a fresh virtualenv, makes and builds a new paper in an empty folder far from the repository.

Offline: the wheel is built without build isolation (setuptools from the dev tools), and the
fresh venv finds the pinned runtime dependencies through a .pth file naming the project
venv's site-packages, so `pip install --no-deps --no-index` fetches nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{args}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
def test_a_wheel_installs_and_builds_a_new_paper_in_an_empty_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # The source as a release has it, copied out: setuptools writes build/ beside it.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "pressroom", source / "pressroom", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            tmp_path / "dist",
            source,
        ],
        tmp_path,
        env,
    )
    [wheel] = (tmp_path / "dist").glob("pressroom-*.whl")

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, env
        ).stdout.strip()
    )
    (site / "pinned-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], tmp_path, env)

    command = fresh / "bin" / "pressroom"
    empty = tmp_path / "empty"
    empty.mkdir()
    new = _run([command, "new", "paper"], empty, env)
    assert "cd paper && pressroom build" in new.stderr
    paper = empty / "paper"
    built = _run([command, "build", "--strict"], paper, env)
    assert sorted(p.name for p in (paper / "build").glob("*.pdf")) == ["abstract.pdf", "paper.pdf"]
    assert "built build/paper.pdf (" in built.stderr
    _run([command, "build", "--to", "html", "--output-dir", "out"], paper, env)
    assert sorted(p.name for p in (paper / "out").glob("*.html")) == ["abstract.html", "paper.html"]
    where = _run([python, "-c", "import pressroom; print(pressroom.__file__)"], empty, env)
    assert Path(where.stdout.strip()).is_relative_to(fresh)  # the wheel's, not this clone's
