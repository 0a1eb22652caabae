"""config: metadata and front matter validated whole, with every problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.config import (
    DEFAULT_STYLE,
    TOOLKIT_TEMPLATES,
    inside,
    load_document,
    load_project,
    split_front_matter,
)
from pressroom.errors import PressroomError, PressroomErrors

from .conftest import write


def problems(project_dir: Path, metadata: str) -> list[str]:
    (project_dir / "manuscript" / "metadata.yaml").write_text(metadata, "utf-8")
    with pytest.raises(PressroomErrors) as caught:
        load_project(project_dir)
    return [e.format(project_dir) for e in caught.value.errors]


def test_a_project_and_its_documents(project_dir: Path) -> None:
    write(project_dir, {"manuscript/abstract.md": "Short.\n", "manuscript/notes.txt": "x"})
    write(project_dir, {"references/more.bib": "", "references/readme.txt": ""})
    project = load_project(project_dir)
    assert project.documents == ("paper", "abstract"), "the paper first, then by name"
    assert [p.name for p in project.reference_files] == ["library.yaml", "more.bib"]
    assert project.style == DEFAULT_STYLE
    assert project.build_dir == project_dir.resolve() / "build"
    assert project.template_dirs == (TOOLKIT_TEMPLATES,), "no templates/: the toolkit's"
    assert project.template("print.css") == TOOLKIT_TEMPLATES / "print.css"
    write(project_dir, {"templates/print.css": "p {}"})
    own = load_project(project_dir)
    assert own.template("print.css") == project_dir.resolve() / "templates" / "print.css"
    assert own.template("page.html.j2") == TOOLKIT_TEMPLATES / "page.html.j2"
    with pytest.raises(PressroomError):
        own.template("nothing.css")


def test_every_problem_of_the_metadata_is_reported(project_dir: Path) -> None:
    # Fields in the file's order, then the authors' fields, then the allowed values.
    found = problems(
        project_dir,
        "titel: A\n"
        "lang: 7\n"
        "authors:\n"
        "  - name: A\n"
        "    mail: a@example.org\n"
        "  - affiliation: B\n"
        "paper-size: A5\n"
        "blind: yes please\n",
    )
    assert found == [
        "manuscript/metadata.yaml:2: error: 'lang' must be text [config.type]",
        "manuscript/metadata.yaml:8: error: 'blind' must be true or false [config.type]",
        "manuscript/metadata.yaml:6: error: author 2 needs a 'name' [config.type]",
        "manuscript/metadata.yaml:7: error: paper-size must be a4 or letter, not 'A5' "
        "[config.value]",
    ]


def test_unknown_keys_are_warnings_naming_the_closest_key(project_dir: Path) -> None:
    # pandoc users carry keys for other tools (issue 10): a warning, an error under --strict.
    meta = "titel: A\nauthors:\n  - name: A\n    mail: a@example.org\nzzzzzz: 1\n"
    (project_dir / "manuscript" / "metadata.yaml").write_text(meta, "utf-8")
    assert [w.format(project_dir) for w in load_project(project_dir).warnings] == [
        "manuscript/metadata.yaml:1: warning: unknown metadata key 'titel', ignored (did you "
        "mean 'title'?) [config.unknown]",
        "manuscript/metadata.yaml:5: warning: unknown metadata key 'zzzzzz', ignored "
        "[config.unknown]",
        "manuscript/metadata.yaml:4: warning: unknown author key 'mail', ignored (did you mean "
        "'email'?) [config.unknown]",
    ]


def test_metadata_must_be_a_mapping(project_dir: Path) -> None:
    (project_dir / "manuscript" / "metadata.yaml").write_text("- a\n- b\n", "utf-8")
    with pytest.raises(PressroomError) as caught:
        load_project(project_dir)
    assert caught.value.format(project_dir) == (
        "manuscript/metadata.yaml:1: error: metadata must be a mapping [config.type]"
    )


def test_no_manuscript_folder_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(PressroomError) as caught:
        load_project(tmp_path)
    assert "pressroom new DIR" in caught.value.message


def test_front_matter_is_blanked_so_lines_stay_true() -> None:
    text = "---\ntitle: T\nlabel: Abstract\n---\nBody on line 5.\n"
    front, body = split_front_matter(text, Path("a.md"))
    assert front == {"title": "T", "label": "Abstract"}
    assert front.lines == {"title": 2, "label": 3}
    assert body.splitlines()[4] == "Body on line 5." and body.count("\n") == text.count("\n")
    assert split_front_matter("No front matter.\n", Path("a.md")) == ({}, "No front matter.\n")
    assert split_front_matter("---\n---\nBody\n", Path("a.md"))[0] == {}
    with pytest.raises(PressroomError) as caught:
        split_front_matter("---\n- a list\n---\n", Path("a.md"))
    assert (caught.value.line, caught.value.kind) == (2, "config.type")


def test_document_metadata_merges_over_the_project(project_dir: Path) -> None:
    write(
        project_dir,
        {"manuscript/abstract.md": "---\ntitle: Abstract title\nformats: [pdf, html]\n---\nX\n"},
    )
    project = load_project(project_dir, overrides={"paper-size": "letter"})
    doc = load_document(project, "abstract")
    assert (doc.meta["title"], doc.meta["lang"]) == ("Abstract title", "en-US")
    assert doc.meta["paper-size"] == "letter", "a command-line override wins over both"
    assert doc.formats == ("pdf", "html")
    assert load_document(project, "paper").formats == ("html", "docx", "pdf")
    assert project.metadata.lines == {"title": 1, "lang": 2}, "overrides keep the file's lines"


def test_document_fields_are_checked_in_front_matter(project_dir: Path) -> None:
    write(project_dir, {"manuscript/paper.md": "---\nformats: [pdf, epub]\nlayout: [a]\n---\n"})
    with pytest.raises(PressroomErrors) as caught:
        load_document(load_project(project_dir), "paper")
    assert [e.format(project_dir) for e in caught.value.errors] == [
        "manuscript/paper.md:3: error: 'layout' must be text [config.type]",
        "manuscript/paper.md:2: error: unknown format 'epub'; formats are html, docx, pdf "
        "[config.value]",
    ]
    write(project_dir, {"manuscript/abstract.md": "---\nlabel: Abstract\n---\n"})
    (project_dir / "manuscript" / "metadata.yaml").write_text("label: Abstract\n", "utf-8")
    (warning,) = load_project(project_dir).warnings
    assert "unknown metadata key 'label'" in warning.message, "document fields: front matter"


def test_a_symlink_out_of_the_project_is_refused(project_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("secret")
    link = project_dir / "manuscript" / "abstract.md"
    link.symlink_to(outside)
    with pytest.raises(PressroomError) as caught:
        load_project(project_dir)
    assert caught.value.kind == "io.outside" and caught.value.path == link
    inner = project_dir / "manuscript" / "alias.md"
    link.unlink()
    inner.symlink_to(project_dir / "manuscript" / "paper.md")
    assert inside(inner, project_dir) == (project_dir / "manuscript" / "paper.md").resolve()


def test_a_list_field_of_another_type_is_one_clean_error(project_dir: Path) -> None:
    # Found by test_properties: `authors: true` once ended in a TypeError (a traceback).
    assert problems(project_dir, "authors: true\n") == [
        "manuscript/metadata.yaml:1: error: 'authors' must be a list or text [config.type]"
    ]
    write(project_dir, {"manuscript/paper.md": "---\nformats: pdf\n---\n"})
    (project_dir / "manuscript" / "metadata.yaml").write_text("title: T\n")
    with pytest.raises(PressroomErrors) as caught:
        load_document(load_project(project_dir), "paper")
    assert caught.value.format(project_dir) == (
        "manuscript/paper.md:2: error: 'formats' must be a list [config.type]"
    )
