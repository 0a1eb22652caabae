"""Stage `render`: screen HTML, DOCX and PDF outputs from pandoc's converted bodies."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .cite import locate
from .config import Project
from .convert import Converted
from .errors import Diagnostics, PressroomError
from .handout import is_handout, require_one_page
from .pages import render_page
from .write import write_if_changed

MAX_PLACEMENT_PASSES = 6


@dataclass(frozen=True)
class Output:
    """One finished file, with every file it was made from."""

    path: Path
    data: bytes
    inputs: frozenset[Path]
    pages: int | None = None
    facts: dict[str, object] = field(default_factory=dict)  # what preflight checks (PDFs)


def pdf_settings(project: Project) -> Path:
    """build/.cache/pdf-settings.json: the command line's page size, an input of every PDF (so
    `--paper letter` rebuilds them, and building again without it goes back to A4)."""
    path = project.build_dir / ".cache" / "pdf-settings.json"
    settings = {"paper-size": project.overrides.get("paper-size")}
    write_if_changed(path, json.dumps(settings, sort_keys=True).encode("utf-8"))
    return path


def output_path(project: Project, name: str, fmt: str) -> Path:
    return project.build_dir / f"{name}.{fmt}"


def render_html(converted: Converted, project: Project) -> Output:
    """The standalone screen page: title block, body, notes beside the text on wide screens."""
    doc = converted.cited.assembled.doc
    assert converted.web_body is not None
    html, reads = render_page("page.html.j2", ("web.css",), doc, project, converted.web_body)
    return Output(
        output_path(project, doc.name, "html"),
        html.encode("utf-8"),
        converted.inputs["html"] | reads,
    )


def render_docx(converted: Converted, project: Project) -> Output:
    doc = converted.cited.assembled.doc
    assert converted.docx is not None
    return Output(output_path(project, doc.name, "docx"), converted.docx, converted.inputs["docx"])


_BLOCK = re.compile(r"<(p|li|h[2-6]|blockquote|tr|figure|dt|dd)(?=[\s>])")


def number_blocks(body: str) -> str:
    """Give every block a `data-b` number, so a layout fix can name it in CSS."""
    count = iter(range(1, 10**9))
    return _BLOCK.sub(lambda m: f'<{m.group(1)} data-b="{next(count)}"', body)


def print_html(
    converted: Converted, project: Project, fixes: dict[str, str] | None = None
) -> tuple[str, set[Path]]:
    """The print page that WeasyPrint lays out; `fixes` adds per-block layout rules."""
    doc = converted.cited.assembled.doc
    assert converted.print_body is not None
    body = number_blocks(converted.print_body)
    # A handout is one page set in its own grid (pressroom/handout.py, templates/handout.*).
    kind = "handout" if is_handout(doc.meta) else "print"
    # type.css: the faces every printed page shares; then the page's own layout.
    html, reads = render_page(f"{kind}.html.j2", ("type.css", f"{kind}.css"), doc, project, body)
    if fixes:
        rules = "\n".join(f'[data-b="{b}"] {{ {rule} }}' for b, rule in sorted(fixes.items()))
        html = html.replace("</head>", f"<style>{rules}</style>\n</head>", 1)
    return html, reads


def render_pdf(converted: Converted, project: Project, diagnostics: Diagnostics) -> Output:
    """Lay out the print page; bring every note back to its call's page; write the PDF.

    When the first lines of a paragraph overflow a page, WeasyPrint 70 makes room by moving an
    earlier note of that page to the next one (and, moving two, can lose one): WeasyPrint
    #1564, #2502; `_linebox_layout` in weasyprint/layout/block.py. Instead, the paragraph that
    ends such a page starts the next one (a gap of at most the orphan lines), and the page is
    laid out again, until every note sits on its call's page."""
    from . import weasy  # imported here: only a build that makes a PDF pays for WeasyPrint

    doc = converted.cited.assembled.doc
    roots = [project.root, *project.template_dirs]
    fixes: dict[str, str] = {}
    for _ in range(MAX_PLACEMENT_PASSES):
        html, reads = print_html(converted, project, fixes)
        document, fetcher, messages = weasy.layout(
            html,
            doc.source.parent,
            roots,
            lambda needle: locate(converted.cited.assembled, needle, whole=False),
        )
        where = weasy.placement(document)
        if where.too_tall:
            n = min(where.too_tall, key=int)
            raise PressroomError(
                f"note {n} is too long to print at the foot of a page (notes may take 60% of "
                "a page and cannot continue on the next): shorten it, or move part of it into "
                "the text",
                doc.source,
                None,
                "pdf.footnote-too-long",
            )
        misplaced = {n: pages for n, pages in where.notes.items() if pages[0] != pages[1]}
        new = {}
        for call, _note in misplaced.values():
            block = where.last_block.get(call) if call else None
            if block and where.first_page.get(block) == call and block not in fixes:
                new[block] = "break-before: page"
        if not new:
            break
        fixes.update(new)
    for n, (call, note) in sorted(
        misplaced.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0
    ):
        where_text = f"printed on page {note}" if note else "lost by the layout"
        diagnostics.warn(
            f"note {n} is called on page {call} but {where_text}",
            "pdf.footnote-placement",
            doc.source,
        )
    for warning in messages:  # pdf.patch-skipped, pdf.weasyprint
        diagnostics.warn(warning.message, warning.kind, doc.source)
    if is_handout(doc.meta):
        require_one_page(document, doc.source, str(doc.meta.get("paper-size") or "a4"))
    pdf = weasy.write(document)
    inputs = converted.inputs["pdf"] | reads | fetcher.read | weasy.fonts_used(document)
    inputs |= {pdf_settings(project)}
    facts = {
        "pages": len(document.pages),
        "title": html.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in html else "",
        "lang": html.split('<html lang="', 1)[-1].split('"', 1)[0]
        if '<html lang="' in html
        else "",
        "tagged": weasy.PDF_VARIANT,
        "fonts": weasy.font_names(document),
        "missing_glyphs": weasy.missing_glyphs(document),
    }
    return Output(
        output_path(project, doc.name, "pdf"), pdf, frozenset(inputs), len(document.pages), facts
    )
