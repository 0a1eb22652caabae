"""The table of contents (`toc: true`, pandoc's and Quarto's key, or `\\tableofcontents` where
it is to stand): the document's headings down to `toc-depth`; and the lists of figures and
tables where `\\listoffigures` and `\\listoftables` stand. In the HTML and the PDF each is a
list of links (print.css adds each entry's page number with target-counter); in the DOCX Word's
contents paragraphs ("toc 1", "toc 2", ...) with a page field that Word and LibreOffice fill in
when they lay the file out.

They are added by the writers' jobs, not to the cited AST: word counts, the redline's matching
and the source map never see them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import tree

DEFAULT_DEPTH = 3  # pandoc's default toc-depth
DEFAULT_TITLE = "Contents"  # what Chicago calls it (CMOS 1.42)
TOC_ID = "toc"


@dataclass(frozen=True)
class Entry:
    """One heading in the contents: its level (1 is the document's top level), its id (the
    link's target) and its text as inlines, without notes, citations' links or ids."""

    level: int
    ident: str
    inlines: list[tree.Node]


def wanted(meta: dict[str, Any]) -> bool:
    return meta.get("toc") is True


def title(meta: dict[str, Any]) -> str:
    return str(meta.get("toc-title") or DEFAULT_TITLE)


def entries(ast: dict[str, Any], depth: int) -> list[Entry]:
    """The headings a reader finds in the contents, in order: every heading with an id down to
    `depth` levels below the top level used, except those marked `.unlisted` (pandoc's class)."""
    headers = [
        h
        for h in tree.nodes(ast["blocks"], "Header")
        if h["c"][1][0] and "unlisted" not in h["c"][1][1]
    ]
    top = min((h["c"][0] for h in headers), default=1)
    return [
        Entry(h["c"][0] - top + 1, h["c"][1][0], _clean(h["c"][2]))
        for h in headers
        if h["c"][0] - top < depth
    ]


def _clean(inlines: list[tree.Node]) -> list[tree.Node]:
    """A heading's inlines fit to stand inside a link elsewhere: a note is left out (it would
    print twice), a citation or link keeps its text only, a span gives up its id."""
    out: list[tree.Node] = []
    for node in inlines:
        t = node.get("t")
        if t == "Note":
            continue
        if t in ("Cite", "Link"):
            out += _clean(node["c"][1])
        elif t == "Span":
            attr = node["c"][0]
            out.append({"t": "Span", "c": [["", attr[1], attr[2]], _clean(node["c"][1])]})
        elif t in (
            "Emph",
            "Strong",
            "SmallCaps",
            "Strikeout",
            "Underline",
            "Superscript",
            "Subscript",
        ):
            out.append({"t": t, "c": _clean(node["c"])})
        else:
            out.append(node)
    return out


def _depth(meta: dict[str, Any]) -> int:
    depth = meta.get("toc-depth")
    return depth if isinstance(depth, int) and not isinstance(depth, bool) else DEFAULT_DEPTH


# The lists a document may have, by the class of the empty div that marks where each goes
# (rawtex.lua: `\tableofcontents`, `\listoffigures`, `\listoftables`), with their titles.
PLACES = {"toc": "toc-here", "lof": "lof-here", "lot": "lot-here"}
LIST_TITLES = {"lof": "List of Figures", "lot": "List of Tables"}  # as LaTeX prints them


def _lists(
    ast: dict[str, Any], meta: dict[str, Any], classes: set[str]
) -> dict[str, tuple[str, list[Entry]]]:
    """Each list the document asks for (`toc: true`, or a marker where it goes, one of its
    divs' `classes`), as its title and entries; a list without entries is left out."""
    placed = {kind for kind, cls in PLACES.items() if cls in classes}
    lists: dict[str, tuple[str, list[Entry]]] = {}
    if wanted(meta) or "toc" in placed:
        lists["toc"] = (title(meta), entries(ast, _depth(meta)))
    for kind, node in (("lof", "Figure"), ("lot", "Table")):
        if kind in placed:
            lists[kind] = (LIST_TITLES[kind], captions(ast, node))
    return {kind: found for kind, found in lists.items() if found[1]}


def _div_classes(ast: dict[str, Any]) -> set[str]:
    """The classes of the document's divs (one walk of the AST, which is long)."""
    return {c for d in tree.nodes(ast["blocks"], "Div") for c in d["c"][0][1]}


def captions(ast: dict[str, Any], kind: str) -> list[Entry]:
    """The captioned figures or tables, in order, each with its id (crossref.lua numbered them,
    so each caption starts "Figure 1."); one without an id gets one here (`ids`)."""
    found = []
    for node in tree.nodes(ast["blocks"], kind):
        short, long = node["c"][1]
        inlines = short or next((b["c"] for b in long if b["t"] in ("Plain", "Para")), None)
        if inlines and node["c"][0][0]:
            found.append(Entry(1, node["c"][0][0], _clean(inlines)))
    return found


def ids(ast: dict[str, Any]) -> dict[str, Any]:
    """A copy of `ast` in which every captioned figure and table has an id (figure-3, table-1),
    so that a list can link to it; the cited AST itself is shared, and left as it is."""
    copy: dict[str, Any] = json.loads(json.dumps(ast))
    taken = {n["c"][0][0] for k in ("Figure", "Table", "Div") for n in tree.nodes(copy, k)}
    taken |= {h["c"][1][0] for h in tree.nodes(copy, "Header")}
    for kind in ("Figure", "Table"):
        for number, node in enumerate(tree.nodes(copy["blocks"], kind), 1):
            ident = f"{kind.lower()}-{number}"
            if not node["c"][0][0] and node["c"][1][1] and ident not in taken:
                node["c"][0][0] = ident
    return copy


# Makes a list's blocks from its kind (toc, lof, lot), its title and its entries.
Make = Callable[[str, str, list[Entry]], list[tree.Node]]


def _place(blocks: list[tree.Node], made: dict[str, list[tree.Node]]) -> list[tree.Node]:
    """`blocks` with each marker replaced by its list (or by nothing), in nested divs too."""
    out: list[tree.Node] = []
    for block in blocks:
        if block.get("t") == "Div":
            kind = next((k for k, c in PLACES.items() if c in block["c"][0][1]), None)
            if kind is not None:
                out += made.pop(kind, [])
                continue
            block = {"t": "Div", "c": [block["c"][0], _place(block["c"][1], made)]}
        out.append(block)
    return out


def _arrange(ast: dict[str, Any], meta: dict[str, Any], make: Make) -> dict[str, Any]:
    """`ast` with its lists made by `make(kind, title, entries)` where their markers are, the
    contents first when `toc: true` placed it nowhere."""
    classes = _div_classes(ast)
    lists = _lists(ast, meta, classes)
    if not lists and not set(PLACES.values()) & classes:
        return ast
    if any(kind != "toc" for kind in lists):
        ast = ids(ast)  # (its divs are the same: ids are given to figures and tables only)
        lists = _lists(ast, meta, classes)
    made = {kind: make(kind, name, found) for kind, (name, found) in lists.items()}
    blocks = _place(ast["blocks"], made)
    return {**ast, "blocks": [*made.pop("toc", []), *blocks]}


def with_toc(ast: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The AST with its lists for the HTML and print pages: the contents (a div #toc.toc, role
    doc-toc: an unnumbered, unlisted heading at the top level and a nested list of links) where
    `\\tableofcontents` stands or else first, the lists of figures and tables where they stand.
    Unchanged when the document asks for none."""
    top: list[int] = []  # the top heading level, read once a list is made (one walk less)

    def make(kind: str, name: str, found: list[Entry]) -> list[tree.Node]:
        if not top:
            top.append(min((h["c"][0] for h in tree.nodes(ast["blocks"], "Header")), default=1))
        heading = {
            "t": "Header",
            "c": [top[0], ["", ["unnumbered", "unlisted"], []], _words(name)],
        }
        ident = TOC_ID if kind == "toc" else kind
        role = [["role", "doc-toc"]] if kind == "toc" else []
        return [{"t": "Div", "c": [[ident, ["toc", kind], role], [heading, _list(found)]]}]

    return _arrange(ast, meta, make)


def _list(found: list[Entry]) -> tree.Node:
    """The entries as nested bullet lists, one level of list per heading level; a level that
    skips one (a ### right under a #) nests once, not twice."""
    items: list[list[tree.Node]] = []
    i = 0
    while i < len(found):
        entry = found[i]
        j = i + 1
        while j < len(found) and found[j].level > entry.level:
            j += 1
        link = {"t": "Link", "c": [["", [], []], entry.inlines, ["#" + entry.ident, ""]]}
        item: list[tree.Node] = [{"t": "Plain", "c": [link]}]
        if j > i + 1:
            item.append(_list(found[i + 1 : j]))
        items.append(item)
        i = j
    return {"t": "BulletList", "c": items}


def _words(text: str) -> list[tree.Node]:
    out: list[tree.Node] = []
    for word in text.split():
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def with_docx_toc(ast: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The DOCX's AST with its lists where `with_toc` puts them: a "TOC Heading" paragraph, then
    one paragraph per entry in Word's "toc N" style, the text linked to its bookmark (pandoc
    names each heading's, figure's and table's bookmark by its id), a tab, and a PAGEREF field
    for its page. The field is marked dirty, so Word computes it on opening; LibreOffice
    computes it as it lays out."""

    def make(kind: str, name: str, found: list[Entry]) -> list[tree.Node]:
        out = [_styled("TOC Heading", _words(name))]
        for entry in found:
            link = {"t": "Link", "c": [["", [], []], entry.inlines, ["#" + entry.ident, ""]]}
            tab = {"t": "RawInline", "c": ["openxml", "<w:r><w:tab/></w:r>"]}
            style = f"toc {min(entry.level, 9)}"
            out.append(_styled(style, [link, tab, _page_field(entry.ident)]))
        return out

    return _arrange(ast, meta, make)


def _styled(style: str, inlines: list[tree.Node]) -> tree.Node:
    para = {"t": "Para", "c": inlines}
    return {"t": "Div", "c": [["", ["toc"], [["custom-style", style]]], [para]]}


def _page_field(ident: str) -> tree.Node:
    """Word's PAGEREF field for the page of bookmark `ident`, with no cached result."""
    runs = (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> PAGEREF {_xml(ident)} \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return {"t": "RawInline", "c": ["openxml", runs]}


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
