"""The PDF: the print page (templates/print.* or handout.*) laid out by WeasyPrint, with every
note on its call's page, then written as a tagged PDF/UA-1 file."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import mathsvg, pandoc, weasy_tables
from ..config import FILTERS, Document, Project
from ..errors import Diagnostics, PressroomError
from ..model import Cited, Output
from ..write import write_if_changed
from . import code, measure, print_urls
from .base import Draft, PandocJob, html_writer, page_json
from .handout import is_handout, require_one_page
from .page import css_line, css_origin, render_page

if TYPE_CHECKING:  # (imported when a PDF is made: WeasyPrint takes 0.4 s to load)
    from ..weasy import Laid
    from ..weasy_incremental import State

PRINT_NOTES = FILTERS / "print-notes.lua"
MAX_PLACEMENT_PASSES = 6
_BLOCK = re.compile(r"<(p|li|h[2-6]|blockquote|tr|figure|dt|dd)(?=[\s>])")


class PdfRenderer:
    fmt = "pdf"

    def prepare(self, project: Project) -> None:
        settings_file(project)

    def job(self, cited: Cited, project: Project) -> PandocJob:
        page = pandoc.to_json(cited.ast) if is_handout(cited.doc.meta) else page_json(cited)
        return PandocJob(_writer(cited), print_urls.breakable(page), frozenset({PRINT_NOTES}))

    def quick(self, cited: Cited, project: Project, draft: Draft) -> None:
        """watch: after an edit cited incrementally, the preview drafted from the last print
        page with the edited paragraph spliced in (pressroom/page_incremental.py), before
        pandoc writes the whole page; nothing when it cannot be (the whole page follows)."""
        from .. import page_incremental, weasy_incremental

        out = project.output(cited.doc.name, self.fmt)
        state = weasy_incremental.STORE.get(str(out))
        if not incremental_on() or state is None or is_handout(cited.doc.meta):
            return
        if page_incremental.SPLICED.get(str(out), ("",))[0] == cited.origin:
            return  # drafted (or tried) already, in the watch process (watch_preview.py)
        quiet = Diagnostics(project.root, echo=False)  # (the whole page's build warns)
        html = page_incremental.spliced(
            str(out),
            cited.ast,
            cited.origin,
            state.html,
            state.origin,
            _writer(cited),
            lambda body: printable(cited, body, quiet),
            _BLOCK,
        )
        if html is not None:
            roots = [project.root, *project.template_dirs]
            locate = lambda needle: _locate(cited, print_sheets(cited.doc, project), needle)  # noqa: E731
            _quick_preview(out, html, cited.doc, roots, locate, draft, cited.origin)

    def render(
        self,
        cited: Cited,
        job: PandocJob,
        body: bytes,
        project: Project,
        diagnostics: Diagnostics,
        draft: Draft | None = None,
    ) -> Output:
        """Lay out the print page; bring every note back to its call's page; write the PDF."""
        return self.start(cited, job, body, project, diagnostics, draft)()

    def start(
        self,
        cited: Cited,
        job: PandocJob,
        body: bytes,
        project: Project,
        diagnostics: Diagnostics,
        draft: Draft | None = None,
    ) -> Callable[[], Output]:
        """watch's preview drafted now, before the document's other formats are made (from
        the last layout's pages, else from a full layout); the rest of the layout, if any, and
        the tagged PDF when the function returned is called.

        When the first lines of a paragraph overflow a page, WeasyPrint 70 makes room by moving
        an earlier note of that page to the next one (and, moving two, can lose one): WeasyPrint
        #1564, #2502. The patch in weasy_patch.py turns that decision off; should it not apply,
        the paragraph that ends such a page starts the next one and the page is laid out again,
        until every note sits on its call's page."""
        from .. import weasy  # here: only a build that makes a PDF pays for WeasyPrint

        doc = cited.doc
        roots = [project.root, *project.template_dirs]
        fixes: dict[str, str] = {}
        text = printable(cited, body.decode("utf-8"), diagnostics)
        out = project.output(doc.name, self.fmt)
        locate = lambda needle: _locate(cited, print_sheets(doc, project), needle)  # noqa: E731
        quick = False  # watch: a preview drafted from the last layout's pages
        if draft is not None and incremental_on():
            first = print_html(doc, project, text)[0]
            # (the preview drafted from the spliced page, if that is this page, stands)
            quick = _check_spliced(str(out), first, cited.origin) or _quick_preview(
                out, first, doc, roots, locate, draft, cited.origin
            )

        def lay_out() -> Callable[[], Output]:
            state = None  # watch: what this layout leaves for the next preview
            drafted = None  # watch: the preview, if drafted while it was laid out
            for attempt in range(MAX_PLACEMENT_PASSES):
                html, reads = print_html(doc, project, text, fixes)
                if draft is not None and not quick and incremental_on():
                    laid, state, drafted = _recorded_layout(
                        out, html, doc, roots, locate, draft, attempt == 0
                    )
                else:
                    laid = weasy.layout(html, doc.source.parent, roots, locate)
                where = weasy.placement(laid.document)
                if where.too_tall:
                    n = min(where.too_tall, key=int)
                    raise PressroomError(
                        f"note {n} is too long to print at the foot of a page (notes may take 60% "
                        "of a page and cannot continue on the next): shorten it, or move part of "
                        "it into the text",
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
            for page, snippet in measure.overflowing(laid.document.pages):
                path, line = (
                    cited.source_map.locate(snippet[:40], whole=False)
                    if snippet
                    else (
                        doc.source,
                        None,
                    )
                )
                diagnostics.warn(
                    f"runs past the right margin on page {page}: '{snippet[:60]}'",
                    "pdf.overflow",
                    path,
                    line,
                )
            sheets = print_sheets(doc, project)
            for warning in laid.warnings:
                message, path, line = warning.message, warning.path or doc.source, warning.line
                at = _CSS_AT.search(message)
                origin = css_origin(html, sheets, int(at.group(1))) if at else None
                if at and origin:  # a rule of a stylesheet: its file and line, not the document
                    message = message[: at.start()] + message[at.end() :]
                    path, line = origin
                diagnostics.warn(message, warning.kind, path, line)
            if is_handout(doc.meta):
                require_one_page(laid.document, doc.source, str(doc.meta.get("paper-size") or "a4"))
            if (
                draft is not None and not quick
            ):  # watch: the pages on screen before the tagged write
                preview = drafted or weasy.write(laid.document, preview=True)
                if drafted is None:
                    draft(Output(out, preview, frozenset()))
                if state is not None:
                    from .. import weasy_incremental

                    state.pdf, state.origin = preview, cited.origin
                    weasy_incremental.keep(str(out), state)
            return lambda: self._written(laid, html, reads, cited, job, project)

        if draft is not None and not quick:  # watch: the preview from the full layout, now
            return lay_out()
        return lambda: lay_out()()

    def _written(
        self,
        laid: Laid,
        html: str,
        reads: set[Path],
        cited: Cited,
        job: PandocJob,
        project: Project,
    ) -> Output:
        """The tagged PDF of a layout, with its inputs and facts."""
        from .. import weasy

        pdf = weasy.write(laid.document)
        inputs = cited.inputs | job.inputs | reads | laid.read | weasy.fonts_used(laid.document)
        facts = {
            "pages": len(laid.document.pages),
            "title": _between(html, "<title>", "</title>"),
            "lang": _between(html, '<html lang="', '"'),
            "tagged": weasy.PDF_VARIANT,
            "fonts": weasy.font_names(laid.document),
            "missing_glyphs": weasy.missing_glyphs(laid.document),
        }
        return Output(
            project.output(cited.doc.name, self.fmt),
            pdf,
            frozenset(inputs | {settings_file(project)}),
            facts,
        )


RENDERER = PdfRenderer()


def incremental_on() -> bool:
    """Whether watch's previews are laid out incrementally (PRESSROOM_INCREMENTAL=0: never)."""
    return os.environ.get("PRESSROOM_INCREMENTAL", "1") != "0"


def prime(cited: Cited, project: Project) -> None:
    """watch: lay out a current PDF's preview once, writing nothing, so that the first edit's
    preview is laid out again only from the page it changed (pressroom/weasy_incremental.py).
    The preview of an edit compares against the print page as first made (before any fix for
    a misplaced note), so that is the page laid out here."""
    from .. import weasy, weasy_incremental

    job = RENDERER.job(cited, project)
    (body,) = pandoc.run_many([(job.args, job.stdin)], cited.doc.source)
    quiet = Diagnostics(project.root, echo=False)  # (the build that made the PDF warned)
    html = print_html(cited.doc, project, printable(cited, body.decode("utf-8"), quiet))[0]
    roots = [project.root, *project.template_dirs]
    laid, state = weasy_incremental.full_layout(html, cited.doc.source.parent, roots)
    if state is not None:
        state.pdf, state.origin = weasy.write(laid.document, preview=True), cited.origin
        weasy_incremental.keep(str(project.output(cited.doc.name, "pdf")), state)


def warm(project: Project, name: str) -> str:
    """watch, on its preview thread once its first build is done: what the first preview of
    document `name`'s PDF would do for the first time there, done ahead, writing nothing
    (pressroom/weasy_incremental.py's warm); says what was done, or why not. A handout's
    preview is the builder's (quick drafts none): nothing to ready."""
    from .. import weasy_incremental
    from ..config import load_document

    doc = load_document(project, name)
    if is_handout(doc.meta):
        return "not readied: a handout"
    roots = [project.root, *project.template_dirs]
    return weasy_incremental.warm(str(project.output(name, "pdf")), doc.source.parent, roots)


def _recorded_layout(
    out: Path,
    html: str,
    doc: Document,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]],
    draft: Draft,
    first: bool,
) -> tuple[Laid, State | None, bytes | None]:
    """watch: the full layout that leaves the state for the next preview; on the first pass,
    with a long preview's second half laid out in parallel where pressroom/weasy_parallel.py
    allows, that preview drafted as soon as it is spliced (returned too: None if it was not)."""
    from .. import weasy_incremental, weasy_parallel

    if not first:
        return (*weasy_incremental.full_layout(html, doc.source.parent, roots, locate), None)
    laid, state, result = weasy_parallel.full_layout(
        str(out),
        html,
        doc.source.parent,
        roots,
        locate,
        on_preview=lambda pdf: draft(Output(out, pdf, frozenset())),
    )
    if result.said:
        weasy_incremental.log.info("%s: %s", out.name, result.message)
    return laid, state, result.pdf


