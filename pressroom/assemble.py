"""Stage `assemble`: run each Markdown source through sandboxed Jinja into plain Markdown, with
a source map of where every line came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import yamlio
from .config import Document, Project, folder_metadata
from .errors import PressroomError
from .model import Assembled
from .sourcemap import Marker, SourceMap
from .templating import Loader, compile_source, render, source_environment
from .verbatim import protect, restore


def assemble(
    doc: Document, project: Project, context: dict[str, Any], reads: set[Path]
) -> Assembled:
    """Render the document's Jinja with `context` (jinja_globals); `reads` collects every file
    the rendering reads (includes here; data and the library through the globals)."""
    source = doc.source.resolve()
    reads.add(source)
    if doc.parts:  # a folder document: every file, and the folder's metadata file if any
        own = folder_metadata(doc.source.parent)
        files = [path for path, _ in doc.parts] + ([own] if own else [])
        reads.update(path.resolve() for path in files)
    if doc.meta.get("templating") is False:  # plain pandoc Markdown, read as written
        parts = doc.parts or ((doc.source, doc.body),)
        markdown, source_map = SourceMap.joined(parts, doc.source)
        return Assembled(doc, markdown, source_map, frozenset(reads))
    marker = Marker()
    bodies = {path.resolve(): body for path, body in doc.parts}

    def mark(path: Path, text: str) -> str:  # code is not a template (verbatim.py)
        text = bodies.get(path, text)  # a folder document's file: its front matter blanked
        return marker.mark(path, protect(text, path))

    env = source_environment(Loader([project.manuscript], reads, mark))
    text = _joined(doc, project) if doc.parts else mark(source, doc.body)
    template = compile_source(env, text, doc.source)
    template.filename = str(source)
    template.name = doc.source.name
    marked = restore(render(template, context, doc.source))
    markdown, source_map = SourceMap.build(marked, marker.files, doc.source)
    return Assembled(doc=doc, markdown=markdown, source_map=source_map, inputs=frozenset(reads))


def _joined(doc: Document, project: Project) -> str:
    """A folder document as a template that includes its files in order, a blank line between
    them (as pandoc joins the files it is given): each file is then marked, rendered and its
    errors located as any include is."""
    names = (path.relative_to(project.manuscript).as_posix() for path, _ in doc.parts)
    return "\n\n".join("{% include " + json.dumps(name) + " %}" for name in names)


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
