"""styles: a citation style by name or file, checked before pandoc sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.config import load_project
from pressroom.errors import PressroomError
from pressroom.styles import package_styles, resolve_style

from .conftest import write

CSL = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">\n'
    "  <info><title>House</title></info>\n"
    "</style>\n"
)


def style(project_dir: Path, name: str, files: dict[str, str] | None = None) -> Path:
    write(project_dir, {"manuscript/metadata.yaml": f"title: T\ncitation-style: {name}\n"})
    write(project_dir, files or {})
    return resolve_style(load_project(project_dir))


def refused(project_dir: Path, name: str, files: dict[str, str] | None = None) -> str:
    with pytest.raises(PressroomError) as caught:
        style(project_dir, name, files)
    return caught.value.format(project_dir)


def test_package_styles_by_name(project_dir: Path) -> None:
    pkg = package_styles()
    assert pkg is not None
    for name in ("chicago-notes-bibliography", "chicago-author-date"):
        assert style(project_dir, name) == (pkg / f"{name}.csl").resolve()


def test_project_style_by_name_or_path_comes_first(project_dir: Path) -> None:
    files = {"references/styles/chicago-author-date.csl": CSL}
    own = (project_dir / "references/styles/chicago-author-date.csl").resolve()
    assert style(project_dir, "chicago-author-date", files) == own
    assert style(project_dir, "references/styles/chicago-author-date.csl") == own


def test_unknown_and_missing_styles(project_dir: Path) -> None:
    assert refused(project_dir, "chicago-notes-bibliografy") == (
        "manuscript/metadata.yaml:2: error: unknown citation style 'chicago-notes-bibliografy' "
        "(did you mean 'chicago-notes-bibliography'?); search them with 'pressroom styles WORD' "
        "[style.unknown]"
    )
    assert refused(project_dir, "references/styles/house.csl") == (
        "manuscript/metadata.yaml:2: error: citation style file 'references/styles/house.csl' "
        "not found [style.missing]"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not XML at all\n", "references/styles/house.csl:1: error: house.csl is not a CSL (XML)"),
        (
            CSL.replace("</info>", "</inf>"),
            "references/styles/house.csl:3: error: CSL style is not well-formed XML: mismatched",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY a "b">]>\n<style/>\n',
            "references/styles/house.csl:1: error: CSL style declares a DTD; remove the DOCTYPE",
        ),
        (
            '<?xml version="1.0"?>\n<style><info/></style>\n',
            "references/styles/house.csl:1: error: not a CSL style: the root element must be "
            "<style> in the CSL namespace",
        ),
    ],
)
def test_a_broken_style_file_is_refused_at_its_line(
    project_dir: Path, text: str, expected: str
) -> None:
    line = refused(project_dir, "house", {"references/styles/house.csl": text})
    assert line.startswith(expected) and line.endswith("[style.invalid]")


def test_a_style_outside_the_project_is_refused(project_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "house.csl").write_text(CSL)
    assert refused(project_dir, "../house.csl").endswith(
        "error: style file lies outside the project [style.outside]"
    )
    link = project_dir / "references" / "styles" / "house.csl"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "house.csl")
    assert refused(project_dir, "house").endswith("[style.outside]")
