"""How the `pressroom` command ends (process.leave: no interpreter tear-down): everything it
printed arrives, through a pipe too, and its exit code is the command's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pressroom import process

ROOT = Path(__file__).resolve().parent.parent


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Output block-buffered, as through any pipe (PYTHONUNBUFFERED, if set here, left out).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_long_listing_arrives_whole_through_a_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert process.execute(["styles"]) == 0
    listed = capsys.readouterr().out
    assert len(listed) > 100_000  # many times a pipe's buffer
    proc = command("styles", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == listed
    assert proc.stderr.endswith(" styles\n")


def test_a_failed_command_exits_1_with_its_error(tmp_path: Path) -> None:
    proc = command("build", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.endswith("start a project with 'pressroom new DIR'\n")


_CHILD = """
import os, sys, time
from pressroom import process
pid = os.fork()
if pid == 0:
    if sys.argv[2] == "asked":
        process.die_with_parent()
    with open(sys.argv[1] + ".part", "w") as out:
        out.write(str(os.getpid()))
    os.rename(sys.argv[1] + ".part", sys.argv[1])
    time.sleep(300)
    os._exit(0)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
os._exit(0)  # the parent ends at once, as a build killed outright does
"""


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (gone, or a zombie no one has reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("asked", ["asked", "not asked"])
def test_a_forked_helper_child_ends_with_its_parent(tmp_path: Path, asked: str) -> None:
    """A write's or a layout's second-half child (weasy_paint, weasy_parallel) does not outlive
    the build that forked it; the same child without the request does (the test's own check)."""
    import time

    marker = tmp_path / "child"
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(marker), asked],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=True,
    )
    child = int(marker.read_text())
    try:
        if asked == "asked":
            deadline = time.monotonic() + 60
            while not _gone(child) and time.monotonic() < deadline:
                time.sleep(0.05)
        assert _gone(child) == (asked == "asked")
    finally:
        if not _gone(child):
            os.kill(child, 9)
