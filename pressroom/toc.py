"""The table of contents (`toc: true`, pandoc's and Quarto's key): the document's headings down
to `toc-depth`, opening the body. In the HTML and the PDF a nested list of links (print.css adds
each entry's page number with target-counter); in the DOCX Word's contents paragraphs ("toc 1",
"toc 2", ...) with a page field that Word and LibreOffice fill in when they lay the file out.

It is added by the writers' jobs, not to the cited AST: word counts, the redline's matching and
the source map never see it."""

from __future__ import annotations

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


def with_toc(ast: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The AST with the contents as its first block, for the HTML and print pages: a div
    (#toc.toc, role doc-toc) holding an unnumbered, unlisted heading at the top level and a
    nested list of links. Unchanged when the document asks for none or has no headings."""
    found = entries(ast, _depth(meta)) if wanted(meta) else []
    if not found:
        return ast
    levels = [h["c"][0] for h in tree.nodes(ast["blocks"], "Header")]
    heading = {
        "t": "Header",
        "c": [min(levels), ["", ["unnumbered", "unlisted"], []], _words(title(meta))],
    }
    div = {"t": "Div", "c": [[TOC_ID, ["toc"], [["role", "doc-toc"]]], [heading, _list(found)]]}
    return {**ast, "blocks": [div, *ast["blocks"]]}


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


def with_docx_toc(
    blocks: list[tree.Node], ast: dict[str, Any], meta: dict[str, Any]
) -> list[tree.Node]:
    """`blocks` (the DOCX body) with the contents first: a "TOC Heading" paragraph, then one
    paragraph per entry in Word's "toc N" style, the heading's text linked to its bookmark (pandoc
    names each heading's bookmark by its id), a tab, and a PAGEREF field for its page. The field
    is marked dirty, so Word computes it on opening; LibreOffice computes it as it lays out."""
    found = entries(ast, _depth(meta)) if wanted(meta) else []
    if not found:
        return blocks
    out = [_styled("TOC Heading", _words(title(meta)))]
    for entry in found:
        link = {"t": "Link", "c": [["", [], []], entry.inlines, ["#" + entry.ident, ""]]}
        tab = {"t": "RawInline", "c": ["openxml", "<w:r><w:tab/></w:r>"]}
        out.append(_styled(f"toc {min(entry.level, 9)}", [link, tab, _page_field(entry.ident)]))
    return [*out, *blocks]


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
