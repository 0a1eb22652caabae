"""The screen page: one self-contained HTML file, notes beside the text on wide screens."""

from __future__ import annotations

from ..config import Project
from ..errors import Diagnostics
from ..model import Cited, Output
from .base import Draft, PandocJob, html_writer, page_json
from .page import render_page


class HtmlRenderer:
    fmt = "html"

    def prepare(self, project: Project) -> None:
        pass

    def job(self, cited: Cited, project: Project) -> PandocJob:
        return PandocJob(html_writer(cited), page_json(cited))

    def render(
        self,
        cited: Cited,
        job: PandocJob,
        body: bytes,
        project: Project,
        diagnostics: Diagnostics,
        draft: Draft | None = None,
    ) -> Output:
        page, reads = render_page(
            "page.html.j2", ("web.css", "elements.css"), cited.doc, project, body.decode("utf-8")
        )
        return Output(
            project.output(cited.doc.name, self.fmt),
            page.encode("utf-8"),
            cited.inputs | job.inputs | reads,
        )


RENDERER = HtmlRenderer()
