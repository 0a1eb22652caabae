"""The project and its documents: metadata.yaml plus each source's front matter, validated once."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlio
from .depfile import now
from .errors import BuildWarning, PressroomError, PressroomErrors

PACKAGE = Path(__file__).resolve().parent  # the installed package: code, templates, filters

# A project is the folder holding manuscript/ (found from any folder inside it, as git does).
MARKER = "manuscript"
TOOLKIT_TEMPLATES = PACKAGE / "templates"  # the toolkit's own pages, stylesheets, reference.docx
FILTERS = PACKAGE / "filters"  # pandoc Lua filters
FORMATS = ("html", "docx", "pdf")
LAYOUTS = ("article", "handout")  # a document's `layout`

# Every metadata field, declared once: name -> (type, what it means). Front matter may set the
# same fields for one document, plus the DOCUMENT_FIELDS below. The keys pandoc, Quarto and R
# Markdown users write are fields too, with pandoc's meaning; `normalise` turns them into the
# normalised form every later stage reads (NORMALISED below), so pressroom's own names and
# pandoc's both work.
METADATA_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "Title of the paper; each document may override it in its front matter."),
    "subtitle": (str, "Subtitle, printed under the title."),
    "short-title": (str, "Short title for running heads; defaults to the title."),
    "lang": (str, "Language as a BCP 47 tag (en-US, en-GB, ja); drives hyphenation."),
    "authors": (
        (list, str),
        "Authors: each a name, or a mapping with name, affiliation (text or a list), email,"
        " orcid, corresponding.",
    ),
    "author": ((list, str), "pandoc's and Quarto's name for `authors`, in the same forms."),
    "affiliations": (
        list,
        "Affiliations by index, as JOSS writes them ([{name: ..., index: 1}]); an author's"
        " `affiliation: 1` or `\"1, 2\"` names them.",
    ),
    "institute": (
        list,
        "Affiliations by id, as pandoc-scholar writes them ([{id: {name: ...}}, {id: name}]);"
        " an author's `institute` names them.",
    ),
    "keywords": ((list, str), "Keywords (a list, or text separated by commas)."),
    "conference": (
        dict,
        "Conference: name, place, dates, start, end, session {title, date, time, timezone}.",
    ),
    "url": (str, "Web address of the paper's HTML version (handout link and QR code)."),
    "date": ((str, int), "Date printed in the title block (YYYY-MM-DD or free text)."),
    "abstract": (str, "Abstract, as Markdown (pandoc's `abstract`)."),
    "thanks": (str, "A note on the title (pandoc's `thanks`), as Markdown."),
    "limits": (
        dict,
        "Limits per document: {paper: {words, pages}, abstract: {words, characters}}.",
    ),
    "citation-style": (
        str,
        "CSL style name or references/styles/NAME.csl; default chicago-notes-bibliography.",
    ),
    "csl": (str, "pandoc's name for `citation-style`: a .csl file, relative to this file."),
    "bibliography": (
        (str, list),
        "Library file(s), relative to the file naming them; ~/ or an absolute path may name a"
        " library outside the project (default: every file in references/).",
    ),
    "link-citations": (bool, "Link each citation to its bibliography entry (default true)."),
    "acknowledgements": (str, "Acknowledgements (Markdown), removed in blind-review builds."),
    "blind": (bool, "Build a blind-review version: authors and self-citations removed."),
    "paper-size": (str, "Page size: a4 (default) or letter."),
    "papersize": (str, "pandoc's name for `paper-size` (a4, letter, a4paper, letterpaper)."),
    "number-sections": (bool, "Number level-1 and level-2 headings (default true)."),
    "toc": (bool, "A table of contents opening the text (pandoc's `toc`); default false."),
    "toc-depth": (int, "Heading levels in the contents, from the top level used (default 3)."),
    "toc-title": (str, "The contents' heading (default 'Contents')."),
    "fontsize": ((str, int, float), "Body type size: 11pt, 12pt (pandoc's `fontsize`)."),
    "linestretch": ((int, float, str), "Line spacing as a multiple: 1.5, 2 (pandoc's)."),
    "blind-mask": (
        dict,
        "Blind review: how self-citations read, {author: 'Author', title: '[title withheld"
        " for review]'}; a reference is a self-citation if an author's name matches a"
        " metadata author, it has `self-cite: true`, or an author lists its id in `self-cite`.",
    ),
}
DOCUMENT_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "formats": (list, "Which outputs to build: any of html, docx, pdf (default all three)."),
    "title-block": (bool, "Print the title block with authors (default true)."),
    "label": (str, "What this document is, printed above the title: Abstract, Source Appendix."),
    "layout": (
        str,
        "Print layout: 'article' (default) or 'handout' (one page, templates/handout.*);"
        " another tool's layout (Jekyll's `lesson`) is a warning, set as an article.",
    ),
    "templating": (
        bool,
        "Run Jinja over this document (default true); false reads it as plain pandoc Markdown.",
    ),
}
AUTHOR_FIELDS = {
    "name",
    "affiliation",
    "affiliations",
    "email",
    "orcid",
    "corresponding",
    "url",
    "self-cite",
    # pandoc-scholar's (scholarly-metadata) spellings
    "institute",
    "correspondence",
    "equal_contributor",
}
# What later stages read, whichever spelling the user wrote (`normalise`):
#   authors         [{name: str, affiliation: str ("; "-joined), affiliations: [str],
#                     email: str, orcid: str, corresponding: bool, self-cite: ...}]
#   citation-style  a style name or a .csl path (absolute when it came from `csl`)
#   paper-size      "a4" or "letter"
#   bibliography    [absolute path, ...] (relative paths resolved against the naming file)
#   keywords        [str]
#   date            str
#   abstract, thanks  Markdown text (str); toc bool; toc-depth int; toc-title str
#   fontsize        "11pt" (a number means points): the PDF's body type
#   linestretch     float: the PDF's leading is pressroom's (1.4) times this
#   link-citations  bool
# The pandoc spellings (`author`, `csl`, `papersize`) are removed once read.
NORMALISED = ("authors", "citation-style", "paper-size", "bibliography", "keywords", "date")
ALIASES = {"author": "authors", "csl": "citation-style", "papersize": "paper-size"}
DEFAULT_STYLE = "chicago-notes-bibliography"
# An opening '---' followed by a `key:` line: front matter, even if its closing line is missing
# (a '---' before plain text is a rule, and stays one).
_OPEN_FRONT = re.compile(r"\A---[ \t]*\r?\n[ \t]*[\w-]+[ \t]*:")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# A document name make can carry as a target (no spaces, no `$`, `;`, `%`, `(`...).
_DOCUMENT_NAME = re.compile(r"[\w.+,@^-]+")


@dataclass(frozen=True)
class Document:
    """One source under manuscript/ (paper.md -> paper), with its merged metadata."""

    name: str
    source: Path
    meta: dict[str, Any]
    body: str  # the source with its front matter blanked out, so line numbers stay true
    formats: tuple[str, ...]
    warnings: tuple[BuildWarning, ...] = ()  # its front matter's unknown keys


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

    def template(self, name: str) -> Path:
        """The project's own template file if it has one, else the toolkit's."""
        for d in self.template_dirs:
            if (d / name).is_file():
                return d / name
        raise PressroomError(
            f"template '{name}' not found", self.root / "templates", None, "config.template"
        )


Fields = dict[str, tuple[type | tuple[type, ...], str]]


def _hint(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return (
        f" (did you mean '{close[0]}'?)" if close else f"; valid keys: {', '.join(sorted(valid))}"
    )


def validate_meta(
    meta: dict[str, Any], path: Path, fields: Fields
) -> tuple[list[PressroomError], list[BuildWarning]]:
    """Check every field: (errors, warnings), all of them, not just the first. A key pressroom
    does not know is a warning (pandoc users carry keys for other tools), ignored."""
    problems: list[PressroomError] = []
    warnings: list[BuildWarning] = []
    lines = getattr(meta, "lines", {})
    for key, value in meta.items():
        line = lines.get(key)
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            msg = f"unknown metadata key '{key}', ignored{hint}"
            warnings.append(BuildWarning(msg, "config.unknown", path, line))
            continue
        kind, _doc = fields[key]
        if not isinstance(value, kind):
            kinds = (kind,) if isinstance(kind, type) else kind
            expect = {"str": "text", "list": "a list", "dict": "a mapping", "bool": "true or false"}
            expect |= {"int": "a whole number", "float": "a number"}
            want = " or ".join(dict.fromkeys(expect.get(k.__name__, k.__name__) for k in kinds))
            msg = f"'{key}' must be {want}"
            problems.append(PressroomError(msg, path, line, "config.type"))
    if "author" in meta and "authors" in meta:
        msg = "'author' and 'authors' name the same thing: keep one"
        problems.append(PressroomError(msg, path, line_of(meta, "author"), "config.value"))
    for key in ("author", "authors"):
        if isinstance(meta.get(key), list | str):
            problems += _check_authors(meta, key, path, warnings)
    formats = meta.get("formats")  # a field of the wrong type was reported above
    for fmt in formats if isinstance(formats, list) else []:
        if fmt not in FORMATS:
            msg = f"unknown format '{fmt}'; formats are {', '.join(FORMATS)}"
            problems.append(PressroomError(msg, path, line_of(meta, "formats"), "config.value"))
    for key in ("paper-size", "papersize"):
        size = meta.get(key)
        if isinstance(size, str) and _paper(size) is None:
            msg = f"{key} must be a4 or letter, not '{size}'"
            problems.append(PressroomError(msg, path, line_of(meta, key), "config.value"))
    if "layout" in fields and foreign_layout(meta):
        # Another tool's layout (Jekyll's `layout: lesson`, `layout: post`): the manuscript is
        # set as an article; a pressroom user's typo is caught by --strict, like an unknown key.
        msg = (
            f"layout '{meta['layout']}' is not a pressroom layout ({', '.join(LAYOUTS)}): "
            "ignored, set as an article"
        )
        warnings.append(BuildWarning(msg, "config.unknown", path, line_of(meta, "layout")))
    return problems, warnings


def foreign_layout(meta: dict[str, Any]) -> bool:
    """Whether `layout` is text that names no pressroom layout (another tool's, as Jekyll's)."""
    layout = meta.get("layout")
    return isinstance(layout, str) and layout not in LAYOUTS


def _check_authors(
    meta: dict[str, Any], key: str, path: Path, warnings: list[BuildWarning]
) -> list[PressroomError]:
    """Each author is a name or a mapping with a name; unknown author keys are warnings."""
    problems: list[PressroomError] = []
    value = meta[key]
    for i, author in enumerate([value] if isinstance(value, str) else value):
        aline = getattr(author, "line", line_of(meta, key))
        if isinstance(author, str) and author.strip():
            continue
        author = _named(author)
        if not isinstance(author, dict) or not _author_name(author.get("name")):
            msg = f"author {i + 1} needs a 'name'"
            problems.append(PressroomError(msg, path, aline, "config.type"))
            continue
        for k in author:
            if k not in AUTHOR_FIELDS:
                msg = f"unknown author key '{k}', ignored{_hint(k, sorted(AUTHOR_FIELDS))}"
                kline = getattr(author, "lines", {}).get(k, aline)
                warnings.append(BuildWarning(msg, "config.unknown", path, kline))
    return problems


def _author_name(name: Any) -> str:
    """An author's name: text, or Quarto's {given, family} / {literal} mapping."""
    if isinstance(name, str):
        return name.strip()
    if isinstance(name, dict):
        if isinstance(name.get("literal"), str):
            return str(name["literal"]).strip()
        return " ".join(str(name[k]) for k in ("given", "family") if name.get(k)).strip()
    return ""


def _named(author: Any) -> Any:
    """pandoc-scholar's `- Jane Doe: {institute: x, email: ...}` as `{name: Jane Doe, ...}`."""
    if isinstance(author, dict) and "name" not in author and len(author) == 1:
        (name, fields), = author.items()
        if fields is None or isinstance(fields, dict):
            named = yamlio.LineDict({"name": name, **(fields or {})})
            named.lines = dict(getattr(fields, "lines", {}))
            named.line = getattr(author, "line", 0)
            return named
    return author


