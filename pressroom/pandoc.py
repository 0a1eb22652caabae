"""Boundary to pandoc: the binary from the pypandoc-binary wheel, always sandboxed."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from .errors import PressroomError

# Seconds for one pandoc run (wall time: pandoc is another process); a pathological input ends
# in an error, not a hang.
TIMEOUT = float(os.environ.get("PRESSROOM_PANDOC_TIMEOUT", "180"))
HEAP = "-M1500M"  # pandoc's own heap cap (pandoc MANUAL, "A note on security")
# 3.6: --sandbox also covers --embed-resources, duplicate YAML keys warn
# (research/reliability.md §2).
MIN_VERSION = (3, 6)


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
        raise PressroomError(
            "pandoc is missing: run 'make' to install the pinned dependencies",
            kind="pandoc.missing",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "files" / "pandoc"
    if not path.is_file():
        raise PressroomError(
            f"pandoc binary not found at {path}: reinstall pypandoc-binary", kind="pandoc.missing"
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    _check_memory(out.returncode)
    require_version(out.stdout.split("\n", 1)[0].split()[-1] if out.stdout else "unknown")
    return path


def require_version(text: str) -> None:
    """pandoc older than MIN_VERSION is refused in one line that says what to do."""
    try:
        found = tuple(int(p) for p in text.split(".")[:2])
    except ValueError:
        found = (0,)
    if found < MIN_VERSION:
        want = ".".join(map(str, MIN_VERSION))
        raise PressroomError(
            f"pandoc {text} is too old: pressroom needs pandoc >= {want}; run 'make' to "
            "install the pinned pypandoc-binary",
            kind="pandoc.version",
        )


@cache
def version() -> str:
    out = subprocess.run([binary(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split("\n", 1)[0].split()[-1]


def command(args: list[str]) -> list[str]:
    return [str(binary()), "--sandbox", *args, "+RTS", HEAP, "-RTS"]


# Every pandoc still running, so that an interrupted build stops them (threads of run_many
# cannot be interrupted themselves; see kill_all).
_RUNNING: set[subprocess.Popen[bytes]] = set()


def run(
    args: list[str], stdin: bytes | None = None, where: Path | None = None
) -> tuple[bytes, str]:
    """Run pandoc; return (stdout, stderr). Raises PandocFailed on a non-zero exit; a timeout
    or running out of memory is an error at `where` (the document or file pandoc was reading)."""
    proc = subprocess.Popen(
        command(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _RUNNING.add(proc)
    try:
        out, err = proc.communicate(stdin, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PressroomError(
            f"pandoc took longer than {TIMEOUT:g} s (a pathological input?); raise the limit "
            "with PRESSROOM_PANDOC_TIMEOUT (seconds)",
            where,
            kind="pandoc.timeout",
        ) from None
    finally:
        if proc.poll() is None:  # a timeout, Ctrl-C or another error: stop it
            proc.kill()
            proc.wait()
        _RUNNING.discard(proc)
    stderr = err.decode("utf-8", "replace")
    _check_memory(proc.returncode, where)
    if proc.returncode != 0:
        raise PandocFailed(f"pandoc failed: {stderr.strip()}", stderr, proc.returncode)
    return out, stderr


def _check_memory(code: int, where: Path | None = None) -> None:
    if code == 251:  # the GHC runtime's "out of memory" (heap cap or address-space limit)
        raise PressroomError(
            f"pandoc ran out of memory (its heap may grow to {HEAP[2:]}B; a pathological "
            "input, or PRESSROOM_MEMORY_MB too low)",
            where,
            kind="limit.memory",
        )


def kill_all() -> None:
    """Stop every pandoc this process started that is still running."""
    for proc in list(_RUNNING):
        if proc.poll() is None:
            proc.kill()


def run_many(jobs: list[tuple[list[str], bytes]], where: Path | None = None) -> list[bytes]:
    """Run several pandoc processes side by side (each writer is its own process)."""
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [pool.submit(run, args, stdin, where) for args, stdin in jobs]
        return [f.result()[0] for f in futures]


def citeproc_args(style: Path, library: Path) -> list[str]:
    """The arguments of every citeproc run: the style and the library as CSL-JSON."""
    return ["--citeproc", "--csl", str(style), "--bibliography", str(library)]


def to_json(ast: dict[str, Any]) -> bytes:
    return json.dumps(ast, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
