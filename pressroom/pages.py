"""Page templates: wrap a pandoc body in the Jinja page (screen or print) with the title block."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from . import yamlio
from .config import Document, Project
from .errors import PressroomError


class _TemplateLoader(jinja2.BaseLoader):
    """The project's templates/ first, then the toolkit's; records what it reads."""

    def __init__(self, project: Project, reads: set[Path]) -> None:
        self.project = project
        self.reads = reads

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        for base in self.project.template_dirs:
            path = (base / template).resolve()
            if path.is_relative_to(base.resolve()) and path.is_file():
                self.reads.add(path)
                return yamlio.read_text(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


def _css_string(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def render_page(
    template: str, css: tuple[str, ...], doc: Document, project: Project, body: str
) -> tuple[str, set[Path]]:
    """Render `template` around `body` with the stylesheets `css`, in order: (html, reads)."""
    reads: set[Path] = set()
    env = SandboxedEnvironment(
        loader=_TemplateLoader(project, reads),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = _css_string
    sheets = [project.template(name) for name in css]
    reads.update(sheet.resolve() for sheet in sheets)
    try:
        page = env.get_template(template)
        html = page.render(
            **page_context(doc, project),
            css=jinja2.filters.Markup("\n".join(yamlio.read_text(sheet) for sheet in sheets)),
            body=body,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise PressroomError(
            f"template syntax: {exc.message}", exc.filename, exc.lineno, "template.syntax"
        ) from None
    except jinja2.TemplateError as exc:
        raise PressroomError(
            f"page template: {exc}", project.template(template), None, "template.error"
        ) from None
    return html, reads


def page_context(doc: Document, project: Project) -> dict[str, Any]:
    """What a page template sees: the merged metadata and a few derived strings."""
    meta = doc.meta
    authors = [
        {k: str(a.get(k) or "") for k in ("name", "affiliation", "email", "orcid")}
        for a in meta.get("authors") or []
        if isinstance(a, dict)
    ]
    title = str(meta.get("title") or doc.name)
    subtitle = meta.get("subtitle")
    label = meta.get("label")
    full_title = f"{title}: {subtitle}" if subtitle else title
    surnames = [str(a["name"]).split()[-1] for a in authors]
    running_author = " and ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
    size = str(meta.get("paper-size") or "a4").lower()
    return {
        "meta": meta,
        "name": doc.name,
        "lang": str(meta.get("lang") or "en-US"),
        "title": f"{label}: {full_title}" if label else full_title,
        "label": label,
        # The title block's own fields: a document without a subtitle (or a title) still
        # renders under StrictUndefined.
        "heading": title,
        "subtitle": str(subtitle or ""),
        "authors": authors,
        "keywords": [str(k) for k in meta.get("keywords") or []],
        "subject": subtitle or "",
        "conference": conference_line(meta.get("conference")),
        "running_title": str(meta.get("short-title") or title),
        "running_author": running_author,
        "page_size": "letter" if size == "letter" else "A4",
        "title_block": meta.get("title-block", True) is not False,
    }


def conference_line(conf: Any) -> str:
    """'Paper presented at NAME, PLACE, DATES' from the conference mapping."""
    if not isinstance(conf, dict) or not conf.get("name"):
        return ""
    parts = [str(conf["name"])]
    if conf.get("place"):
        parts.append(str(conf["place"]))
    if conf.get("dates"):
        parts.append(str(conf["dates"]))
    return "Paper presented at " + ", ".join(parts)


def session_when(conf: Any) -> str:
    """'5 June 2026, 09:00 (Europe/London)' for the talk's session."""
    session = conf.get("session") if isinstance(conf, dict) else None
    if not isinstance(session, dict) or not session.get("date"):
        return ""
    try:
        day = dt.date.fromisoformat(str(session["date"]))
        text = f"{day.day} {day:%B %Y}"
    except ValueError:
        text = str(session["date"])
    if session.get("time"):
        text += f", {session['time']}"
    if session.get("timezone"):
        text += f" ({session['timezone']})"
    return text