def _paper(size: str) -> str | None:
    """a4 or letter from what pandoc's and LaTeX's users write (A4, a4paper, us-letter)."""
    s = size.lower().strip().removesuffix("paper").replace("us-", "").replace("us", "")
    return s if s in ("a4", "letter") else None


def normalise(meta: dict[str, Any], path: Path, root: Path) -> yamlio.LineDict:
    """Validated metadata (from `path`) in the normalised form (NORMALISED above): pandoc's
    spellings read as pressroom's own, relative paths resolved against `path`'s folder."""
    lines = dict(getattr(meta, "lines", {}))
    out = yamlio.LineDict()
    for key, value in meta.items():
        name = ALIASES.get(key, key)
        out[name] = value
        if key in lines:
            lines[name] = lines[key]
    out.lines = lines
    if foreign_layout(out):  # validate_meta warned; later stages see the default
        del out["layout"]
    if "authors" in out:
        institutes = _institutes(out.pop("institute", None), out.pop("affiliations", None))
        out["authors"] = [_author(a, institutes) for a in _as_list(out["authors"])]
    if isinstance(out.get("keywords"), str):
        out["keywords"] = [k.strip() for k in out["keywords"].split(",") if k.strip()]
    if "date" in out:
        out["date"] = str(out["date"])
    if isinstance(out.get("paper-size"), str):
        out["paper-size"] = _paper(out["paper-size"])
    if "csl" in meta:  # a file, relative to the file naming it; else a style name
        given = Path(str(meta["csl"])).expanduser()
        candidate = given if given.is_absolute() else path.parent / given
        out["citation-style"] = str(candidate) if candidate.is_file() else str(meta["csl"])
    if "bibliography" in out:
        line = lines.get("bibliography")
        out["bibliography"] = [
            str(_library_path(str(b), path, line, root)) for b in _as_list(out["bibliography"])
        ]
    if "fontsize" in out:
        size = str(out["fontsize"]).strip()
        out["fontsize"] = f"{size}pt" if re.fullmatch(r"\d+(\.\d+)?", size) else size
        if not re.fullmatch(r"\d+(\.\d+)?(pt|px|mm)", out["fontsize"]):
            msg = f"fontsize must be a size like 11pt, not '{size}'"
            raise PressroomError(msg, path, lines.get("fontsize"), "config.value")
    if "linestretch" in out:
        try:
            out["linestretch"] = float(out["linestretch"])
        except ValueError:
            msg = f"linestretch must be a number like 1.5, not '{out['linestretch']}'"
            raise PressroomError(msg, path, lines.get("linestretch"), "config.value") from None
    return out


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _institutes(scholar: Any, joss: Any) -> dict[str, str]:
    """Affiliations named by id elsewhere, as id -> name: pandoc-scholar's `institute`
    ([{id: {name: ...}} or {id: name}]) and JOSS's `affiliations` ([{name: ..., index: 1}])."""
    found: dict[str, str] = {}
    for item in joss if isinstance(joss, list) else []:
        if isinstance(item, dict) and "index" in item and item.get("name"):
            found[str(item["index"])] = str(item["name"])
    for item in scholar if isinstance(scholar, list) else []:
        for ident, spec in item.items() if isinstance(item, dict) else []:
            name = spec.get("name") if isinstance(spec, dict) else spec
            found[str(ident)] = str(name if name is not None else ident)
    return found


