"""The metadata fields, declared once (name -> type, meaning), and their validation: every problem
at its line, unknown keys as warnings (pandoc users carry keys for other tools)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import BuildWarning, PressroomError

FORMATS = ("html", "docx", "pdf")  # the output formats, in build order


LAYOUTS = ("article", "handout")  # a document's `layout`


# Every metadata field, declared once: name -> (type, what it means). Front matter may set the
# same fields for one document, plus the DOCUMENT_FIELDS below. The keys pandoc, Quarto and R
# Markdown users write are fields too, with pandoc's meaning; `normalise` turns them into the
# normalised form every later stage reads (normalise.NORMALISED), so pressroom's own names and
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
        ' `affiliation: 1` or `"1, 2"` names them.',
    ),
    "institute": (
        (list, str),
        "Affiliations by id, as pandoc-scholar writes them ([{id: {name: ...}}, {id: name}]);"
        " an author's `institute` names them. As text (pandoc's, a thesis's department): the"
        " affiliation of every author who has none.",
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
    "references": (
        list,
        "pandoc's library written into the metadata: CSL YAML items, read with the library.",
    ),
    "nocite": (
        (str, list),
        "pandoc's: sources listed in the bibliography without being cited ('@smith2020, @doe',"
        " or '@*' for the whole library).",
    ),
    "reference-section-title": (
        str,
        "pandoc's: a heading over the bibliography where the document gives it none.",
    ),
    "suppress-bibliography": (bool, "pandoc's: no bibliography; the notes only (default false)."),
    "notes-after-punctuation": (
        bool,
        "pandoc's: a note's number moves after the punctuation that follows it (default true).",
    ),
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
    "citations": (
        bool,
        "Read `[@key]` and `@key` as citations (default true); false reads them as text, as"
        " Jekyll does (a Jekyll page's default: `@handle` in a lesson is a handle).",
    ),
}


# Keys other tools' manuscripts carry, with what pressroom reads instead (not a typo's hint).
FOREIGN_KEYS = {"tags": "JOSS's; pressroom's is 'keywords'"}
# pandoc-crossref's settings: pressroom numbers and names figures, tables, equations, listings
# and sections in its own words, reads `Listing:` captions and finds `@sec:x` by a heading's id.
FOREIGN_KEYS |= dict.fromkeys(
    """figPrefix eqnPrefix tblPrefix lstPrefix secPrefix figureTitle tableTitle listingTitle
    titleDelim lofTitle lotTitle lolTitle figureTemplate tableTemplate listingTemplate
    codeBlockCaptions autoSectionLabels chapters chaptersDepth subfigColumns subfigGrid
    linkReferences nameInLink cref autoEqnLabels""".split(),  # noqa: SIM905 (words read best as words)
    "pandoc-crossref's setting; pressroom numbers and names cross-references its own way",
)
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


Fields = dict[str, tuple[type | tuple[type, ...], str]]


def _hint(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return (
        f" (did you mean '{close[0]}'?)" if close else f"; valid keys: {', '.join(sorted(valid))}"
    )


# `bibliography_NAME`: the files of one of several bibliographies (bibliographies.py), read as
# `bibliography` is.
NAMED_BIBLIOGRAPHY = re.compile(r"bibliography_([\w-]+)")


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
        if NAMED_BIBLIOGRAPHY.fullmatch(key):  # one of several bibliographies (bibliographies.py)
            fields = {**fields, key: fields["bibliography"]}
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            if key in FOREIGN_KEYS:  # another tool's key: say what pressroom reads instead
                hint = f" ({FOREIGN_KEYS[key]})"
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
        if isinstance(size, str) and paper_size(size) is None:
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
        author = named_author(author)
        if not isinstance(author, dict) or not author_name(author.get("name")):
            msg = f"author {i + 1} needs a 'name'"
            problems.append(PressroomError(msg, path, aline, "config.type"))
            continue
        for k in author:
            if k not in AUTHOR_FIELDS:
                msg = f"unknown author key '{k}', ignored{_hint(k, sorted(AUTHOR_FIELDS))}"
                kline = getattr(author, "lines", {}).get(k, aline)
                warnings.append(BuildWarning(msg, "config.unknown", path, kline))
    return problems


def author_name(name: Any) -> str:
    """An author's name: text, or Quarto's {given, family} / {literal} mapping."""
    if isinstance(name, str):
        return name.strip()
    if isinstance(name, dict):
        if isinstance(name.get("literal"), str):
            return str(name["literal"]).strip()
        return " ".join(str(name[k]) for k in ("given", "family") if name.get(k)).strip()
    return ""


# Generational and similar suffixes: part of a name, never its surname ("Jones, Jr.").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v", "jnr", "snr"}


def split_names(name: str) -> list[str]:
    """The people in one author string: pandoc prints `author: Dennis Tenen, Grant Wythoff` as
    written, and so does the title block, but its running head names both. A comma (or "and")
    separates names when every part is a name of two words or more; otherwise it is part of
    one name ("Jones, Jr.", "Lauretis, Teresa")."""
    parts = [p.strip() for p in re.split(r",|\s+and\s+|\s+&\s+", name) if p.strip()]
    if len(parts) > 1 and all(
        len(p.split()) > 1 and p.lower().rstrip(".") not in _SUFFIXES for p in parts
    ):
        return parts
    return [name]


def surname(name: str) -> str:
    """The surname in an author's name as written, for running heads and the blind check:
    "Henry Walton Jones, Jr." -> "Jones", "Teresa de Lauretis" -> "de Lauretis", and an
    inverted "Lauretis, Teresa de" -> "Lauretis"."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    while len(parts) > 1 and parts[-1].lower().rstrip(".") in _SUFFIXES:
        parts.pop()
    if len(parts) > 1:
        return parts[0]  # "Family, Given": the family name comes first
    words = (parts[0] if parts else "").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    start = len(words) - 1
    # A lower-case particle before it ("de", "van der") belongs to the surname.
    while start > 1 and words[start - 1].islower():
        start -= 1
    return " ".join(words[max(start, 0) :])


def named_author(author: Any) -> Any:
    """pandoc-scholar's `- Jane Doe: {institute: x, email: ...}` as `{name: Jane Doe, ...}`."""
    if isinstance(author, dict) and "name" not in author and len(author) == 1:
        ((name, fields),) = author.items()
        if fields is None or isinstance(fields, dict):
            named = yamlio.LineDict({"name": name, **(fields or {})})
            named.lines = dict(getattr(fields, "lines", {}))
            named.line = getattr(author, "line", 0)
            return named
    return author


def paper_size(size: str) -> str | None:
    """a4 or letter from what pandoc's and LaTeX's users write (A4, a4paper, us-letter)."""
    s = size.lower().strip().removesuffix("paper").replace("us-", "").replace("us", "")
    return s if s in ("a4", "letter") else None


def line_of(meta: dict[str, Any], key: str) -> int | None:
    return getattr(meta, "lines", {}).get(key)
