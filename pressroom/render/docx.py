"""The DOCX: pandoc's Word writer with the reference document's styles, real footnotes, and
the title block and properties from the metadata."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable
from html import escape  # (xml.sax.saxutils's imports urllib.request: 15 ms of a cold start)
from typing import Any

from .. import pandoc, quarto, tree
from ..config import Project
from ..errors import Diagnostics
from ..meta import conference_line, markdown_blocks
from ..model import Cited, Output
from ..toc import with_docx_toc
from . import docx_bookmarks, docx_notes, docx_sections, docx_svg
from .base import Draft, PandocJob
from .docx_equations import with_equation_tabs
from .docx_math import valid_math
from .page import MARKUP


class DocxRenderer:
    fmt = "docx"

    def prepare(self, project: Project) -> None:
        pass

    def job(self, cited: Cited, project: Project) -> PandocJob:
        reference = project.template("reference.docx").resolve()
        ast = docx_sections.mark(
            with_equation_tabs(
                with_page_breaks(
                    with_draft_markers(
                        with_docx_meta(
                            quarto.for_format(cited.ast, "docx"), cited.doc.meta, cited.doc.name
                        )
                    )
                )
            )
        )
        args = ["-f", "json", "-t", "docx", "--reference-doc", str(reference), "-o", "-"]
        return PandocJob(args, pandoc.to_json(ast), frozenset({reference}))

    def render(
        self,
        cited: Cited,
        job: PandocJob,
        body: bytes,
        project: Project,
        diagnostics: Diagnostics,
        draft: Draft | None = None,
    ) -> Output:
        body = with_core_properties(body, author_names(cited.doc.meta), build_time())
        if docx_svg.has_svg(body):
            body = docx_svg.with_png_fallbacks(body, project, rewrite_parts)
        body = docx_notes.with_note_pictures(body, rewrite_parts)
        landscape = docx_sections.MARKED in job.stdin  # (the cited AST may be released by now)

        def document(xml: str) -> str:
            xml = docx_bookmarks.after_tables(valid_math(xml))
            return docx_sections.sections(xml) if landscape else xml

        body = rewrite_parts(
            body, {"word/document.xml": document, "word/footnotes.xml": valid_math}
        )
        return Output(project.output(cited.doc.name, self.fmt), body, cited.inputs | job.inputs)


RENDERER = DocxRenderer()


def _meta_string(text: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": text}


def _styled(style: str, text: str, cls: str) -> dict[str, Any]:
    """A paragraph in a named Word style (pandoc's custom-style), as a Div of class `cls`."""
    para = {"t": "Para", "c": [{"t": "Str", "c": text}]}
    return {"t": "Div", "c": [["", [cls], [["custom-style", style]]], [para]]}


def author_names(meta: dict[str, Any]) -> list[str]:
    return [
        str(a["name"]) for a in meta.get("authors") or [] if isinstance(a, dict) and a.get("name")
    ]


def title_block(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """What follows the title and subtitle: the label, then each author's name, affiliation
    and e-mail as paragraphs of their own styles (Author, Affiliation, Email), then the
    conference line, or else the date (Date). An editor restyles or deletes each one; none is
    merged into a line, nor into the author property."""
    blocks = []
    if meta.get("label"):
        # The document's kind ("Source Appendix") in its own restylable style.
        blocks.append(_styled("Label", str(meta["label"]), "label"))
    for a in meta.get("authors") or []:
        if isinstance(a, dict) and a.get("name"):
            blocks.append(_styled("Author", str(a["name"]), "author"))
            for key, style in (("affiliation", "Affiliation"), ("email", "Email")):
                if a.get(key):
                    blocks.append(_styled(style, str(a[key]), key))
    conference = conference_line(meta.get("conference"))
    if conference:
        blocks.append(_styled("Date", conference, "conference"))
    elif meta.get("date"):  # as the page templates print it: when no conference dates the paper
        blocks.append(_styled("Date", str(meta["date"]), "date"))
    return blocks


def _meta_markdown(text: str) -> dict[str, Any]:
    """A one-line metadata value read as Markdown (`A *Long* Title`), as pandoc reads it."""
    if not MARKUP.search(text):
        return _meta_string(text)
    blocks = markdown_blocks(text)
    if len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"):
        return {"t": "MetaInlines", "c": blocks[0]["c"]}
    return _meta_string(text)


def with_docx_meta(ast: dict[str, Any], meta: dict[str, Any], name: str = "") -> dict[str, Any]:
    """Title and subtitle (pandoc's title block), keywords and language for core.xml; the rest
    of the title block as styled paragraphs opening the body (title_block)."""
    out = dict(ast)
    # Build settings would land in docProps/custom.xml, absolute paths (a user name) included.
    private = ("bibliography", "csl", "link-citations", "references", "lang")
    m = {k: v for k, v in ast.get("meta", {}).items() if k not in private}
    title = str(meta.get("title") or "")
    if title:
        m["title"] = _meta_markdown(title)
    if meta.get("subtitle"):
        m["subtitle"] = _meta_markdown(str(meta["subtitle"]))
    # No `author` or `date` here: pandoc would print them in its own title block as one merged
    # line each; title_block() writes them, and with_core_properties() the author property.
    m.pop("author", None)
    m.pop("date", None)
    if meta.get("keywords"):
        # Inlines, not strings: pandoc's DOCX writer leaves MetaStrings in a list empty.
        inlines = [{"t": "MetaInlines", "c": [{"t": "Str", "c": str(k)}]} for k in meta["keywords"]]
        m["keywords"] = {"t": "MetaList", "c": inlines}
    abstract = meta.get("abstract")
    if isinstance(abstract, str) and abstract.strip():  # pandoc's Abstract style, after the title
        m["abstract"] = {"t": "MetaBlocks", "c": markdown_blocks(abstract)}
    m["lang"] = _meta_string(str(meta.get("lang") or "en-US"))
    out["meta"] = m
    thanks = meta.get("acknowledgements")
    if thanks and name == "paper":  # as the HTML and PDF page templates print it
        heading = {
            "t": "Header",
            "c": [
                1,
                ["acknowledgements", ["unnumbered"], []],
                [{"t": "Str", "c": "Acknowledgements"}],
            ],
        }
        para = {"t": "Para", "c": [{"t": "Str", "c": str(thanks)}]}
        out["blocks"] = [*out["blocks"], heading, para]
    body = with_docx_toc({**ast, "blocks": out["blocks"]}, meta)["blocks"]
    out["blocks"] = [*title_block(meta), *body]
    return out


def with_draft_markers(ast: dict[str, Any]) -> dict[str, Any]:
    """A draft marker, [text]{.todo}, in the "Draft Marker" character style (shaded, as the
    PDF and the web page highlight it). The cited AST itself is left as it is: it is copied
    only when it has a marker (a copy is 0.5 s at 300 pages)."""
    if not any("todo" in s["c"][0][1] for s in tree.nodes(ast["blocks"], "Span")):
        return ast
    out = {**ast, "blocks": pandoc_copy(ast["blocks"])}

    def mark(node: tree.Node) -> None:
        if node.get("t") == "Span" and "todo" in node["c"][0][1]:
            attrs = [kv for kv in node["c"][0][2] if kv[0] != "custom-style"]
            node["c"][0] = [
                node["c"][0][0],
                node["c"][0][1],
                [*attrs, ["custom-style", "Draft Marker"]],
            ]

    tree.walk(out["blocks"], mark)
    return out


# Word's page break: a paragraph holding only a break run.
_PAGE_BREAK: tree.Node = {
    "t": "RawBlock",
    "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'],
}


def with_page_breaks(ast: dict[str, Any]) -> dict[str, Any]:
    """`\\newpage` (rawtex.lua's empty div of class page-break) as a page break in Word, as it
    is one in the PDF; pandoc's Word writer would drop the empty div."""

    def breaks(blocks: list[tree.Node]) -> list[tree.Node]:
        out: list[tree.Node] = []
        for block in blocks:
            if block.get("t") == "Div" and "page-break" in block["c"][0][1] and not block["c"][1]:
                out.append(_PAGE_BREAK)
            elif block.get("t") == "Div":
                out.append({"t": "Div", "c": [block["c"][0], breaks(block["c"][1])]})
            else:
                out.append(block)
        return out

    return {**ast, "blocks": breaks(ast["blocks"])}


def pandoc_copy(value: Any) -> Any:
    """A deep copy of AST JSON (lists and dicts only; faster than copy.deepcopy)."""
    if isinstance(value, dict):
        return {k: pandoc_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pandoc_copy(v) for v in value]
    return value


def build_time() -> dt.datetime:
    """When the document was made: now, or SOURCE_DATE_EPOCH for a reproducible build. (pandoc
    runs sandboxed, and its sandbox stamps every DOCX 1970-01-01.)"""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def with_core_properties(data: bytes, authors: list[str], when: dt.datetime) -> bytes:
    """The DOCX with docProps/core.xml's creator (the authors' names, "; " between them) and
    its created and modified dates set; every other part is copied as it is."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return rewrite_parts(data, {"docProps/core.xml": lambda text: _core(text, authors, stamp)})


def rewrite_parts(
    data: bytes, edits: dict[str, Callable[[str], str]], added: dict[str, bytes] | None = None
) -> bytes:
    """The DOCX with each part named in `edits` rewritten by its function (the part's XML as
    text in, out); every other part copied as it is, in order; then the parts `added`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in edits:
                content = edits[info.filename](content.decode("utf-8")).encode("utf-8")
            z.writestr(info, content)
        for name, content in (added or {}).items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def _core(text: str, authors: list[str], stamp: str) -> str:
    text = re.sub(r"<dc:creator>.*?</dc:creator>|<dc:creator\s*/>", "", text, flags=re.S)
    if authors:
        creator = f"<dc:creator>{escape('; '.join(authors), quote=False)}</dc:creator>"
        text = text.replace("</cp:coreProperties>", creator + "</cp:coreProperties>")
    for tag in ("created", "modified"):
        text = re.sub(
            rf"(<dcterms:{tag}\b[^>]*>).*?(</dcterms:{tag}>)",
            rf"\g<1>{stamp}\g<2>",
            text,
            flags=re.S,
        )
    return text