def _writer(cited: Cited) -> list[str]:
    """The print page's pandoc writer: HTML, with notes made for print. (Its URLs are made
    breakable in the JSON it reads: print_urls.breakable.)"""
    return [*html_writer(cited), "--lua-filter", str(PRINT_NOTES)]


def _check_spliced(key: str, page: str, origin: str) -> bool:
    """Whether the preview on disk was laid out from `page`, spliced (page_incremental.py)
    before pandoc wrote it whole. A spliced page that differs from pandoc's is a bug: said, and
    the preview is laid out again from pandoc's."""
    from .. import page_incremental, weasy_incremental

    of, spliced = page_incremental.SPLICED.pop(key, ("", None))
    if of != origin:
        return False
    if spliced is not None and spliced != page:
        weasy_incremental.log.warning(
            "%s: the spliced print page differs from pandoc's (a bug): laid out again",
            Path(key).name,
        )
    state = weasy_incremental.STORE.get(key)
    return spliced == page and state is not None and state.html == page


def _quick_preview(
    out: Path,
    html: str,
    doc: Document,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]],
    draft: Draft,
    origin: str = "",
) -> bool:
    """watch: the preview laid out again only from the edit on (pressroom/weasy_incremental.py),
    drafted before the full layout; False when it cannot be (the progress line says why).
    `origin` names the cite the page was made from."""
    from .. import weasy_incremental

    try:
        outcome = weasy_incremental.preview(
            str(out), html, doc.source.parent, roots, locate, origin
        )
    except Exception as exc:  # any doubt, a bug included: the full layout follows anyway
        outcome = weasy_incremental.Outcome(None, f"pdf preview in full: {type(exc).__name__}")
    weasy_incremental.log.info("%s: %s", out.name, outcome.message)
    if outcome.pdf is None:
        return False
    draft(Output(out, outcome.pdf, frozenset()))
    return True


