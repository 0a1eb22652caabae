"""`pressroom diff`: both versions cited by the real pipeline, marked, and written through the
format renderers into build/diff/: NAME.pdf, NAME.html, NAME.docx (tracked changes) and
NAME.highlighted.docx, for every document the two versions share."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pandoc
from ..assets import embed_assets
from ..blind import DEFAULT_MASK, anonymize_keys, identities, masked
from ..config import Project, load_project
from ..documents import Corpus
from ..errors import Diagnostics, PressroomError
from ..model import Cited, Output
from ..render import RENDERERS
from ..write import atomic_write, check_writable
from . import docx, versions, views
from .diff import diff_documents
from .summary import summary
from .versions import Version

BLIND_OVERRIDES = {"authors": [], "acknowledgements": ""}  # as blind.blind_project


@dataclass(frozen=True)
class Request:
    """What the command line asked for."""

    old: Version
    new: Version
    author: str | None = None  # default: the new version's authors ("Author" when blind)
    date: str | None = None  # default: when the new version was made
    blind: bool = False
    documents: tuple[str, ...] = ()  # default: every document in both versions


def request(
    project: Project,
    old: str,
    new: str | None,
    author: str | None,
    date: str | None,
    blind: bool,
    documents: tuple[str, ...] = (),
) -> Request:
    """The command line's words as a Request: the versions found (a revision copied out of
    git), the date checked, blind as `submission` decides it."""
    from ..submission import wants_blind

    cache = project.build_dir / ".cache" / "diff"
    if date is not None:
        try:
            when = dt.datetime.fromisoformat(date)
        except ValueError:
            raise PressroomError(
                f"--date '{date}' is not an ISO date (e.g. 2026-05-01 or 2026-05-01T09:00)",
                kind="diff.date",
            ) from None
        date = _iso(when if when.tzinfo else when.replace(tzinfo=dt.UTC))
    return Request(
        old=versions.resolve(old, project.root, cache),
        new=versions.resolve(new, project.root, cache),
        author=author,
        date=date,
        blind=wants_blind(project, blind),
        documents=tuple(Path(d).stem for d in documents),
    )


def diff(project: Project, request: Request, diagnostics: Diagnostics) -> list[Path]:
    """Write build/diff/ for every document in both versions; returns the files written."""
    with _in(request.old):
        old = _side(request.old.root, project, request.blind)
        old_corpus = _corpus(old, request.blind)
    with _in(request.new):
        new = (
            project
            if request.new.root == project.root
            else _side(request.new.root, project, request.blind)
        )
        if request.blind:
            new = dataclasses.replace(new, overrides={**new.overrides, **BLIND_OVERRIDES})
        new_corpus = _corpus(new, request.blind)
    check_writable(project.build_dir)
    author = request.author or _author(project, request.blind)
    date = request.date or _iso(request.new.date)
    written: list[Path] = []
    shared = [n for n in new.documents if n in old.documents]
    for name in request.documents:
        if name not in shared:
            where = "the later version" if name not in new.documents else "the earlier version"
            raise PressroomError(
                f"no document '{name}' in {where}", project.manuscript, None, "diff.document"
            )
    for name in [n for n in shared if not request.documents or n in request.documents]:
        with _in(request.old):
            old_cited = old_corpus.cited(name)
        with _in(request.new):
            new_cited = new_corpus.cited(name)
        marked = diff_documents(old_cited.ast, new_cited.ast, author, date)
        if request.blind:  # after the diff: each side alone would number the keys its own way
            anonymize_keys(marked)
        outputs = _render(new_cited, marked, new, request, author, date, diagnostics)
        for output in outputs:
            # Into this project's build/diff/, whichever versions were compared.
            path = project.build_dir / "diff" / output.path.name
            atomic_write(path, output.data)
            written.append(path)
    if request.blind:
        _check_blind(project, written)
    return written


@contextmanager
def _in(version: versions.Version) -> Iterator[None]:
    """An error in a version other than the working tree says which version it is in (its
    path is the copy in build/.cache/diff/, which the user does not edit)."""
    try:
        yield
    except PressroomError as exc:
        if version.label != versions.WORKING_TREE:
            for error in [exc, *getattr(exc, "errors", [])]:  # PressroomErrors: each one too
                error.message += f" (in {version.label})"
        raise


def _side(root: Path, project: Project, blind: bool) -> Project:
    overrides = {**project.overrides, **(BLIND_OVERRIDES if blind else {})}
    return load_project(root, project.strict, overrides)


def _corpus(project: Project, blind: bool) -> Corpus:
    """The build's corpus; for a blind diff with self-citations masked (but keys kept: they
    are renamed once, in the marked document)."""
    corpus = Corpus(project)
    if blind:
        corpus.library = masked(project, corpus.library)
    return corpus


def _author(project: Project, blind: bool) -> str:
    if blind:
        mask = {**DEFAULT_MASK, **(project.metadata.get("blind-mask") or {})}
        return str(mask["author"])
    names = [
        str(a["name"])
        for a in project.metadata.get("authors") or []
        if isinstance(a, dict) and a.get("name")
    ]
    return ", ".join(names) or "Author"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _render(
    cited: Cited,
    marked: dict[str, Any],
    project: Project,
    request: Request,
    author: str,
    date: str,
    diagnostics: Diagnostics,
) -> list[Output]:
    """The four files of one document."""
    doc = cited.doc
    # A redline is laid out as a paper: the handout's one-page grid has no room for it.
    doc = dataclasses.replace(doc, meta={k: v for k, v in doc.meta.items() if k != "layout"})
    cited = embed_assets(dataclasses.replace(cited, doc=doc, ast=marked), project)
    formats = set(doc.formats)
    reader, records = views.number_changes(views.reader(cited.ast))
    head = summary(
        records,
        views.count_automatic(cited.ast),
        request.old.label,
        request.new.label,
        author,
        date,
        request.blind,
    )
    # The page view (HTML, PDF), the tracked DOCX and the highlighted DOCX: every pandoc
    # writer at once, side by side, then each renderer finishes its file.
    style = {"t": "RawBlock", "c": ["html", _stylesheet(project)]}
    page = views.for_html({**reader, "blocks": [style, *head, *reader["blocks"]]})
    plan: list[tuple[str, dict[str, Any], Callable[[Output], Output]]] = [
        (fmt, page, _keep) for fmt in ("html", "pdf") if fmt in formats
    ]
    if "docx" in formats:
        plan.append(("docx", cited.ast, lambda o: _tracked(o, author, date)))
        plan.append(("docx", views.highlighted(reader), _highlighted))
    views_cited = [dataclasses.replace(cited, ast=ast) for _, ast, _ in plan]
    jobs = [
        RENDERERS[fmt].job(c, project) for (fmt, _, _), c in zip(plan, views_cited, strict=True)
    ]
    try:
        bodies = pandoc.run_many([(j.args, j.stdin) for j in jobs], cited.doc.source)
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not write the redline: {exc.stderr.strip()}",
            doc.source,
            None,
            "pandoc.writer",
        ) from None
    outputs = [
        finish(RENDERERS[fmt].render(c, job, body, project, diagnostics))
        for (fmt, _, finish), c, job, body in zip(plan, views_cited, jobs, bodies, strict=True)
    ]
    return outputs


def _keep(output: Output) -> Output:
    return output


def _tracked(output: Output, author: str, date: str) -> Output:
    return dataclasses.replace(output, data=docx.tracked(output.data, author, date))


def _highlighted(output: Output) -> Output:
    return dataclasses.replace(
        output,
        path=output.path.with_suffix(".highlighted.docx"),
        data=docx.highlighted(output.data),
    )


def _stylesheet(project: Project) -> str:
    """templates/redline.css (the project's own, else the toolkit's) as a <style> element
    before the body: WeasyPrint and browsers apply it after the page's own sheets."""
    path = project.template("redline.css")
    return f"<style>\n{path.read_text('utf-8')}\n</style>\n"


def _check_blind(project: Project, written: list[Path]) -> None:
    """The submission's leak check over every file written: no author's name, surname,
    affiliation, e-mail or ORCID in any text or metadata."""
    from ..submission import revealed

    wanted = identities(project)
    for path in written:
        for kind, part in revealed(wanted, path.name, path.read_bytes()):
            message = f"blind diff reveals the author's {kind} in {part}"
            raise PressroomError(message, path, None, "blind.leak")
