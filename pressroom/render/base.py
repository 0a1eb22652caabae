"""The interface every output format implements."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .. import pandoc, tree
from ..config import Project
from ..errors import Diagnostics
from ..model import Cited, Output
from ..toc import with_toc

T = TypeVar("T")


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

    def top() -> int:
        return min((h["c"][0] for h in tree.nodes(cited.ast["blocks"], "Header")), default=1)

    return [*HTML_WRITER, f"--shift-heading-level-by={2 - shared('top', cited, top)}"]


def page_json(cited: Cited) -> bytes:
    """The AST of the screen page and the print page (the same: its contents and lists where
    they go, toc.py), as pandoc reads it."""
    return shared("page", cited, lambda: pandoc.to_json(with_toc(cited.ast, cited.doc.meta)))


# What the writers' jobs of one document make alike from its cited AST, made once while they
# are made together (render._bodies): at 300 pages each walk of the AST is 0.2 s and its JSON
# 0.3 s. Per thread, and only inside `jobs_together`: the cited AST is not changed while its
# jobs are made, and may be (assets, release) before and after.
_SHARED = threading.local()


@contextmanager
def jobs_together() -> Iterator[None]:
    """While the writers' jobs of one document are made."""
    _SHARED.made = {}
    try:
        yield
    finally:
        _SHARED.made = None


def shared(name: str, cited: Cited, make: Callable[[], T]) -> T:
    """`make()`, made once for `cited` inside `jobs_together`."""
    made: dict[str, tuple[Cited, Any]] | None = getattr(_SHARED, "made", None)
    if made is None:
        return make()
    hit = made.get(name)
    if hit is not None and hit[0] is cited:
        value: T = hit[1]
        return value
    value = make()
    made[name] = (cited, value)
    return value
