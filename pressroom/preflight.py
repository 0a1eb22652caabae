"""`check`: what a conference call counts and checks, measured on what the reader gets."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from . import tree
from .config import Project
from .documents import Corpus
from .drafts import KIND as DRAFT
from .drafts import draft_markers
from .errors import Diagnostics, PressroomError, PressroomErrors
from .fields import line_of
from .model import Cited
from .pipeline import facts_path

# How words are counted, stated in the report: as conference calls and journals count them.
CONVENTION = (
    "Words are runs of letters or digits between spaces, as a word processor counts them. "
    "Body = running text, headings, tables and block quotations; notes, bibliography and "
    "abstract are counted apart; the title block and the keywords are not counted."
)
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Counts:
    """Words of one document, by part, and the characters of its abstract."""

    body: int
    notes: int
    bibliography: int
    abstract: int
    abstract_characters: int


def count(cited: Cited) -> Counts:
    """Count each part of the cited AST (notes and bibliography as citeproc formatted them)."""
    parts = {"body": 0, "notes": 0, "bibliography": 0, "abstract": 0}
    abstract_text: list[str] = []

    def words_of(text: str) -> int:
        return sum(1 for w in text.split() if _WORD.search(w))

    def visit(node: tree.Node, part: str) -> None:
        t = node.get("t")
        if t == "Note":
            for child in tree.children(node["c"]):
                visit(child, "notes")
            return
        if t == "Div":
            ident, classes, _ = node["c"][0]
            if ident == "refs" or "csl-bib-body" in classes:
                part = "bibliography"
            elif "abstract" in classes:
                part = "abstract"
            elif "keywords" in classes:
                return
        if t == "Header" and "unnumbered" in node["c"][1][1] and part == "body":
            title = tree.text(node["c"][2]).lower()
            if title in ("bibliography", "references", "works cited", "notes"):
                return
        if t == "Span" and "header-section-number" in node["c"][0][1]:
            return  # an automatic number, as a word processor does not count it
        if t == "Cite":  # its citation list holds the keys and locators; count what is printed
            for child in tree.children(node["c"][1]):
                visit(child, part)
            return
        if t in ("Str",):
            parts[part] += words_of(node["c"])
            if part == "abstract":
                abstract_text.append(node["c"])
            return
        if t in ("Space", "SoftBreak", "LineBreak") and part == "abstract":
            abstract_text.append(" ")
        for child in tree.children(node.get("c")):
            visit(child, part)

    for block in tree.children(cited.ast["blocks"]):
        visit(block, "body")
    text = " ".join("".join(abstract_text).split())
    return Counts(
        parts["body"], parts["notes"], parts["bibliography"], parts["abstract"], len(text)
    )


def abstract_counts(cited: Cited) -> tuple[int, int]:
    """Words and characters of the abstract document's text (its body when not in a div)."""
    c = count(cited)
    if c.abstract:
        return c.abstract, c.abstract_characters
    text = " ".join(tree.text(b) for b in cited.ast["blocks"] if not _is_keywords(b))
    text = " ".join(text.split())
    return sum(1 for w in text.split() if _WORD.search(w)), len(text)


def _is_keywords(block: tree.Node) -> bool:
    return block.get("t") == "Div" and "keywords" in block["c"][0][1]


