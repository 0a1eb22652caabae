"""Stage `assemble`: run each Markdown source through sandboxed Jinja into plain Markdown."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from . import yamlio
from .config import Document, Project
from .errors import PressroomError

MAX_OUTPUT = 20_000_000  # characters: a runaway loop stops here, not in swap
MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True)
class Assembled:
    """A document's Markdown after Jinja, with every file that went into it."""

    doc: Document
    markdown: str
    inputs: frozenset[Path]


class _Loader(jinja2.BaseLoader):
    """Loads includes from manuscript/ only; records each file read; follows no link out."""

    def __init__(self, base: Path, reads: set[Path]) -> None:
        self.base = base.resolve()
        self.reads = reads

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = (self.base / template).resolve()
        if not path.is_relative_to(self.base):
            raise jinja2.TemplateNotFound(f"{template} (outside manuscript/)")
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        self.reads.add(path)
        text = yamlio.read_text(path)
        mtime = path.stat().st_mtime
        return text, str(path), lambda: path.stat().st_mtime == mtime


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with string repetition bounded (`"x" * 10**10` is not intercepted)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 64:
            raise jinja2.sandbox.SecurityError("exponent too large")
        if operator == "*":
            seq, count = (left, right) if isinstance(right, int) else (right, left)
            if (
                isinstance(seq, str | list)
                and isinstance(count, int)
                and len(seq) * count > MAX_OUTPUT
            ):
                raise jinja2.sandbox.SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def environment(base: Path, reads: set[Path]) -> jinja2.Environment:
    """A Jinja environment whose delimiters leave Markdown and pandoc syntax alone."""
    return _Sandbox(
        loader=_Loader(base, reads),
        undefined=jinja2.StrictUndefined,
        # `{#id}` is pandoc's header id, so Jinja comments are `{## ... ##}`.
        comment_start_string="{##",
        comment_end_string="##}",
        autoescape=False,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def _template_frame(exc: BaseException, files: set[str]) -> tuple[str, int] | None:
    """The innermost frame of the traceback that lies in one of our template files."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in files and frame.lineno:
            found = (frame.filename, frame.lineno)
    return found


def assemble(doc: Document, project: Project, context: dict[str, Any]) -> Assembled:
    """Render the document's Jinja with the metadata, data and the toolkit's helpers."""
    reads: set[Path] = {doc.source.resolve()}
    env = environment(project.manuscript, reads)
    source_name = str(doc.source.resolve())
    try:
        template = env.from_string(doc.body)
        template.filename = source_name
        template.name = doc.source.name
    except jinja2.TemplateSyntaxError as exc:
        raise PressroomError(
            f"template syntax: {exc.message}",
            exc.filename or doc.source,
            exc.lineno,
            "jinja.syntax",
        ) from None
    try:
        markdown = template.render(**context)
    except PressroomError:
        raise
    except jinja2.TemplateSyntaxError as exc:  # in an included file
        raise PressroomError(
            f"template syntax: {exc.message}",
            exc.filename or doc.source,
            exc.lineno,
            "jinja.syntax",
        ) from None
    except (jinja2.TemplateError, RecursionError, OverflowError, MemoryError) as exc:
        place = _template_frame(exc, {source_name} | {str(p) for p in reads})
        path, line = place if place else (source_name, None)
        raise PressroomError(_describe(exc), path, line, _kind(exc)) from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        place = _template_frame(exc, {source_name} | {str(p) for p in reads})
        path, line = place if place else (source_name, None)
        raise PressroomError(f"template error: {exc}", path, line, "jinja.runtime") from None
    if len(markdown) > MAX_OUTPUT:
        raise PressroomError("template output is too large", doc.source, None, "jinja.size")
    return Assembled(doc=doc, markdown=markdown, inputs=frozenset(reads))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        # "'pressroom.yamlio.LineDict object' has no attribute 'venue'" names our class, not
        # the user's data: say which key is missing instead.
        m = re.fullmatch(r"'[\w.]+ object' has no attribute '(.+)'", exc.message or "")
        return f"undefined: no key '{m.group(1)}' here" if m else f"undefined: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"include not found: {exc.message}"
    if isinstance(exc, RecursionError):
        return f"includes nest more than {MAX_INCLUDE_DEPTH} deep (circular include?)"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"not allowed in a template: {exc}"
    return f"template error: {exc}"


def _kind(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return "jinja.undefined"
    if isinstance(exc, jinja2.TemplateNotFound | RecursionError):
        return "jinja.include"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return "jinja.security"
    return "jinja.runtime"


class DataView(dict[str, Any]):
    """`data` as templates see it: records which data files a document actually reads, so
    editing timeline.yaml rebuilds only the documents that use data.timeline."""

    def __init__(self, data: dict[str, Any], paths: dict[str, Path], reads: set[Path]) -> None:
        super().__init__(data)
        self._paths = paths
        self._reads = reads

    def __getitem__(self, key: str) -> Any:
        if key in self._paths:
            self._reads.add(self._paths[key])
        return super().__getitem__(key)

    def _all(self) -> None:
        self._reads.update(self._paths.values())

    def __iter__(self) -> Any:
        self._all()
        return super().__iter__()

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()


def load_data(project: Project) -> tuple[dict[str, Any], dict[str, Path]]:
    """Every manuscript/data/*.yaml as `data.NAME`, and the file each name came from."""
    data_dir = project.manuscript / "data"
    data: dict[str, Any] = {}
    paths: dict[str, Path] = {}
    if data_dir.is_dir():
        for path in sorted(data_dir.glob("*.y*ml")):
            real = path.resolve()
            if not real.is_relative_to(project.root) or not real.is_file():
                raise PressroomError(
                    "data file points outside the project", path, None, "io.outside"
                )
            data[path.stem] = yamlio.load(path)
            paths[path.stem] = real
    return data, paths