def _author(author: Any, institutes: dict[str, str]) -> dict[str, Any]:
    """One author in the normalised form: name, affiliation as text and as a list."""
    if isinstance(author, str):
        return {"name": author.strip(), "affiliation": "", "affiliations": []}
    author = _named(author)
    out = dict(author)
    out["name"] = _author_name(author.get("name"))
    given = author.get("affiliations", author.get("affiliation"))
    if given is None and "institute" in author:
        given = [institutes.get(str(i), str(i)) for i in _as_list(author["institute"])]
    elif isinstance(given, int | str) and institutes:  # JOSS: `affiliation: "1, 2"`
        refs = [r.strip() for r in str(given).split(",")]
        if all(r in institutes for r in refs):
            given = [institutes[r] for r in refs]
    names = [
        str(a.get("name") or "") if isinstance(a, dict) else str(a)
        for a in _as_list(given)
        if a is not None
    ]
    out["affiliations"] = [n for n in names if n]
    out["affiliation"] = "; ".join(out["affiliations"])
    if "corresponding" in out or "correspondence" in out:
        flag = out.pop("correspondence", out.get("corresponding"))
        out["corresponding"] = flag is True or str(flag).lower() in ("yes", "true")
    return out


def _library_path(given: str, named_in: Path, line: int | None, root: Path) -> Path:
    """A `bibliography` entry as a real path. Relative paths stay inside the project (no
    `../` or symlink out); a library outside it must be named as `~/...` or an absolute path,
    the user's explicit choice (README: Security)."""
    raw = Path(given).expanduser()
    explicit = raw.is_absolute()
    path = raw if explicit else named_in.parent / raw
    if not path.is_file():
        msg = f"bibliography file '{given}' not found"
        raise PressroomError(msg, named_in, line, "io.missing")
    real = path.resolve()
    if not explicit and not real.is_relative_to(root):
        msg = (
            f"bibliography '{given}' lies outside the project; copy it in, or name it by an "
            "absolute path or ~/... to read it where it is"
        )
        raise PressroomError(msg, named_in, line, "io.outside")
    return real


