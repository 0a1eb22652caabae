"""Page templates: wrap a pandoc body in the Jinja page (screen, print or handout) with the
title block; shared by the HTML and PDF renderers."""

from __future__ import annotations

import contextlib
import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import yamlio
from ..config import Document, Project
from ..errors import PressroomError
from ..fields import split_names, surname
from ..meta import conference_line, markdown_html
from ..templating import Loader, page_environment, render, syntax_error, too_deep


def render_page(
    template: str, css: tuple[str, ...], doc: Document, project: Project, body: str
) -> tuple[str, set[Path]]:
    """Render `template` around `body` with the stylesheets `css`, in order: (html, reads)."""
    reads: set[Path] = set()
    env = page_environment(Loader(project.template_dirs, reads))
    sheets = [project.template(name) for name in css]
    reads.update(sheet.resolve() for sheet in sheets)
    try:
        page = env.get_template(template)
    except jinja2.TemplateSyntaxError as exc:
        raise syntax_error(exc, project.template(template)) from None
    except (SyntaxError, RecursionError, MemoryError):
        raise too_deep(env, project.template(template)) from None
    except jinja2.TemplateNotFound:
        raise PressroomError(
            f"template '{template}' not found", project.root / "templates", None, "jinja.include"
        ) from None
    context = {
        **page_context(doc),
        "css": jinja2.filters.Markup("\n".join(yamlio.read_text(s) for s in sheets)),
        "body": body,
    }
    return render(page, context, project.template(template)), reads


def compile_ahead(project: Project, templates: tuple[str, ...]) -> None:
    """Compile page templates before any page is made (the build's parent, while the lead
    document is cited: the forked workers inherit them, templating._Compiled); a template
    that does not compile is left to the page that uses it to report."""
    env = page_environment(Loader(project.template_dirs, set()))
    for template in templates:
        with contextlib.suppress(Exception):
            env.get_template(template)


def page_context(doc: Document) -> dict[str, Any]:
    """What a page template sees: the merged metadata and a few derived strings."""
    meta = doc.meta
    authors = [
        {k: str(a.get(k) or "") for k in ("name", "affiliation", "email", "orcid")}
        for a in meta.get("authors") or []
        if isinstance(a, dict)
    ]
    # Title and subtitle are Markdown, as pandoc reads them: set in the title block, and as
    # plain text wherever markup cannot go (<title>, the running head, the PDF's metadata).
    title = _plain(str(meta.get("title") or doc.name))
    subtitle = _plain(str(meta["subtitle"])) if meta.get("subtitle") else None
    label = meta.get("label")
    full_title = f"{title}: {subtitle}" if subtitle else title
    surnames = [surname(n) for a in authors for n in split_names(a["name"])]
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
        "heading": _inline(str(meta.get("title") or doc.name)),
        "subtitle": _inline(str(meta.get("subtitle") or "")),
        "authors": authors,
        "keywords": [str(k) for k in meta.get("keywords") or []],
        "subject": subtitle or "",
        "conference": conference_line(meta.get("conference")),
        "running_title": _plain(str(meta.get("short-title") or title)),
        "running_author": running_author,
        "page_size": "letter" if size == "letter" else "A4",
        "title_block": meta.get("title-block", True) is not False,
        # pandoc's `abstract` and `thanks`, Markdown rendered once (the page autoescapes text)
        "abstract": _markdown(meta.get("abstract")),
        "date": str(meta.get("date") or ""),  # printed when no conference line dates the paper
        # pandoc's fontsize and linestretch, for the print page (config.normalise checked them)
        "body_size": str(meta.get("fontsize") or ""),
        "leading": round(1.4 * float(meta["linestretch"]), 3) if meta.get("linestretch") else "",
        "thanks": _markdown(meta.get("thanks"), inline=True),
    }


def _markdown(text: Any, inline: bool = False) -> Markup:
    return Markup(markdown_html(text, inline) if isinstance(text, str) and text.strip() else "")


def css_origin(html: str, sheets: list[Path], line: int) -> tuple[Path, int] | None:
    """The stylesheet file and line behind `line` of the page's first <style>, which inlines
    `sheets` (WeasyPrint counts a rule's line from the start of its <style> element's text)."""
    style = html.find("<style>")
    if style < 0:
        return None
    line += html.count("\n", 0, style)  # now a line of the page
    for sheet in sheets:
        text = yamlio.read_text(sheet)
        at = html.find(text) if text.strip() else -1
        if at < 0:
            continue
        first = html.count("\n", 0, at) + 1
        if first <= line <= first + text.count("\n"):
            return sheet, line - first + 1
    return None


def css_line(sheet: Path, needle: str) -> int | None:
    """The first line of `sheet` holding `needle` (a URL the layout refused)."""
    for number, text in enumerate(yamlio.read_text(sheet).splitlines(), 1):
        if needle in text:
            return number
    return None


# Characters with which Markdown marks up a line (quotes and dashes too: pandoc sets them curly
# and as en and em dashes, as in the text); a line without them is its own plain form.
MARKUP = re.compile(r"[*_`\\\[\]^~$<&'\"]|--")


@lru_cache(maxsize=256)
def _inline(text: str) -> Markup | str:
    """A one-line metadata value (title, subtitle) as inline HTML, or as text to escape."""
    return Markup(markdown_html(text, inline=True)) if MARKUP.search(text) else text


@lru_cache(maxsize=256)
def _plain(text: str) -> str:
    """A one-line metadata value without its markup: `A *Long* Title` -> `A Long Title`."""
    if not MARKUP.search(text):
        return text
    # A hard line break (a title written as lines) reads as a space in one line.
    marked = re.sub(r"<br ?/?>", " ", markdown_html(text, inline=True))
    # (spaces only: a no-break space in a title stays one)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", marked))).strip()
