"""Issue 11: inputs that used to print into the document without a word are now located
errors (or, for a standard Jinja comment, a warning saying what to write)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom import process
from pressroom.config import split_front_matter
from pressroom.errors import PressroomError
from pressroom.scaffold import scaffold


@pytest.fixture
def paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "paper"
    scaffold(project)
    monkeypatch.chdir(project)
    return project


def edit(paper: Path, name: str, old: str, new: str) -> None:
    path = paper / "manuscript" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = process.execute(["build", "--to", "html", *args])
    return code, capsys.readouterr().err


def test_front_matter_without_its_closing_line_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PressroomError) as caught:
        split_front_matter("---\nlabel: Abstract\n\nBetween 1985 and 1989.\n", tmp_path / "a.md")
    assert caught.value.format(tmp_path) == (
        "a.md:1: error: front matter is never closed: end it with a line '---' [yaml.front]"
    )
    # A rule at the top of a document (no `key:` after it) is still a rule.
    assert split_front_matter("---\n\nText.\n", tmp_path / "a.md") == ({}, "---\n\nText.\n")


def test_front_matter_unclosed_in_a_build(paper: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(paper, "abstract.md", "label: Abstract\n---\n", "label: Abstract\n")
    code, err = build(capsys)
    assert code == 1
    assert err.strip() == (
        "manuscript/abstract.md:1: error: front matter is never closed: end it with a line "
        "'---' [yaml.front]"
    )


def test_an_undefined_note_is_a_located_error(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(paper, "paper.md", "section as @sec-evidence.", "section as @sec-evidence.[^nodef]")
    code, err = build(capsys, "paper")
    assert code == 1
    assert err.strip() == (
        "manuscript/paper.md:9: error: note '[^nodef]' has no definition; add a line "
        "'[^nodef]: the note's text' (or write \\[^ for the characters) [note.undefined]"
    )
    # Defined, or in code, it is fine.
    edit(paper, "paper.md", "[^nodef]", "[^nodef] `[^code]`\n\n[^nodef]: Defined.")
    code, err = build(capsys, "paper")
    assert code == 0, err


def test_a_standard_jinja_comment_warns_with_what_to_write(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(paper, "partials/abstract.md", "", "{# a note to self #}\n")
    code, err = build(capsys, "paper")
    assert code == 0
    warning = (
        "manuscript/partials/abstract.md:1: warning: '{# ... #}' is printed as text: comments "
        "in sources are written {## ... ##} [jinja.comment]"
    )
    assert warning in err
    code, err = build(capsys, "paper", "--strict", "--output-dir", "strict")
    assert code == 1 and "[jinja.comment]" in err