def printable(cited: Cited, body: str, diagnostics: Diagnostics) -> str:
    """The pandoc body made fit for print: math drawn, long code lines wrapped with a mark,
    wide tables set smaller."""

    def failed(f: mathsvg.Failed) -> None:
        path, line = cited.source_map.locate(f.tex, whole=False)
        # Math over several lines (an aligned block) is found by its first line of TeX.
        first = next((t.strip() for t in f.tex.splitlines() if t.strip()), "")
        if line is None and first != f.tex.strip():
            path, line = cited.source_map.locate(first, whole=False)
        diagnostics.warn(f"math not fully typeset ({f.reason}): {f.tex}", "math.tex", path, line)

    return measure.mark_wide_tables(code.wrap(mathsvg.typeset(body, failed)))


def settings_file(project: Project) -> Path:
    """build/.cache/pdf-settings.json: the command line's page size, an input of every PDF (so
    `--paper letter` rebuilds them, and building again without it goes back to A4)."""
    path = project.build_dir / ".cache" / "pdf-settings.json"
    settings = {"paper-size": project.overrides.get("paper-size")}
    write_if_changed(path, json.dumps(settings, sort_keys=True).encode("utf-8"))
    return path


def number_blocks(body: str) -> str:
    """Give every block a `data-b` number, so a layout fix can name it in CSS."""
    count = iter(range(1, 10**9))
    return _BLOCK.sub(lambda m: f'<{m.group(1)} data-b="{next(count)}"', body)


