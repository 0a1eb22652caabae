"""Stage `cite`: pandoc reads the Markdown once, runs citeproc, and hands back its AST."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from . import bibliographies, cite_incremental, cite_reading, pandoc, quarto, quotes, tree
from .cache import cache_path, digest, library_file, meta_file
from .config import FILTERS, Document, Project, folder_metadata
from .errors import BuildWarning, PressroomError, PressroomErrors
from .model import Assembled, Cited
from .references import Library
from .write import write_if_changed

CROSSREF = FILTERS / "crossref.lua"
RAWTEX = FILTERS / "rawtex.lua"
READER = "markdown-raw_attribute"  # a raw-format block could smuggle markup past every check


def cite(assembled: Assembled, project: Project, library: Library, style: Path) -> Cited:
    """Markdown -> pandoc AST with notes and bibliography formatted by citeproc."""
    doc = assembled.doc
    # `citations: false` (a Jekyll page's default): `@name` is text, as kramdown reads it.
    reader = READER + ("-citations" if doc.meta.get("citations") is False else "")
    meta = {
        "lang": str(doc.meta.get("lang") or "en-US"),
        "link-citations": doc.meta.get("link-citations", True) is not False,
    }
    if doc.meta.get("number-sections") is False:
        meta["number-sections"] = False
    # citeproc's own settings, as pandoc reads them from a paper's metadata.
    for key in (
        "nocite",
        "notes-after-punctuation",
        "reference-section-title",
        "suppress-bibliography",
    ):
        if key in doc.meta:
            meta[key] = doc.meta[key]
    markdown = raw_tex_attributes(_citation_types(assembled.markdown, library.ids))
    args = ["-f", reader, "-t", "json", *_filters(markdown, meta)]
    args += ["--metadata-file", str(meta_file(project, doc.name, meta))]
    if library.items:
        args += _citeproc(
            markdown, meta, pandoc.citeproc_args(style, library_file(project, library))
        )
    # watch: an edit inside one paragraph is read alone, citeproc's output reused (its module).
    settings = cite_incremental.settings_digest(args) if cite_incremental.enabled() else ""
    key = digest(markdown.encode("utf-8"), settings.encode()) if settings else ""
    again = cite_incremental.again(doc.source, settings, key, markdown, args) if key else None
    try:
        out, stderr = b"", ""
        if again is None:
            out, stderr = _run_cached(project, doc.name, args, markdown.encode("utf-8"), doc.source)
    except pandoc.PandocFailed as exc:
        m = re.search(r"line (\d+)", exc.stderr)
        path, line = assembled.source_map.origin(int(m.group(1)) if m else None)
        raise PressroomError(
            f"pandoc could not read the document: {exc.stderr.strip()}", path, line, "pandoc.reader"
        ) from None
    try:
        ast = again if again is not None else json.loads(out)
        if again is None:  # (a paragraph cited alone keeps the last cite's lists)
            bibliographies.split(ast, bibliographies.named(doc.meta), library.places)
            quarto.keep_bibliography(ast["blocks"])
        # (the paragraphs an incremental cite reuses had the bibliography and quotes fixed)
        notes_only = library.notes_only if again is None else None
        reading = cite_reading.read(ast, notes_only, quotes.american(str(meta["lang"])))
        # The later stages serialise it again: fail here, at the document.
        data = pandoc.to_json(ast)
    except RecursionError:
        # 5,000 nested <div>s: pandoc reads them, Python's JSON and tree walks cannot.
        raise PressroomError(
            "the document nests too deeply (divs, lists or quotes inside each other)",
            doc.source,
            None,
            "limit.depth",
        ) from None
    keys = reading.keys
    _check_keys(assembled, project, library, reading)
    _check_notes(assembled, reading.undefined_note)
    raw_tex = reading.raw_tex if not reading.dropped else _raw_tex_spans(ast)
    warned = pandoc_warnings(assembled, stderr)
    if key:
        cite_incremental.remember(doc.source, settings, key, markdown, data, not warned)
    return Cited(
        doc=doc,
        ast=ast,
        source_map=assembled.source_map,
        citations=tuple(reading.citations),
        # A document that cites nothing does not depend on the library or the style.
        inputs=assembled.inputs | (set(library.files) | {style} if keys else set()),
        notes=reading.notes,
        keys=frozenset(keys),
        warnings=(
            *doc.warnings,
            *warned,
            *raw_tex_warnings(assembled, raw_tex),
            *jinja_comments(assembled),
        ),
        origin=key,
    )


def _filters(markdown: str, meta: dict[str, Any]) -> list[str]:
    """The Lua filters of the cite step. rawtex.lua acts on raw LaTeX only, which pandoc reads
    only where a backslash stands (in the text, or in the metadata it is given, which it reads
    as Markdown too): without one, its walk of every inline is not made (0.7 s of CPU at 300
    pages)."""
    tex = "\\" in markdown or "\\" in json.dumps(meta, ensure_ascii=False)
    return [*(["--lua-filter", str(RAWTEX)] if tex else []), "--lua-filter", str(CROSSREF)]


def _citeproc(markdown: str, meta: dict[str, Any], args: list[str]) -> list[str]:
    """citeproc's arguments; without --citeproc itself for a document with no '@' (in its text,
    or in the metadata it is given: `nocite`), which cites nothing: citeproc would leave it as
    it is, after 0.08 s of reading the style (the abstract, a handout). The style and library
    stay in its metadata, as citeproc leaves them."""
    if "@" in markdown or "@" in json.dumps(meta, ensure_ascii=False):
        return args
    return [a for a in args if a != "--citeproc"]


# Citation typing as pandoc-scholar writes it (`@method:smith2020`): the CiTO property names and
# their short forms. The property says why a source is cited; the citation is the same.
_CITO = frozenset(
    """agrees_with cites cites_as_authority cites_as_data_source cites_as_evidence
    cites_as_metadata_document cites_as_potential_solution cites_as_recommended_reading
    cites_as_related cites_as_source_document cites_for_information compiles confirms
    contains_assertion_from corrects credits critiques derides describes disagrees_with
    discusses disputes documents extends includes_excerpt_from includes_quotation_from
    obtains_background_from obtains_support_from parodies plagiarizes qualifies refutes
    replies_to retracts reviews ridicules speculates_on supports updates
    uses_conclusions_from uses_data_from uses_method_in
    authority background data evidence method method_in recommended related solution
    source support""".split()  # noqa: SIM905 (a list of words reads best as words)
)
_TYPED = re.compile(r"(?<![\w@\\])@([a-z_]+):([\w][\w:.#$%&+?<>~/-]*)")


def _citation_types(markdown: str, ids: frozenset[str]) -> str:
    """`@method:smith2020` read as `@smith2020` when the library has smith2020 (and no id
    'method:smith2020'); the line count does not change, so the source map holds."""

    def plain(m: re.Match[str]) -> str:
        key = m.group(2).rstrip(".:#$%&+?<>~/-")
        typed = f"{m.group(1)}:{key}"
        if m.group(1) in _CITO and key in ids and typed not in ids:
            return "@" + m.group(2)
        return m.group(0)

    return _TYPED.sub(plain, markdown) if "@" in markdown else markdown


# pandoc's raw LaTeX written with a raw attribute, as manuscripts made for LaTeX set a page break
# or a length: a fence ```{=latex} (or {=tex}) and `\x`{=latex}. The reader leaves raw
# attributes off (a raw HTML block would pass every check unseen), and would print these as
# "{=latex} \clearpage"; as a class instead, rawtex.lua reads them as the raw LaTeX they are.
_RAW_TEX_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[ \t]*\{=(?:la)?tex\}[ \t]*$")
_RAW_TEX_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^`\n]+?)(?<!`)\1\{=(?:la)?tex\}")
_ANY_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def raw_tex_attributes(markdown: str) -> str:
    """`markdown` with each raw LaTeX attribute outside code made the class `raw-tex`; the same
    lines, so the source map holds."""
    if "{=" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence = ""  # the fence of the code block the line is in
    for n, line in enumerate(lines):
        if fence:
            closing = line.strip()
            if closing and closing.strip(fence[0]) == "" and len(closing) >= len(fence):
                fence = ""
            continue
        raw = _RAW_TEX_FENCE.match(line)
        if raw:
            lines[n] = f"{raw.group(1)}{raw.group(2)}{{.raw-tex}}"
            fence = raw.group(2)
            continue
        opened = _ANY_FENCE.match(line)
        if opened:
            fence = opened.group(1)
            continue
        lines[n] = _RAW_TEX_SPAN.sub(r"\1\2\1{.raw-tex}", line)
    return "\n".join(lines)


def _run_cached(
    project: Project, name: str, args: list[str], stdin: bytes, source: Path
) -> tuple[bytes, str]:
    """pandoc's reader + citeproc, skipped when nothing it reads has changed: an edit to a
    stylesheet or page template then costs no citeproc run. The key covers the Markdown, the
    arguments, the content of every file they name (filter, style, library, metadata) and
    pandoc's version."""
    parts = [stdin, pandoc.version().encode(), "\0".join(args).encode()]
    parts += [Path(a).read_bytes() for a in args if a.startswith("/") and Path(a).is_file()]
    key = digest(*parts)
    cache = cache_path(project, f"{name}.cited.json")
    try:
        saved = json.loads(cache.read_text("utf-8"))
        if saved["key"] == key:
            return saved["out"].encode("utf-8"), saved["stderr"]
    except (OSError, ValueError, KeyError):
        pass
    out, stderr = pandoc.run(args, stdin, source)
    record = {"key": key, "out": out.decode("utf-8"), "stderr": stderr}
    write_if_changed(cache, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return out, stderr


# pandoc's reader and citeproc warnings ("[WARNING] ... at line N column M"), by stable kind.
_PANDOC_KINDS = [
    ("Duplicate note reference", "markdown.duplicate-note"),
    ("Duplicate identifier", "markdown.duplicate-id"),
    ("unclosed", "markdown.unclosed-div"),
    ("Could not fetch resource", "asset.missing"),
    ("citation", "citation.pandoc"),
]


def pandoc_warnings(assembled: Assembled, stderr: str) -> list[BuildWarning]:
    """Re-issue pandoc's warnings with a kind, at the source line they came from."""
    found = []
    for raw in stderr.splitlines():
        if not raw.startswith("[WARNING] "):
            continue
        message = raw.removeprefix("[WARNING] ").strip()
        if "no printed form" in message:
            continue  # by design: the style omits it and cite_reading removes it
        kind = next((k for text, k in _PANDOC_KINDS if text in message), "pandoc.warning")
        path, line = assembled.doc.source, None
        m = re.search(r"at line (\d+)", message)
        if m:
            q = re.search(r"'([^']+)'", message)
            needle = {
                "markdown.duplicate-note": f"[^{q.group(1)}]:" if q else None,
                "markdown.duplicate-id": f"#{q.group(1)}" if q else None,
            }.get(kind)
            n = int(m.group(1))
            source_map = assembled.source_map
            path, line = source_map.locate_before(needle, n) if needle else source_map.origin(n)
            message = re.sub(r" at line \d+ column \d+", "", message)
        found.append(BuildWarning(message, kind, path, line))
    return found


def raw_tex_warnings(assembled: Assembled, spans: list[tree.Node]) -> list[BuildWarning]:
    """Raw LaTeX that rawtex.lua could not map to Markdown's elements (its `raw-tex` spans, in
    document order): printed as written, and said at its line."""
    found = []
    for node in spans:
        text = tree.text(node["c"][1])
        # A block of several lines (\begin{tabbing} ... \end{tabbing}) is found by its first.
        first = text.strip().split("\n", 1)[0]
        path, line = assembled.source_map.locate(first, whole=False)
        message = f"raw LaTeX '{text.strip()}' is not understood here: printed as written"
        missing = tree.attr_value(node["c"][0], "missing")
        if missing:  # crossref.lua: a LaTeX reference to a label that names nothing
            message = (
                f"'{text.strip()}' refers to '{missing}', but no figure, table, equation, "
                f"listing or heading has that \\label or id: printed as written"
            )
        found.append(BuildWarning(message, "markdown.raw-tex", path, line))
    return found


def _raw_tex_spans(ast: dict[str, Any]) -> list[tree.Node]:
    """The `raw-tex` spans of `ast`, in document order (read again after links became spans)."""
    return [n for n in tree.nodes(ast["blocks"], "Span") if "raw-tex" in n["c"][0][1]]


# A standard Jinja comment: sources comment with {## ##} (templating.py), so this one would be
# printed. No braces inside, so pandoc's {#id} attributes never match.
_JINJA_COMMENT = re.compile(r"\{#(?!#)[^{}]*?#\}", re.S)


def jinja_comments(assembled: Assembled) -> list[BuildWarning]:
    """A `{# ... #}` left in the Markdown is printed as text: say what to write instead."""
    found = []
    for m in _JINJA_COMMENT.finditer(assembled.markdown):
        line = assembled.markdown.count("\n", 0, m.start()) + 1
        path, at = assembled.source_map.origin(line)
        found.append(
            BuildWarning(
                "'{# ... #}' is printed as text: comments in sources are written {## ... ##}",
                "jinja.comment",
                path,
                at,
            )
        )
    return found


def _check_notes(assembled: Assembled, undefined: str | None) -> None:
    """An undefined note `[^x]` (the first pandoc left as text) is an error at its line, not
    text in the output."""
    if undefined is not None:
        path, line = assembled.source_map.locate(undefined)
        raise PressroomError(
            f"note '{undefined}' has no definition; add a line "
            f"'{undefined}: the note's text' (or write \\[^ for the characters)",
            path,
            line,
            "note.undefined",
        )


def _check_keys(
    assembled: Assembled, project: Project, library: Library, reading: cite_reading.Reading
) -> None:
    """Every unknown key, and every cited entry the library had to leave out, as an error at
    its line, all in one run, in source order (not pandoc's silent '(key?)')."""
    source_map = assembled.source_map
    # Keys only ever cited in text (`@name`, not `[@name]`): possibly not meant as citations.
    in_text = {k for k, m in reading.modes.items() if m == {"AuthorInText"}}
    problems: list[tuple[int, PressroomError]] = []
    unknown: list[tuple[int, str, PressroomError]] = []  # (place, key, error) of plain misses
    for key in reading.keys:
        at = source_map.find("@" + key) or 0
        found = library.problems_of(key)
        if found:
            problems += [(at, e) for e in found]
        elif key not in library.ids:
            path, line = source_map.origin(at) if at else (assembled.doc.source, None)
            error = _unknown(key, library, key in in_text, path, line)
            if error.kind == "citation.unknown":
                unknown.append((at, key, error))
            else:
                problems.append((at, error))
    if unknown and not library.files:  # all of them for want of a library: one error says so
        at, key, error = min(unknown, key=lambda u: u[0])
        problems.append((at, _no_library(project, assembled.doc, key, error, len(unknown))))
    else:
        problems += [(at, error) for at, _, error in unknown]
    if problems:
        problems.sort(key=lambda p: (p[0], p[1].line or 0))
        raise PressroomErrors([e for _, e in problems])


def _no_library(
    project: Project, doc: Document, key: str, first: PressroomError, count: int
) -> PressroomError:
    """One error, at the first of `count` unknown keys, for a project that names no library and no
    references/ folder (a manuscript brought from a pandoc command line's `--bibliography`):
    it names the BibTeX files found under manuscript/ and the file to name one in (a
    folder document's metadata file, else the document itself), path relative to that file."""
    others = f" and {count - 1} more" if count > 1 else ""
    msg = f"citation key '{key}'{others} cited, but the project has no reference library"
    found = sorted(p for p in project.manuscript.rglob("*.bib") if p.is_file())
    if found:
        home = (folder_metadata(doc.source.parent) if doc.parts else None) or doc.source
        named = Path(os.path.relpath(found[0], home.parent)).as_posix()
        msg += (
            f": name {found[0].relative_to(project.root).as_posix()} in "
            f"{home.relative_to(project.root).as_posix()} with 'bibliography: {named}' (a pandoc "
            "command line's --bibliography is not read)"
        )
    else:
        msg += (
            ": put a BibTeX, CSL-JSON or CSL YAML file in references/, or name one in the "
            "front matter with 'bibliography:'"
        )
    return PressroomError(msg, first.path, first.line, "citation.unknown")


# Cross-reference prefixes (pandoc-crossref's `fig:x` and Quarto's `fig-x`) -> what they name.
_CROSSREF = {"sec": "heading", "tbl": "table", "fig": "figure", "eq": "equation", "lst": "listing"}
# Identifier citations (Manubot, Quarto's citation tooling): `@doi:10.1000/x`.
_IDENTIFIERS = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "isbn": "ISBN", "arxiv": "arXiv"}