def check(project: Project, corpus: Corpus, diagnostics: Diagnostics) -> list[str]:
    """Every limit and check; returns the report's lines. Raises with every limit broken."""
    limits = project.metadata.get("limits") or {}
    problems: list[PressroomError] = []
    report = [
        f"{'document':<10} {'body':>6} {'notes':>6} {'biblio':>6} {'abstract':>8} {'pages':>5}"
    ]
    cited_keys: set[str] = set()
    drafts = []
    for name in project.documents:
        cited = corpus.cited(name)
        cited_keys |= cited.keys
        drafts += draft_markers(cited)
        counts = count(cited)
        facts = _facts(project, name)
        pages = facts.get("pages", "-")
        abstract = counts.abstract
        if name == "abstract":
            abstract = abstract_counts(cited)[0]
        report.append(
            f"{name:<10} {counts.body:>6} {counts.notes:>6} {counts.bibliography:>6} "
            f"{abstract:>8} {pages!s:>5}"
        )
        problems += _limits(project, name, cited, counts, facts, limits.get(name))
        _pdf_checks(project, name, facts, diagnostics)
        _links(project, name, diagnostics)
    for ident in sorted(corpus.library.ids - cited_keys):
        path, line = corpus.library.places[ident]
        diagnostics.warn(
            f"reference '{ident}' is not cited in any document", "citation.unused", path, line
        )
    for marker in drafts:
        diagnostics.warn(f'draft marker: "{marker.text}"', DRAFT, marker.path, marker.line)
    for e in corpus.library.uncited_problems(cited_keys):  # the build's summary, in full
        diagnostics.warn(e.message, e.kind or "reference.invalid", e.path, e.line)
    if problems:  # the counts of every document first: the error names only what broke
        print("\n".join(report), file=sys.stderr)
        raise PressroomErrors(problems)
    found = f"draft markers: {len(drafts)} (submission refuses them)" if drafts else ""
    return [*report, *([found] if found else []), CONVENTION]


def _facts(project: Project, name: str) -> dict[str, Any]:
    try:
        return dict(json.loads(facts_path(project, project.output(name, "pdf")).read_text()))
    except (OSError, ValueError):
        return {}


def _limits(
    project: Project,
    name: str,
    cited: Cited,
    counts: Counts,
    facts: dict[str, Any],
    limit: Any,
) -> list[PressroomError]:
    """`manuscript/abstract.md: error: abstract has 327 words; the limit is 300 [limit.words]`"""
    if not isinstance(limit, dict):
        return []
    source = cited.doc.source
    found = []
    if name == "abstract":
        words, characters = abstract_counts(cited)
        what = "abstract"
    else:
        words, characters, what = counts.body, counts.abstract_characters, f"{name} body"
    if isinstance(limit.get("words"), int) and words > limit["words"]:
        msg = f"{what} has {words} words; the limit is {limit['words']}"
        found.append(PressroomError(msg, source, None, "limit.words"))
    if isinstance(limit.get("characters"), int) and characters > limit["characters"]:
        msg = f"{what} has {characters} characters; the limit is {limit['characters']}"
        found.append(PressroomError(msg, source, None, "limit.characters"))
    pages = facts.get("pages")
    if isinstance(limit.get("pages"), int) and isinstance(pages, int) and pages > limit["pages"]:
        msg = (
            f"{name}.pdf has {pages} page{'s' if pages != 1 else ''}; the limit is {limit['pages']}"
        )
        found.append(PressroomError(msg, source, None, "limit.pages"))
    unknown = set(limit) - {"words", "characters", "pages"}
    if unknown:
        first = sorted(unknown)[0]
        msg = f"limits.{name}: unknown limit '{first}'; limits are words, characters, pages"
        found.append(
            PressroomError(
                msg, project.metadata_path, line_of(project.metadata, "limits"), "config.unknown"
            )
        )
    return found


def _pdf_checks(
    project: Project, name: str, facts: dict[str, Any], diagnostics: Diagnostics
) -> None:
    """Fonts embedded (WeasyPrint always embeds subsets), no tofu, title and language set."""
    if not facts:
        return
    source = project.sources(name)[0]
    if facts.get("missing_glyphs"):
        diagnostics.warn(
            f"{name}.pdf has characters no font could draw: {facts['missing_glyphs']!r}",
            "font.missing-glyph",
            source,
        )
    if not facts.get("title"):
        diagnostics.warn(f"{name}.pdf has no title", "pdf.title", source)
    if not facts.get("lang"):
        diagnostics.warn(f"{name}.pdf has no language (set lang in metadata)", "pdf.lang", source)


_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')


def _links(project: Project, name: str, diagnostics: Diagnostics) -> None:
    """Every internal link of the HTML page has its target."""
    path = project.output(name, "html")
    if not path.is_file():
        return
    html = path.read_text("utf-8")
    ids = set(_ID.findall(html))
    for target in sorted(set(_HREF.findall(html)) - ids):
        diagnostics.warn(
            f"{name}.html links to '#{target}', which no element has",
            "link.broken",
            project.sources(name)[0],
        )