def _SHEETS(kind: str) -> tuple[str, ...]:
    # type.css: the faces every printed page shares; then the page's own layout.
    # elements.css: math, code, figures, wide tables and URLs, shared with the screen page.
    return ("type.css", f"{kind}.css", "elements.css")


def print_sheets(doc: Document, project: Project) -> list[Path]:
    """The stylesheet files of the print page, in order (the project's own, else the toolkit's)."""
    kind = "handout" if is_handout(doc.meta) else "print"
    return [project.template(name) for name in _SHEETS(kind)]


# WeasyPrint's place in a warning about a CSS rule: "at LINE:COLUMN" of the page's <style>.
_CSS_AT = re.compile(r" at (\d+):(\d+)")


def _locate(cited: Cited, sheets: list[Path], needle: str) -> tuple[Path, int | None]:
    """Where a resource the layout refused is named: in the document, else in a stylesheet."""
    path, line = cited.source_map.locate(needle, whole=False)
    if line is None and needle:
        for sheet in sheets:
            found = css_line(sheet, needle)
            if found:
                return sheet, found
    return path, line


def print_html(
    doc: Document, project: Project, body: str, fixes: dict[str, str] | None = None
) -> tuple[str, set[Path]]:
    """The print page that WeasyPrint lays out; `fixes` adds per-block layout rules."""
    body = number_blocks(body)
    if _labels_continued_tables(doc, project):
        body = weasy_tables.label_rows(body)
    # A handout is one page set in its own grid (render/handout.py, templates/handout.*).
    kind = "handout" if is_handout(doc.meta) else "print"
    html, reads = render_page(f"{kind}.html.j2", _SHEETS(kind), doc, project, body)
    if fixes:
        rules = "\n".join(f'[data-b="{b}"] {{ {rule} }}' for b, rule in sorted(fixes.items()))
        html = html.replace("</head>", f"<style>{rules}</style>\n</head>", 1)
    return html, reads


_COLLAPSE = re.compile(r"border-collapse\s*:\s*collapse")


def _labels_continued_tables(doc: Document, project: Project) -> bool:
    """Whether the layout will leave a table's "(continued)" label out of its first part: the
    patch is in effect and no print stylesheet collapses table borders (weasy_tables.py)."""
    from .. import weasy_patch

    weasy_patch.apply()  # once per process; this is the thread that lays the page out
    if "continued-tables" not in weasy_patch.applied():
        return False
    sheets = print_sheets(doc, project)
    return not any(_COLLAPSE.search(sheet.read_text("utf-8")) for sheet in sheets)


def _between(text: str, start: str, end: str) -> str:
    """The facts of a PDF that its own print page states (its <title>, its lang)."""
    if start not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0]