def line_of(meta: dict[str, Any], key: str) -> int | None:
    return getattr(meta, "lines", {}).get(key)


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
    data = yamlio.loads(m.group(1), path, line_offset=1) if m.group(1).strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PressroomError("front matter must be a mapping", path, 2, "config.type")
    blank = "\n" * m.group(0).count("\n")
    return data, blank + text[m.end() :]


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
    for p in manuscript.glob("*.md"):
        inside(p, root)
    names = sorted(p.stem for p in manuscript.glob("*.md") if p.is_file())
    document_names(manuscript, names)
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
    files: list[Path] = [Path(p) for p in metadata.get("bibliography") or []]
    style: str | None = None
    origin: tuple[Path, int | None] = (metadata_path, None)
    for name in names:
        source = root / "manuscript" / f"{name}.md"
        try:
            front, _ = split_front_matter(yamlio.read_text(source), source)
            front = normalise(front, source, root) if _library_keys(front) else {}
        except PressroomError:
            continue  # reported when the document itself is read
        files += [Path(p) for p in front.get("bibliography") or []]
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
    return _LibrarySettings(tuple(dict.fromkeys(files)), str(style or DEFAULT_STYLE), origin)


def _library_keys(front: dict[str, Any]) -> bool:
    """Whether front matter names a library or a style, in a form `normalise` can read."""
    return isinstance(front.get("bibliography"), str | list) or any(
        isinstance(front.get(k), str) for k in ("csl", "citation-style")
    )


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
    return yamlio.loads(text, path) or {}


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
    """Read one source: its front matter, normalised, merged over the project metadata."""
    source = project.manuscript / f"{name}.md"
    text = yamlio.read_text(source)
    front, body = split_front_matter(text, source)
    problems, warnings = validate_meta(front, source, {**METADATA_FIELDS, **DOCUMENT_FIELDS})
    if problems:
        raise PressroomErrors(problems)
    front = normalise(front, source, project.root)
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
