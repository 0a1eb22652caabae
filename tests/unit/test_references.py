"""references: CSL YAML and CSL-JSON checked item by item, every problem at its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressroom.config import load_project
from pressroom.errors import PressroomError, PressroomErrors
from pressroom.references import Library, load_library

from .conftest import write


def library(project_dir: Path, files: dict[str, str]) -> Library:
    """The project's library made of `files` alone (name -> text)."""
    for old in (project_dir / "references").iterdir():
        old.unlink()
    write(project_dir, {f"references/{name}": text for name, text in files.items()})
    return load_library(load_project(project_dir))


def errors(project_dir: Path, files: dict[str, str]) -> list[str]:
    """A file pandoc cannot read fails at once; a bad item is left out and kept as a problem
    of its id (an error where a document cites it, issue 10): here, every item's problem."""
    try:
        lib = library(project_dir, files)
    except PressroomError as caught:
        found = caught.errors if isinstance(caught, PressroomErrors) else [caught]
    else:
        found = lib.uncited_problems(frozenset())
    return [e.format(project_dir) for e in found]


YAML = """\
references:
  - id: rubinstein1987
    type: report
    author:
      - {family: Rubinstein, given: Gregg A.}
    title: Guidelines
    issued: 1987-10-26
  - id: mdaa1954
    type: treaty
    author:
      - literal: United States
    issued: 1954
    accessed: 1987/1988
"""


def test_items_are_normalised_to_csl_json(project_dir: Path) -> None:
    lib = library(project_dir, {"library.yaml": YAML})
    first, second = lib.items
    assert first["issued"] == {"date-parts": [[1987, 10, 26]]}
    assert first["author"] == [{"family": "Rubinstein", "given": "Gregg A."}]
    assert second["issued"] == {"date-parts": [[1954]]}
    assert second["accessed"] == {"date-parts": [[1987], [1988]]}, "a range"
    assert lib.ids == {"rubinstein1987", "mdaa1954"}
    places = {k: (p.name, line) for k, (p, line) in lib.places.items()}
    assert places == {"rubinstein1987": ("library.yaml", 2), "mdaa1954": ("library.yaml", 8)}
    assert json.loads(lib.csljson()) == list(lib.items)
    assert lib.closest("rubinstien1987") == "rubinstein1987"
    assert lib.closest("zzz") is None


def test_csl_json_with_lines(project_dir: Path) -> None:
    items = [{"id": "a", "type": "book"}, {"id": "b", "type": "book", "issued": {"raw": "1987"}}]
    lib = library(project_dir, {"library.json": json.dumps(items, indent=1)})
    assert [lib.places[i][1] for i in ("a", "b")] == [3, 7]
    assert lib.items[1]["issued"] == {"raw": "1987"}
    numeric = library(project_dir, {"library.json": '[{"id": 7, "type": "book"}]'})
    assert [i["id"] for i in numeric.items] == ["7"], "a numeric id becomes text"


def test_csl_json_problems_are_located_with_numeric_ids_and_without_ids(project_dir: Path) -> None:
    text = '{"items": [\n {"id": 7, "type": "book"},\n {"type": "bok",\n  "id": 8},\n {}\n]}'
    assert errors(project_dir, {"library.json": text}) == [
        "references/library.json:4: error: reference '8': unknown type 'bok' (did you mean "
        "'book'?) [reference.invalid]",
        "references/library.json:5: error: reference has no 'id' [reference.invalid]",
    ]


def test_files_are_read_together_and_ids_ignore_case(project_dir: Path) -> None:
    found = errors(
        project_dir,
        {
            "a.yaml": "- id: Doe2000\n  type: book\n",
            "b.json": '[{"id": "doe2000", "type": "book"}]',
        },
    )
    assert found == [
        "references/b.json:1: error: duplicate reference id 'doe2000' (ids ignore case; first "
        "declared at a.yaml:1) [reference.duplicate]"
    ]


def test_every_bad_item_is_reported(project_dir: Path) -> None:
    found = errors(
        project_dir,
        {
            "library.yaml": (
                "- id: a\n"
                "  type: boook\n"
                "- type: book\n"
                "- id: c\n"
                "  type: book\n"
                "  author: Jane Doe\n"
                "- id: d\n"
                "  type: book\n"
                "  editor:\n"
                "    - {suffix: Jr.}\n"
                "- id: e\n"
                "  type: book\n"
                "  issued: 1987-13\n"
                "- id: f\n"
                "  type: book\n"
                "  issued: {date-parts: [[1987, 2, 29]]}\n"
                "- id: g\n"
                "  type: book\n"
                "  issued: {season: 2}\n"
                "- id: h\n"
            )
        },
    )
    assert found == [
        "references/library.yaml:2: error: reference 'a': unknown type 'boook' (did you mean "
        "'book'?) [reference.invalid]",
        "references/library.yaml:3: error: reference has no 'id' [reference.invalid]",
        "references/library.yaml:6: error: reference 'c': 'author' must be a list of names like "
        "{family: Doe, given: Jane} or {literal: Heritage Foundation} [reference.invalid]",
        "references/library.yaml:9: error: reference 'd': a name in 'editor' needs family, "
        "given or literal [reference.invalid]",
        "references/library.yaml:13: error: reference 'e': 'issued' has month 13; months run 1 "
        "to 12 [reference.date]",
        "references/library.yaml:16: error: reference 'f': 'issued' has day 29, which month 2 "
        "of 1987 does not have [reference.date]",
        "references/library.yaml:19: error: reference 'g': 'issued' needs date-parts, raw or "
        "literal [reference.date]",
        "references/library.yaml:20: error: reference 'h' has no 'type' [reference.invalid]",
    ]
    (found,) = errors(project_dir, {"library.yaml": "- just text\n"})
    assert "a reference must be a mapping [reference.invalid]" in found


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("library.json", '[{"id": "a",\n "type": "book"', 2, "invalid JSON: Expecting"),
        ("library.json", '{"id": "a"}', 1, "CSL-JSON must be a list of items"),
        ("library.yaml", "id: a\ntype: book\n", 1, "CSL YAML must be a list of items"),
    ],
)
def test_a_file_of_the_wrong_shape(
    project_dir: Path, name: str, text: str, line: int, message: str
) -> None:
    (found,) = errors(project_dir, {name: text})
    assert found.startswith(f"references/{name}:{line}: error: {message}")
    assert found.endswith("[reference.syntax]")


def test_an_empty_library_file_holds_no_items(project_dir: Path) -> None:
    assert library(project_dir, {"library.yaml": "# nothing yet\n"}).items == ()
