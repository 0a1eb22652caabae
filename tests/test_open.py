"""`build --open` where no viewer can open the result (a server, a container): one line of
pressroom's own, none of xdg-open's, and the build's exit status (viewer.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pressroom.viewer import no_viewer

from .conftest import ROOT

# What xdg-open runs on its way to "no method available" without a display: shell tools only,
# none of the viewers and browsers it tries (www-browser, lynx, firefox, run-mailcap...).
XDG_TOOLS = (
    "xdg-open", "xdg-mime", "sh", "sed", "grep", "egrep", "which", "cat", "tr", "readlink",
    "basename", "dirname", "printf", "env", "mktemp", "head", "cut", "file", "awk", "uname",
    "id", "ls",
)  # fmt: skip


def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: Opened\n")
    (root / "manuscript" / "paper.md").write_text("---\nformats: [html]\n---\nText.\n")
    (root / "references" / "library.yaml").write_text("[]\n")
    return root


def build_and_open(root: Path, path_dir: Path) -> subprocess.CompletedProcess[str]:
    """`build --open` with PATH holding only `path_dir`, and no display or desktop. Its stderr
    is read to the end: the end of every process that holds it, xdg-open's included."""
    env = {"PATH": str(path_dir), "HOME": str(root.parent), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", root.name, "--open"],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_no_xdg_open(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    run = build_and_open(project(tmp_path), empty)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines()[-1] == no_viewer("p/build/paper.html")


@pytest.mark.skipif(shutil.which("xdg-open") is None, reason="xdg-open is not installed")
def test_xdg_open_finds_no_viewer(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in XDG_TOOLS:
        found = shutil.which(name)
        if found:
            (tools / name).symlink_to(found)
    run = build_and_open(project(tmp_path), tools)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines[-1] == no_viewer("p/build/paper.html")
    assert not any("xdg-open" in line or "not found" in line for line in lines), run.stderr
