"""Boundary to pandoc: the binary from the pypandoc-binary wheel, always sandboxed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from .errors import PressroomError

TIMEOUT = 180  # seconds for one pandoc run; a pathological input ends in an error, not a hang
HEAP = "-M1500M"  # pandoc's own heap cap (pandoc MANUAL, "A note on security")


class PandocFailed(PressroomError):
    """pandoc exited non-zero; `stderr` holds its message."""

    def __init__(self, message: str, stderr: str, code: int) -> None:
        super().__init__(message, None, None, "pandoc.failed")
        self.stderr = stderr
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), (self.message, self.stderr, self.code))


@cache
def binary() -> Path:
    """The pandoc binary that pypandoc-binary ships (called directly: 1.3x faster than pypandoc)."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is None or not spec.submodule_search_locations:
        raise PressroomError("pandoc is missing: run 'make' to install the pinned dependencies")
    path = Path(next(iter(spec.submodule_search_locations))) / "files" / "pandoc"
    if not path.is_file():
        raise PressroomError(f"pandoc binary not found at {path}: reinstall pypandoc-binary")
    return path


@cache
def version() -> str:
    out = subprocess.run([binary(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split("\n", 1)[0].split()[-1]


def command(args: list[str]) -> list[str]:
    return [str(binary()), "--sandbox", *args, "+RTS", HEAP, "-RTS"]


def run(args: list[str], stdin: bytes | None = None) -> tuple[bytes, str]:
    """Run pandoc; return (stdout, stderr). Raises PandocFailed on a non-zero exit."""
    try:
        proc = subprocess.run(
            command(args), input=stdin, capture_output=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise PressroomError(
            f"pandoc took longer than {TIMEOUT} s (pathological input?)", kind="pandoc.timeout"
        ) from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise PandocFailed(f"pandoc failed: {stderr.strip()}", stderr, proc.returncode)
    return proc.stdout, stderr


def run_many(jobs: list[tuple[list[str], bytes]]) -> list[bytes]:
    """Run several pandoc processes side by side (each writer is its own process)."""
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [pool.submit(run, args, stdin) for args, stdin in jobs]
        return [f.result()[0] for f in futures]


def to_json(ast: dict[str, Any]) -> bytes:
    return json.dumps(ast, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