def _unknown(
    key: str, library: Library, in_text: bool, path: Path, line: int | None
) -> PressroomError:
    """The error for a key the library does not have, with a hint for what it may be."""
    prefix, sep, _ = key.replace(":", "-", 1).partition("-")
    if sep and prefix.lower() in _CROSSREF:
        what = _CROSSREF[prefix.lower()]
        msg = f"unknown cross-reference '@{key}' (no {what} has that id)"
        return PressroomError(msg, path, line, "crossref.unknown")
    scheme, colon, ident = key.partition(":")
    if colon and scheme.lower() in _IDENTIFIERS:
        name = _IDENTIFIERS[scheme.lower()]
        field = scheme.upper() if scheme.lower() != "arxiv" else "URL"
        have = [
            str(i["id"])
            for i in library.items
            if str(i.get(field, "")).lower().removeprefix("https://doi.org/") == ident.lower()
        ]
        hint = (
            f"the library has it as '{have[0]}': cite @{have[0]}"
            if have
            else f"add an entry with {field} {ident} to the library and cite it by its id"
        )
        msg = f"'@{key}' cites by {name}, which pressroom does not look up; {hint}"
        return PressroomError(msg, path, line, "citation.identifier")
    close = library.closest(key)
    msg = f"unknown citation key '{key}'"
    if close:
        msg += f" (did you mean '{close}'?)"
    elif in_text:
        msg += f"; if '@{key}' is not a citation (a handle, an address), write it as '\\@{key}'"
    return PressroomError(msg, path, line, "citation.unknown")
