"""Atomic writes: an output is complete or absent, never half-written, and an unchanged file is
not rewritten (its mtime stays honest for make)."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import PressroomError

_PENDING: set[str] = set()  # temporary files this process is writing right now


def remove_pending() -> None:
    """Remove this process's half-written temporary files (a worker stopped mid-write)."""
    for tmp in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _PENDING.clear()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Delay SIGINT and SIGTERM until the block ends (where the system can; not on Windows)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written output."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A Ctrl-C or SIGTERM between creating the file and recording it would leave it behind:
        # hold them until it is recorded, where every way out removes it.
        with _signals_held():
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
        # Held signals here too: a Ctrl-C between creating and removing the probe would leave it.
        with _signals_held():
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
