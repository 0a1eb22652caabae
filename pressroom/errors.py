"""User-facing errors and warnings, each with a place in the user's files."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path


def where(path: Path | str | None, line: int | None, root: Path | None = None) -> str:
    """Format `path:line` relative to the project root when possible."""
    if path is None:
        return "pressroom"
    p = Path(path)
    if root is not None:
        # The path as the user sees it: a symlink is named, not the file it points to.
        for base in (Path(os.path.abspath(root)), root.resolve()):
            if Path(os.path.abspath(p)).is_relative_to(base):
                p = Path(os.path.abspath(p)).relative_to(base)
                break
    text = p.as_posix()
    return f"{text}:{line}" if line else text


class PressroomError(Exception):
    """A problem the user can fix: printed as `path:line: error: message [kind]`, exit 1."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.kind = kind

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # Errors cross process boundaries (parallel builds): keep every field.
        return (type(self), (self.message, self.path, self.line, self.kind))

    def format(self, root: Path | None = None) -> str:
        suffix = f" [{self.kind}]" if self.kind else ""
        return f"{where(self.path, self.line, root)}: error: {self.message}{suffix}"


class PressroomErrors(PressroomError):
    """Several problems found together (configuration is validated whole)."""

    def __init__(self, errors: list[PressroomError]) -> None:
        super().__init__(errors[0].message, errors[0].path, errors[0].line, errors[0].kind)
        self.errors = errors

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), (self.errors,))

    def format(self, root: Path | None = None) -> str:
        return "\n".join(e.format(root) for e in self.errors)


@dataclass(frozen=True)
class BuildWarning:
    """A warning with a stable kind, e.g. `citation.unused`."""

    message: str
    kind: str
    path: Path | None = None
    line: int | None = None

    def format(self, root: Path | None = None) -> str:
        return f"{where(self.path, self.line, root)}: warning: {self.message} [{self.kind}]"


@dataclass
class Diagnostics:
    """Collects warnings during a build; `--strict` turns them into a failure."""

    root: Path | None = None
    warnings: list[BuildWarning] = field(default_factory=list)
    echo: bool = True  # a worker process collects quietly; the parent prints
    # --strict: the first warning stops the build as an error, before any output is written
    # (written outputs would look up to date to the next build).
    strict: bool = False

    def warn(
        self, message: str, kind: str, path: Path | str | None = None, line: int | None = None
    ) -> None:
        if self.strict:
            raise PressroomError(f"{message} (--strict)", path, line, kind)
        w = BuildWarning(message, kind, Path(path) if path is not None else None, line)
        if w not in self.warnings:
            self.warnings.append(w)
            if self.echo:
                print(w.format(self.root), file=sys.stderr)


class LoggedWarnings(logging.Handler):
    """What a library (WeasyPrint, ziamath) logs at WARNING or above while attached, kept as
    messages for the build's own warnings rather than printed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
