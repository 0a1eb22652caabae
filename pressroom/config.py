"""The project and its documents: metadata.yaml plus each source's front matter, validated once."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import jekyll, yamlio
from .depfile import now
from .errors import BuildWarning, PressroomError, PressroomErrors
from .fields import (
    DOCUMENT_FIELDS,
    FORMATS,
    METADATA_FIELDS,
    NAMED_BIBLIOGRAPHY,
    foreign_layout,
    line_of,
    validate_meta,
)
from .normalise import DEFAULT_STYLE, normalise

PACKAGE = Path(__file__).resolve().parent  # the installed package: code, templates, filters

# A project is the folder holding manuscript/ (found from any folder inside it, as git does).
MARKER = "manuscript"
TOOLKIT_TEMPLATES = PACKAGE / "templates"  # the toolkit's own pages, stylesheets, reference.docx
FILTERS = PACKAGE / "filters"  # pandoc Lua filters

# An opening '---' followed by a `key:` line: front matter, even if its closing line is missing
# (a '---' before plain text is a rule, and stays one).
# pandoc's default --tab-stop.
PANDOC_TAB_STOP = 4
_OPEN_FRONT = re.compile(r"\A---[ \t]*\r?\n[ \t]*[\w-]+[ \t]*:")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# A document name make can carry as a target (no spaces, no `$`, `;`, `%`, `(`...).
_DOCUMENT_NAME = re.compile(r"[\w.+,@^-]+")
# Folders under manuscript/ that are never a document of their own: Jinja includes, data.
_NOT_DOCUMENTS = frozenset({"partials", "data"})


@dataclass(frozen=True)
class Document:
    """One source under manuscript/ (paper.md -> paper), or one folder of them (thesis/*.md ->
    thesis, its files joined in name order as `pandoc thesis/*.md` joins them), with its merged
    metadata."""

    name: str
    source: Path  # the (first) file: where a problem no line can be found for is reported
    meta: dict[str, Any]
    body: str  # the source with its front matter blanked out, so line numbers stay true
    formats: tuple[str, ...]
    warnings: tuple[BuildWarning, ...] = ()  # its front matter's unknown keys
    # A folder document's files and each one's body (front matter blanked), in order; empty
    # for a document of one file.
    parts: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class Project:
    """A project directory with the standard layout (manuscript/, references/, templates/)."""

    root: Path
    build_dir: Path
    metadata: dict[str, Any]
    metadata_path: Path
    template_dirs: tuple[Path, ...]
    reference_files: tuple[Path, ...]
    style: str
    documents: tuple[str, ...]
    strict: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[BuildWarning, ...] = ()  # metadata.yaml's unknown keys
    style_origin: tuple[Path, int | None] | None = None  # where the style was named
    # When reading began (depfile.now()); an input saved after it may differ from what was read
    # (0: unknown, nothing is checked).
    started: int = 0

    @property
    def default_build_dir(self) -> bool:
        """Whether outputs go to the project's own build/ (not an --output-dir)."""
        return self.build_dir == self.root / "build"

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    def output(self, name: str, fmt: str) -> Path:
        """Where document `name`'s output in format `fmt` is written: build/NAME.FMT."""
        return self.build_dir / f"{name}.{fmt}"

    def sources(self, name: str) -> tuple[Path, ...]:
        """The files document `name` is read from: manuscript/NAME.md, or the `.md` files of
        the folder manuscript/NAME/ in name order."""
        return document_sources(self.manuscript, name)

    def template(self, name: str) -> Path:
        """The project's own template file if it has one, else the toolkit's."""
        for d in self.template_dirs:
            if (d / name).is_file():
                return d / name
        raise PressroomError(
            f"template '{name}' not found", self.root / "templates", None, "config.template"
        )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """Return (front matter, body with the front matter replaced by blank lines)."""
    m = _FRONT.match(text)
    if not m:
        if _OPEN_FRONT.match(text):
            raise PressroomError(
                "front matter is never closed: end it with a line '---'",
                path,
                1,
                "yaml.front",
            )
        return {}, text
    # pandoc expands tabs to its tab stop (4) before it reads anything, front matter too, so
    # a title block indented by a tab is YAML to pandoc; YAML itself refuses tab indents.
    block = m.group(1).expandtabs(PANDOC_TAB_STOP)
    data = yamlio.loads(block, path, line_offset=1) if block.strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PressroomError("front matter must be a mapping", path, 2, "config.type")
    blank = "\n" * m.group(0).count("\n")
    return without_empty(data), blank + text[m.end() :]


def without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Metadata without its keys left empty (`fontsize:` with nothing after it, as pandoc
    templates list every variable they read): pandoc reads one as the empty text its
    templates treat as unset, so none sets, or is checked as, anything."""
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    return data


def load_project(
    root: Path,
    strict: bool = False,
    overrides: dict[str, Any] | None = None,
    build_dir: Path | None = None,
) -> Project:
    """Read metadata.yaml and find the documents, references and style; outputs go to
    `build_dir` (--output-dir), by default the project's build/."""
    started = now()
    root = root.resolve()
    manuscript = root / "manuscript"
    metadata_path = manuscript / "metadata.yaml"
    if not metadata_path.is_file() and (manuscript / "metadata.yml").is_file():
        metadata_path = manuscript / "metadata.yml"  # pandoc users' usual spelling
    if not manuscript.is_dir():
        raise PressroomError(
            "no manuscript/ folder here or in any folder above; start a project with "
            "'pressroom new DIR'",
            root,
        )
    if metadata_path.is_file():
        inside(metadata_path, root)
        metadata = _metadata_file(metadata_path)
        if not isinstance(metadata, dict):
            raise PressroomError("metadata must be a mapping", metadata_path, 1, "config.type")
    else:
        metadata = {}
    metadata = _apply_overrides(metadata, overrides or {})
    problems, warnings = validate_meta(metadata, metadata_path, METADATA_FIELDS)
    if problems:
        raise PressroomErrors(problems)
    metadata = normalise(metadata, metadata_path, root)
    names = _document_names(manuscript, root)
    # The paper first: other documents (the appendix) read where it cites each source.
    names.sort(key=lambda n: (n != "paper", n))
    settings = _library_settings(root, metadata, metadata_path, names)
    template_dirs = tuple(d for d in (root / "templates", TOOLKIT_TEMPLATES) if d.is_dir())
    return Project(
        root=root,
        build_dir=build_dir.resolve() if build_dir is not None else root / "build",
        metadata=metadata,
        metadata_path=metadata_path,
        template_dirs=template_dirs,
        reference_files=settings.files,
        style=settings.style,
        documents=tuple(names),
        strict=strict,
        overrides=overrides or {},
        warnings=tuple(warnings),
        style_origin=settings.style_origin,
        started=started,
    )


def document_sources(manuscript: Path, name: str) -> tuple[Path, ...]:
    """The files of document `name` (Project.sources)."""
    single = manuscript / f"{name}.md"
    if single.is_file() or not (manuscript / name).is_dir():
        return (single,)
    return tuple(sorted((p for p in (manuscript / name).glob("*.md") if p.is_file()), key=_order))


def folder_metadata(folder: Path) -> Path | None:
    """A folder document's own metadata file (`metadata.yaml` or pandoc users' `metadata.yml`
    beside its chapters, as the pandoc command line of such a thesis names it): read before
    the chapters' front matter, which overrides it."""
    for name in ("metadata.yaml", "metadata.yml"):
        if (folder / name).is_file():
            return inside(folder / name, folder.parent.parent)
    return None


def _order(path: Path) -> tuple[str, str]:
    """Name order, as a shell sorts `src/*.md` (case folded first, then as written)."""
    return (path.name.casefold(), path.name)


def _document_names(manuscript: Path, root: Path) -> list[str]:
    """Every document under manuscript/: each `NAME.md`, and each folder holding `.md` files
    (not partials/, data/ or a folder whose name starts with `_` or `.`: those hold what
    documents include). A file and a folder of the same name is an error."""
    for p in manuscript.glob("*.md"):
        inside(p, root)
    names = sorted(p.stem for p in manuscript.glob("*.md") if p.is_file())
    for folder in sorted(manuscript.iterdir()):
        if (
            not folder.is_dir()
            or folder.name in _NOT_DOCUMENTS
            or folder.name.startswith(("_", "."))
            or not any(folder.glob("*.md"))
        ):
            continue
        inside(folder, root)
        for p in folder.glob("*.md"):
            inside(p, root)
        if folder.name in names:
            raise PressroomError(
                f"both {folder.name}.md and the folder {folder.name}/ would be the document "
                f"'{folder.name}'; rename one",
                folder,
                None,
                "config.name",
            )
        names.append(folder.name)
    if not names:
        raise _no_documents(manuscript)
    document_names(manuscript, names)
    return sorted(names)


# Other tools' Markdown, which pandoc reads as it reads `.md` (Quarto's and R Markdown's code
# cells are then code, not run).
_OTHER_MARKDOWN = (".qmd", ".rmd", ".markdown", ".mdown", ".mkd", ".txt")


def _no_documents(manuscript: Path) -> PressroomError:
    """The error for a manuscript/ with no document: a build would otherwise report that
    everything is up to date and make nothing. Names a Quarto or R Markdown file left there."""
    other = sorted(
        p for p in manuscript.iterdir() if p.is_file() and p.suffix.lower() in _OTHER_MARKDOWN
    )
    if other:
        first = other[0]
        return PressroomError(
            f"only '.md' files are documents: rename it {first.stem}.md (or paper.md), and "
            "pandoc's Markdown in it is read as it is; code cells are shown, not run",
            first,
            None,
            "config.no-documents",
        )
    return PressroomError(
        "no document: every manuscript/NAME.md (or folder of .md chapters) is one",
        manuscript,
        None,
        "config.no-documents",
    )


def document_names(manuscript: Path, names: list[str]) -> None:
    """Refuse a document name that make cannot carry as a file name: each becomes a target in
    build/.deps/outputs.mk (`$(shell ...)` there would run, a space or `;` would split it)."""
    for name in names:
        if not _DOCUMENT_NAME.fullmatch(name):
            raise PressroomError(
                "make cannot use this file name for a document's outputs; rename it with "
                "letters, digits, '-', '_' and '.' only",
                manuscript / f"{name}.md",
                None,
                "config.name",
            )


@dataclass(frozen=True)
class _LibrarySettings:
    files: tuple[Path, ...]
    style: str
    style_origin: tuple[Path, int | None]


def _library_settings(
    root: Path, metadata: dict[str, Any], metadata_path: Path, names: list[str]
) -> _LibrarySettings:
    """The library files and the citation style the whole project shares. A pandoc user names
    them in a document's front matter (`bibliography`, `csl`): the files metadata.yaml and
    every document name are read together; the style is the first document's that names one
    (the paper first; front matter overrides metadata, as for every field), else
    metadata.yaml's. Named nowhere: every library file in references/, the default style."""
    files: list[Path] = [Path(p) for k in _library_file_keys(metadata) for p in metadata[k] or []]
    # pandoc's `references:` (items in the metadata itself): read with the files, as pandoc
    # reads them beside its bibliography.
    inline = [metadata_path] if isinstance(metadata.get("references"), list) else []
    style: str | None = None
    origin: tuple[Path, int | None] = (metadata_path, None)
    for source in (s for name in names for s in _metadata_sources(root / "manuscript", name)):
        try:
            if source.stem == "metadata":  # a folder document's own metadata file
                front = _metadata_file(source)
                front = front if isinstance(front, dict) else {}
            else:
                front, _ = split_front_matter(yamlio.read_text(source), source)
        except PressroomError:
            continue  # reported when the document itself is read
        if isinstance(front.get("references"), list):
            inline.append(source)
        front = normalise(front, source, root) if _library_keys(front) else {}
        files += [Path(p) for k in _library_file_keys(front) for p in front[k] or []]
        if style is None and isinstance(front.get("citation-style"), str):
            style, origin = front["citation-style"], (source, line_of(front, "citation-style"))
    if style is None and isinstance(metadata.get("citation-style"), str):
        style = metadata["citation-style"]
        origin = (metadata_path, line_of(metadata, "citation-style"))
    if not files:
        refdir = root / "references"
        files = sorted(
            p
            for p in (refdir.glob("*") if refdir.is_dir() else [])
            if p.suffix.lower() in (".yaml", ".yml", ".json", ".bib") and p.is_file()
        )
        for p in files:
            inside(p, root)
    files += inline
    return _LibrarySettings(tuple(dict.fromkeys(files)), str(style or DEFAULT_STYLE), origin)


def _metadata_sources(manuscript: Path, name: str) -> list[Path]:
    """The files that may set document `name`'s metadata, in the order they are read."""
    sources = document_sources(manuscript, name)
    own = folder_metadata(manuscript / name) if sources[0].parent != manuscript else None
    return ([own] if own else []) + list(sources)


def _library_keys(front: dict[str, Any]) -> bool:
    """Whether front matter names a library or a style, in a form `normalise` can read."""
    return any(isinstance(front[k], str | list) for k in _library_file_keys(front)) or any(
        isinstance(front.get(k), str) for k in ("csl", "citation-style")
    )


def _library_file_keys(meta: dict[str, Any]) -> list[str]:
    """The keys that name library files: `bibliography`, and `bibliography_NAME` for each of
    several bibliographies (bibliographies.py)."""
    return [k for k in meta if k == "bibliography" or NAMED_BIBLIOGRAPHY.fullmatch(k)]


def find_root(start: Path) -> Path:
    """The project `start` lies in: the nearest folder, `start` or above, that has a
    manuscript/ folder; `start` itself if none has (load_project then says so)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_dir():
            return folder
    return start


def inside(path: Path, root: Path) -> Path:
    """`path`, if its real path lies in the project: a symlink out of it is refused, so that
    nothing outside the project is read into an output (issue 6)."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise PressroomError(
            "links to a file outside the project; copy the file in instead",
            path,
            None,
            "io.outside",
        )
    return real


def _metadata_file(path: Path) -> Any:
    """metadata.yaml; a pandoc metadata file between `---` and `---` or `...` reads the same."""
    text = yamlio.read_text(path)
    if _FRONT.match(text):
        front, rest = split_front_matter(text, path)
        if not rest.strip():
            return front
    data = yamlio.loads(text, path) or {}
    return without_empty(data) if isinstance(data, dict) else data


def _apply_overrides(metadata: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    if not overrides:
        return metadata
    merged = yamlio.LineDict(metadata)
    merged.lines = dict(getattr(metadata, "lines", {}))  # keep the lines of the file's keys
    merged.update(overrides)
    if "paper-size" in overrides:
        merged.pop("papersize", None)  # --paper overrides pandoc's spelling too
    return merged


def load_document(project: Project, name: str) -> Document:
    """Read one source: its front matter, normalised, merged over the project metadata. A
    folder document's files each have their own; as pandoc merges the metadata blocks of the
    files it joins, a key set in several takes the value of the last file that sets it."""
    sources = project.sources(name)
    if sources[0].parent != project.manuscript:
        return _load_parts(project, name, sources)
    source = sources[0]
    text = yamlio.read_text(source)
    front, body = split_front_matter(text, source)
    problems, warnings = validate_meta(front, source, {**METADATA_FIELDS, **DOCUMENT_FIELDS})
    if problems:
        raise PressroomErrors(problems)
    return _document(project, name, source, front, body, warnings)


def _load_parts(project: Project, name: str, sources: tuple[Path, ...]) -> Document:
    """A folder document: each file's front matter validated where it is (its problems at
    its own lines), then merged in file order (relative paths in it are read from the folder
    all the files share)."""
    fields = {**METADATA_FIELDS, **DOCUMENT_FIELDS}
    merged = yamlio.LineDict()
    merged.lines = {}
    problems: list[PressroomError] = []
    warnings: list[BuildWarning] = []
    parts: list[tuple[Path, str]] = []
    own = folder_metadata(sources[0].parent)
    for source in ([own] if own else []) + list(sources):
        if source == own:
            front, body = _metadata_file(source), None
            if not isinstance(front, dict):
                raise PressroomError("metadata must be a mapping", source, 1, "config.type")
        else:
            front, body = split_front_matter(yamlio.read_text(source), source)
        found, warned = validate_meta(front, source, fields)
        problems += found
        warnings += warned
        merged.update(front)
        merged.lines.update(getattr(front, "lines", {}))
        if body is not None:
            parts.append((source, body))
    if problems:
        raise PressroomErrors(problems)
    doc = _document(project, name, sources[0], merged, "\n\n".join(b for _, b in parts), warnings)
    return dataclasses.replace(doc, parts=tuple(parts))


def _document(
    project: Project,
    name: str,
    source: Path,
    front: dict[str, Any],
    body: str,
    warnings: list[BuildWarning],
) -> Document:
    """The document from its front matter (validated, not yet normalised) and body."""
    page = foreign_layout(front)  # another tool's layout: a Jekyll page (jekyll.py)
    if page:  # the site's own keys, in one warning rather than one each
        fields = {**METADATA_FIELDS, **DOCUMENT_FIELDS}
        warnings = [w for w in warnings if w.kind != "config.unknown"]
        warnings.append(jekyll.page_warning(front, [k for k in front if k not in fields], source))
    front = normalise(front, source, project.root)
    if page:
        additions, body, liquid = jekyll.adapt(front, body, source)
        front.update(additions)
        warnings += liquid
    meta = yamlio.LineDict({**project.metadata, **front, **project.overrides})
    meta.lines = {}
    formats = tuple(front.get("formats") or FORMATS)
    return Document(
        name=name,
        source=source,
        meta=meta,
        body=body,
        formats=formats,
        warnings=tuple(warnings),
    )
