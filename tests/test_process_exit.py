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
