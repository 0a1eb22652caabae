"""Stage `render`: screen HTML, DOCX and PDF outputs from pandoc's converted bodies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import TOOLKIT_ROOT, Project
from .convert import Converted
from .errors import Diagnostics
from .pages import render_page

MAX_PLACEMENT_PASSES = 4


@dataclass(frozen=True)
class Output:
    """One finished file, with every file it was made from."""

    path: Path
    data: bytes
    inputs: frozenset[Path]
    pages: int | None = None


def output_path(project: Project, name: str, fmt: str) -> Path:
    return project.build_dir / f"{name}.{fmt}"


def render_html(converted: Converted, project: Project) -> Output:
    """The standalone screen page: title block, body, notes beside the text on wide screens."""
    doc = converted.cited.assembled.doc
    assert converted.web_body is not None
    html, reads = render_page("page.html.j2", "web.css", doc, project, converted.web_body)
    return Output(output_path(project, doc.name, "html"), html.encode("utf-8"), converted.inputs | reads)


def render_docx(converted: Converted, project: Project) -> Output:
    doc = converted.cited.assembled.doc
    assert converted.docx is not None
    return Output(output_path(project, doc.name, "docx"), converted.docx, converted.inputs)


def print_html(converted: Converted, project: Project, fixes: dict[str, str] | None = None) -> tuple[str, set[Path]]:
    """The print page that WeasyPrint lays out; `fixes` adds per-note placement rules."""
    doc = converted.cited.assembled.doc
    assert converted.print_body is not None
    html, reads = render_page("print.html.j2", "print.css", doc, project, converted.print_body)
    if fixes:
        rules = "\n".join(f"#fn{n} {{ {rule} }}" for n, rule in sorted(fixes.items()))
        html = html.replace("</head>", f"<style>{rules}</style>\n</head>", 1)
    return html, reads


def render_pdf(converted: Converted, project: Project, diagnostics: Diagnostics) -> Output:
    """Lay out the print page; move any note that left its call's page, then write the PDF.

    WeasyPrint pushes a note that does not fit to the next page while its call stays behind
    (WeasyPrint #1564, #2502). `footnote-policy: line` in print.css moves the calling line
    along with the note; a note that still lands elsewhere gets `footnote-policy: block`, which
    moves its whole paragraph, and the page is laid out again."""
    from . import weasy  # imported here: only a build that makes a PDF pays for WeasyPrint

    doc = converted.cited.assembled.doc
    roots = [project.root, *project.template_dirs]
    fixes: dict[str, str] = {}
    for _ in range(MAX_PLACEMENT_PASSES):
        html, reads = print_html(converted, project, fixes)
        document, fetcher, messages = weasy.layout(html, doc.source.parent, roots)
        misplaced = {
            n: (call, note)
            for n, (call, note) in weasy.note_pages(document).items()
            if call is not None and note is not None and call != note
        }
        new = {n for n in misplaced if n not in fixes}
        if not new:
            break
        fixes.update({n: "footnote-policy: block" for n in new})
    for n, (call, note) in sorted(misplaced.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        diagnostics.warn(
            f"note {n} is called on page {call} but printed on page {note}",
            "pdf.footnote-placement",
            doc.source,
        )
    for message in messages:
        diagnostics.warn(message, "pdf.weasyprint", doc.source)
    pdf = weasy.write(document)
    inputs = converted.inputs | reads | fetcher.read | weasy.fonts_used(document)
    inputs |= {TOOLKIT_ROOT / "pressroom" / "weasy.py"}
    return Output(output_path(project, doc.name, "pdf"), pdf, frozenset(inputs), len(document.pages))
