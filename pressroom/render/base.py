"""The interface every output format implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..config import Project
from ..errors import Diagnostics
from ..model import Cited, Output


@dataclass(frozen=True)
class PandocJob:
    """One pandoc writer run: its arguments, its input, and the files it reads (a filter, the
    reference document) that are therefore inputs of the output."""

    args: list[str]
    stdin: bytes
    inputs: frozenset[Path] = field(default_factory=frozenset)


class Renderer(Protocol):
    fmt: str  # the output's suffix: build/NAME.<fmt>

    def prepare(self, project: Project) -> None:
        """Write the settings files that are inputs of every output of this format."""

    def job(self, cited: Cited, project: Project) -> PandocJob:
        """The pandoc writer run that makes this format's body from the cited AST."""

    def render(
        self, cited: Cited, job: PandocJob, body: bytes, project: Project, diagnostics: Diagnostics
    ) -> Output:
        """The finished file."""


# The pandoc HTML writer's arguments shared by the screen and print pages.
HTML_WRITER = [
    "-f",
    "json",
    "-t",
    "html5",
    "--wrap=none",
    "--shift-heading-level-by=1",
    "--section-divs",
    "--mathml",  # the screen page shows it; the print page draws it (mathsvg.py)
]
