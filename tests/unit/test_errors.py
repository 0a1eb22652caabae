"""errors: the one-line format of errors and warnings, paths as the user typed them."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pressroom.errors import BuildWarning, Diagnostics, PressroomError, PressroomErrors, where


def test_where_is_relative_to_the_root_and_keeps_symlink_names(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "manuscript").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert where(link / "manuscript" / "paper.md", 14, tmp_path) == "link/manuscript/paper.md:14"
    assert where(real / "manuscript" / "paper.md", None, link) == "manuscript/paper.md"
    assert where("/elsewhere/x.md", 3, tmp_path) == "/elsewhere/x.md:3"
    assert where(None, 3) == "pressroom"


def test_error_format_with_and_without_place_and_kind(tmp_path: Path) -> None:
    err = PressroomError("unknown key", tmp_path / "m.yaml", 4, "config.unknown")
    assert err.format(tmp_path) == "m.yaml:4: error: unknown key [config.unknown]"
    assert PressroomError("pandoc failed").format() == "pressroom: error: pandoc failed"
    assert str(err) == "unknown key"


def test_errors_survive_a_trip_between_processes() -> None:
    one = PressroomError("a", "x.md", 1, "k.a")
    many = PressroomErrors([one, PressroomError("b", "y.md", None, "k.b")])
    for err in (one, many):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert back.format() == err.format()
    assert many.format() == "x.md:1: error: a [k.a]\ny.md: error: b [k.b]"
    assert (many.path, many.line, many.kind) == (Path("x.md"), 1, "k.a"), "the first leads"


def test_diagnostics_print_each_warning_once(capsys: pytest.CaptureFixture[str]) -> None:
    diagnostics = Diagnostics(Path("/p"))
    diagnostics.warn("document is empty", "document.empty", "/p/manuscript/a.md", 1)
    diagnostics.warn("document is empty", "document.empty", "/p/manuscript/a.md", 1)
    diagnostics.warn("no title", "pdf.title")
    assert diagnostics.warnings == [
        BuildWarning("document is empty", "document.empty", Path("/p/manuscript/a.md"), 1),
        BuildWarning("no title", "pdf.title"),
    ]
    assert capsys.readouterr().err.splitlines() == [
        "manuscript/a.md:1: warning: document is empty [document.empty]",
        "pressroom: warning: no title [pdf.title]",
    ]


def test_quiet_diagnostics_collect_without_printing(capsys: pytest.CaptureFixture[str]) -> None:
    diagnostics = Diagnostics(echo=False)
    diagnostics.warn("w", "k.w")
    assert len(diagnostics.warnings) == 1 and capsys.readouterr().err == ""


def test_strict_turns_the_first_warning_into_an_error() -> None:
    diagnostics = Diagnostics(strict=True)
    with pytest.raises(PressroomError) as caught:
        diagnostics.warn("document is empty", "document.empty", "a.md", 1)
    assert caught.value.format() == "a.md:1: error: document is empty (--strict) [document.empty]"
    assert diagnostics.warnings == []
