"""Page templates compiled once per process (templating._Compiled): a template used again is
not compiled again, yet every file is still read and recorded, and an edited one is new."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from pressroom.templating import Loader, page_environment

PAGE = "<p>{{ word }}</p>{% include 'part.html' %}"


def render(root: Path, reads: set[Path]) -> str:
    env = page_environment(Loader([root], reads))
    return env.get_template("page.html").render(word="one")


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names Jinja compiles from now on, in order (its real compile still runs)."""
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: str, name: str | None = None, *a: object
    ) -> object:
        compiled.append(name or "")
        return real(self, source, name, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_a_template_is_compiled_once_and_still_recorded_as_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "page.html").write_text(PAGE, "utf-8")
    (tmp_path / "part.html").write_text("<i>part</i>", "utf-8")
    compiled = _count_compiles(monkeypatch)
    first: set[Path] = set()
    assert render(tmp_path, first) == "<p>one</p><i>part</i>"
    again: set[Path] = set()
    assert render(tmp_path, again) == "<p>one</p><i>part</i>"
    assert again == first == {(tmp_path / n).resolve() for n in ("page.html", "part.html")}
    (tmp_path / "part.html").write_text("<b>edited</b>", "utf-8")
    assert render(tmp_path, set()) == "<p>one</p><b>edited</b>"
    # page and part the first time; only the edited part after
    assert sorted(compiled) == ["page.html", "part.html", "part.html"]


def test_pages_compiled_ahead_leave_a_broken_template_to_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressroom.config import load_project
    from pressroom.render.page import compile_ahead
    from pressroom.scaffold import scaffold

    scaffold(tmp_path / "p")
    (tmp_path / "p" / "templates").mkdir(exist_ok=True)
    # The project's own templates (the toolkit's may be compiled already in this process).
    (tmp_path / "p" / "templates" / "print.html.j2").write_text("<p>{{ name }}</p>", "utf-8")
    (tmp_path / "p" / "templates" / "page.html.j2").write_text("{% if %}", "utf-8")
    project = load_project(tmp_path / "p")
    compiled = _count_compiles(monkeypatch)
    compile_ahead(project, ("print.html.j2", "page.html.j2"))  # the broken one: no error here
    assert compiled == ["print.html.j2", "page.html.j2"]
    compiled.clear()
    env = page_environment(Loader(project.template_dirs, set()))
    env.get_template("print.html.j2")
    assert compiled == []  # compiled ahead
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.get_template("page.html.j2")
