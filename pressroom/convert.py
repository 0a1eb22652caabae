"""Stage `convert`: one cited AST, written by pandoc as screen HTML, print HTML and DOCX at once."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pandoc, tree
from .cite import FILTERS, Cited, locate
from .config import Project
from .errors import PressroomError
from .pages import conference_line
from .safety import check_pixels, check_raw_html, check_style

PRINT_NOTES = FILTERS / "print-notes.lua"
MAX_IMAGE = 50_000_000  # bytes


@dataclass(frozen=True)
class Converted:
    """pandoc's output for one document, per format asked for."""

    cited: Cited
    web_body: str | None
    print_body: str | None
    docx: bytes | None
    inputs: dict[str, frozenset[Path]]  # per format: what its output was made from so far


def embed_assets(cited: Cited, project: Project) -> Cited:
    """Resolve every image inside the project and inline it as a data: URL.

    pandoc runs with --sandbox, so it reads no file by itself; WeasyPrint and the browser
    then get the very bytes that were checked (research/reliability.md §2)."""
    # In place: the AST is this build's own, and an embedded image (data:) is skipped if seen
    # again; a copy would double the memory of a 300-page document.
    ast = cited.ast
    images: set[Path] = set()
    base = cited.assembled.doc.source.parent.resolve()
    root = project.root.resolve()

    def visit(node: tree.Node) -> None:
        if node.get("t") in ("RawInline", "RawBlock") and node["c"][0] == "html":
            check_raw_html(node["c"][1], base, root, where)
            return
        attr = _attr(node)
        for key, value in attr[2] if attr else []:
            if key == "style":
                check_style(value, base, root, where)
        if node.get("t") != "Image":
            return
        target = node["c"][2][0]
        if target.startswith("data:"):
            return
        path_at, line = locate(cited.assembled, target)
        if "://" in target or target.startswith("//"):
            raise PressroomError(
                f"image '{target}' is not a project file; download it into manuscript/figures/",
                path_at,
                line,
                "asset.remote",
            )
        path = (base / target).resolve()
        if not path.is_relative_to(root):
            raise PressroomError(
                f"image '{target}' lies outside the project", path_at, line, "asset.outside"
            )
        if not path.is_file():
            raise PressroomError(f"image '{target}' not found", path_at, line, "asset.missing")
        data = path.read_bytes()
        if len(data) > MAX_IMAGE:
            raise PressroomError(
                f"image '{target}' is larger than 50 MB", path_at, line, "asset.size"
            )
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if not mime.startswith("image/"):
            raise PressroomError(f"'{target}' is not an image", path_at, line, "asset.type")
        check_pixels(data, target, (path_at, line))
        node["c"][2][0] = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        images.add(path)

    def where(needle: str) -> tuple[Path, int | None]:
        return locate(cited.assembled, needle, whole=False)

    tree.walk(ast["blocks"], lambda n: visit(n))
    return Cited(
        assembled=cited.assembled,
        ast=ast,
        citations=cited.citations,
        inputs=cited.inputs | images,
        notes=cited.notes,
        keys=cited.keys,
        warnings=cited.warnings,
    )


def _attr(node: tree.Node) -> list[Any] | None:
    """The node's pandoc Attr [id, classes, [[key, value]...]], if it has one."""
    t, c = node.get("t"), node.get("c")
    if t in ("Div", "Span", "CodeBlock", "Code", "Link", "Image", "Table", "Figure"):
        return c[0] if isinstance(c, list) and c else None
    if t == "Header":
        return c[1] if isinstance(c, list) and len(c) > 1 else None
    return None


def convert(cited: Cited, project: Project, formats: set[str]) -> Converted:
    """Run the pandoc writers the formats need, side by side."""
    doc = cited.assembled.doc
    ast = pandoc.to_json(cited.ast)
    common = ["-f", "json", "--wrap=none"]
    html = ["-t", "html5", "--shift-heading-level-by=1", "--section-divs", *common]
    jobs: dict[str, tuple[list[str], bytes]] = {}
    inputs = {fmt: cited.inputs for fmt in formats}
    if "html" in formats:
        jobs["web"] = (html, ast)
    if "pdf" in formats:
        jobs["print"] = ([*html, "--lua-filter", str(PRINT_NOTES)], ast)
        inputs["pdf"] |= {PRINT_NOTES}
    if "docx" in formats:
        reference = project.template("reference.docx")
        inputs["docx"] |= {reference.resolve()}
        jobs["docx"] = (
            ["-f", "json", "-t", "docx", "--reference-doc", str(reference), "-o", "-"],
            pandoc.to_json(with_docx_meta(cited.ast, doc.meta, doc.name)),
        )
    results = dict(zip(jobs, pandoc.run_many(list(jobs.values())), strict=True))
    return Converted(
        cited=cited,
        web_body=results["web"].decode("utf-8") if "web" in results else None,
        print_body=results["print"].decode("utf-8") if "print" in results else None,
        docx=results.get("docx"),
        inputs=inputs,
    )


def _meta_string(text: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": text}


def with_docx_meta(ast: dict[str, Any], meta: dict[str, Any], name: str = "") -> dict[str, Any]:
    """Title, authors, keywords and language for the Word title block and core.xml."""
    out = dict(ast)
    # Build settings would land in docProps/custom.xml, absolute paths (a user name) included.
    private = ("bibliography", "csl", "link-citations", "references", "lang")
    m = {k: v for k, v in ast.get("meta", {}).items() if k not in private}
    label = meta.get("label")
    title = str(meta.get("title") or "")
    if title:
        m["title"] = _meta_string(title)
    if meta.get("subtitle"):
        m["subtitle"] = _meta_string(str(meta["subtitle"]))
    authors = []
    for a in meta.get("authors") or []:
        if isinstance(a, dict) and a.get("name"):
            parts = [str(a["name"])] + [str(a[k]) for k in ("affiliation", "email") if a.get(k)]
            authors.append(_meta_string(", ".join(parts)))
    if authors:
        m["author"] = {"t": "MetaList", "c": authors}
    conference = conference_line(meta.get("conference"))
    if conference:
        m["date"] = _meta_string(conference)
    if meta.get("keywords"):
        # Inlines, not strings: pandoc's DOCX writer leaves MetaStrings in a list empty.
        inlines = [{"t": "MetaInlines", "c": [{"t": "Str", "c": str(k)}]} for k in meta["keywords"]]
        m["keywords"] = {"t": "MetaList", "c": inlines}
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
    if label:
        # The document's kind ("Source Appendix") opens the body in its own restylable style.
        para = {"t": "Para", "c": [{"t": "Str", "c": str(label)}]}
        div = {"t": "Div", "c": [["", ["label"], [["custom-style", "Label"]]], [para]]}
        out["blocks"] = [div, *out["blocks"]]
    return out
