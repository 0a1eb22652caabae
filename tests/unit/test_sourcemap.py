"""The source map: every assembled line traced to its file and line, by lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.assemble import assemble
from pressroom.config import load_document, load_project


def _project(tmp_path: Path, paper: str, partials: dict[str, str] | None = None) -> Path:
    (tmp_path / "manuscript" / "partials").mkdir(parents=True)
    (tmp_path / "manuscript" / "paper.md").write_text(paper, "utf-8")
    for name, text in (partials or {}).items():
        (tmp_path / "manuscript" / "partials" / name).write_text(text, "utf-8")
    return tmp_path


def _assemble(root: Path, context: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    project = load_project(root)
    doc = load_document(project, "paper")
    return assemble(doc, project, {"meta": doc.meta, **(context or {})}, set())


def test_lines_of_the_document_and_its_includes(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "---\ntitle: T\n---\n# One\n\n{% include 'partials/a.md' %}\nAfter.\n",
        {"a.md": "First of a.\n\nSecond of a.\n"},
    )
    a = _assemble(root)
    paper = (root / "manuscript" / "paper.md").resolve()
    part = (root / "manuscript" / "partials" / "a.md").resolve()
    assert "\ue000" not in a.markdown and "\ue001" not in a.markdown
    lines = a.markdown.split("\n")
    assert a.source_map.origin(lines.index("# One") + 1) == (paper, 4)
    assert a.source_map.origin(lines.index("Second of a.") + 1) == (part, 3)
    assert a.source_map.origin(lines.index("After.") + 1) == (paper, 7)
    assert a.source_map.locate("Second") == (part, 3)


def test_loop_lines_map_to_the_template_line(tmp_path: Path) -> None:
    root = _project(tmp_path, "Intro.\n\n{% for x in [1, 2, 3] %}\nItem {{ x }}.\n{% endfor %}\n")
    a = _assemble(root)
    paper = (root / "manuscript" / "paper.md").resolve()
    assert a.source_map.locate("Item 3.") == (paper, 4)
    assert a.source_map.locate("Intro.") == (paper, 1)


@pytest.mark.parametrize(
    "source",
    [
        "A\n{%- if true %}\nB\n{% endif %}\n",
        "A\n{% if true -%}\n   B\n{%- endif %}\nC\n",
        "{## a comment\nover lines ##}\nText\n",
        "{{ 'multi\nline' }}\nEnd\n",
        "{% raw %}\n{{ not jinja }}\n{% endraw %}\n",
    ],
)
def test_marking_changes_no_output(tmp_path: Path, source: str) -> None:
    """The markers never change what Jinja renders, whitespace control included."""
    from pressroom.templating import Loader, source_environment

    root = _project(tmp_path, source)
    plain = source_environment(Loader([root / "manuscript"], set())).from_string(source)
    assert _assemble(root).markdown == plain.render()


def test_unknown_key_is_located_through_the_map(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "Text.\n\n{% include 'partials/n.md' %}\n", {"n.md": "A.\n\nSee @nosuch.\n"}
    )
    a = _assemble(root)
    part = (root / "manuscript" / "partials" / "n.md").resolve()
    assert a.source_map.locate("@nosuch") == (part, 3)
    assert a.source_map.locate("@nosu") == (root / "manuscript" / "paper.md", None)
