"""The DOCX: pandoc's Word writer with the reference document's styles, real footnotes, and
the title block and properties from the metadata."""

from __future__ import annotations

from typing import Any

from .. import pandoc
from ..config import Project
from ..errors import Diagnostics
from ..meta import conference_line
from ..model import Cited, Output
from .base import PandocJob


class DocxRenderer:
    fmt = "docx"

    def prepare(self, project: Project) -> None:
        pass

    def job(self, cited: Cited, project: Project) -> PandocJob:
        reference = project.template("reference.docx").resolve()
        ast = with_docx_meta(cited.ast, cited.doc.meta, cited.doc.name)
        args = ["-f", "json", "-t", "docx", "--reference-doc", str(reference), "-o", "-"]
        return PandocJob(args, pandoc.to_json(ast), frozenset({reference}))

    def render(
        self, cited: Cited, job: PandocJob, body: bytes, project: Project, diagnostics: Diagnostics
    ) -> Output:
        return Output(project.output(cited.doc.name, self.fmt), body, cited.inputs | job.inputs)


RENDERER = DocxRenderer()


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
