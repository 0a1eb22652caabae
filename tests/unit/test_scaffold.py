"""scaffold: `build.py new DIR` writes a small project that loads as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.config import load_document, load_project
from pressroom.errors import PressroomError
from pressroom.references import load_library
from pressroom.scaffold import SKELETON, scaffold
from pressroom.styles import resolve_style


def test_new_project_is_the_skeleton_and_loads(tmp_path: Path) -> None:
    target = tmp_path / "my-paper"
    written = scaffold(target)
    expected = sorted(p.relative_to(SKELETON) for p in SKELETON.rglob("*") if p.is_file())
    assert sorted(p.relative_to(target) for p in written) == sorted([*expected, Path(".gitignore")])
    for path in written:
        if path.name != ".gitignore":  # written by scaffold itself (build/ and editor clutter)
            assert path.read_bytes() == (SKELETON / path.relative_to(target)).read_bytes()
    project = load_project(target)
    assert project.documents[0] == "paper"
    assert {"paper", "abstract"} <= set(project.documents)
    for name in project.documents:
        assert load_document(project, name).body.strip()
    assert load_library(project).items, "the skeleton cites from a library of its own"
    assert resolve_style(project).name == "chicago-notes-bibliography.csl"


def test_an_empty_folder_is_fine_a_used_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert scaffold(tmp_path / "empty")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(PressroomError) as caught:
        scaffold(tmp_path / "used")
    assert caught.value.kind == "new.exists"
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
