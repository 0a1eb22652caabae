"""The interface every output format implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .. import tree
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


# Takes a draft of an output, to be shown until the finished file replaces it.
Draft = Callable[[Output], None]


class Renderer(Protocol):
    fmt: str  # the output's suffix: build/NAME.<fmt>

    def prepare(self, project: Project) -> None:
        """Write the settings files that are inputs of every output of this format."""

    def job(self, cited: Cited, project: Project) -> PandocJob:
        """The pandoc writer run that makes this format's body from the cited AST."""

    def render(
        self,
        cited: Cited,
        job: PandocJob,
        body: bytes,
        project: Project,
        diagnostics: Diagnostics,
        draft: Draft | None = None,
    ) -> Output:
        """The finished file. A renderer whose final file is slow to write may first hand
        `draft` a quicker version of it (watch's preview PDF: untagged)."""


# The pandoc HTML writer's arguments shared by the screen and print pages.
HTML_WRITER = [
    "-f",
    "json",
    "-t",
    "html5",
    "--wrap=none",
    "--section-divs",
    "--mathml",  # the screen page shows it; the print page draws it (mathsvg.py)
]


def html_writer(cited: Cited) -> list[str]:
    """HTML_WRITER, with the headings shifted so that the document's top heading is an h2 (the
    page title is the h1): a paper whose top headings are `##` gets the section styles of one
    written with `#`."""
    levels = [h["c"][0] for h in tree.nodes(cited.ast["blocks"], "Header")]
    shift = 2 - min(levels, default=1)
    return [*HTML_WRITER, f"--shift-heading-level-by={shift}"]
