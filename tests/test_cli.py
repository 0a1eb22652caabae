"""Issue 11: the command line as Quarto, pandoc and make users expect it, run in-process
(process.execute, the `pressroom` command without its signal handlers and memory cap)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pressroom import process, stamp
from pressroom.config import Project, find_root, load_project
from pressroom.progress import Progress, choose_mode
from pressroom.scaffold import next_step, scaffold
from pressroom.styles import resolve_style, search


@pytest.fixture
def paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`pressroom new` in an empty folder, the current folder being the new project."""
    project = tmp_path / "My Paper"
    scaffold(project)
    monkeypatch.chdir(project)
    return project


def made(folder: Path) -> list[str]:
    """The outputs in a build folder (not its .deps/ and .cache/)."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def pressroom(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = process.execute(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_a_gitignore_and_a_next_step_to_paste(tmp_path: Path) -> None:
    written = scaffold(tmp_path / "My Thesis")
    assert tmp_path / "My Thesis" / ".gitignore" in written
    assert "build/" in (tmp_path / "My Thesis" / ".gitignore").read_text().splitlines()
    assert next_step(Path("My Thesis")).startswith("cd 'My Thesis' && ")
    assert next_step(Path("My Thesis")).endswith(" build")


def test_a_new_project_passes_its_own_blind_submission(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The skeleton's placeholders ("Your Name", the conference) and the DOCX's own markup
    (<w:name>, PartName) are not taken for the author's surname."""
    code, _, err = pressroom(capsys, "submission", "--blind")
    assert code == 0, err
    assert made(paper / "build" / "submission") == [
        "abstract.txt",
        "paper.docx",
        "paper.pdf",
        "submission.zip",
    ]


def test_strict_sees_the_warnings_of_outputs_already_built(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A build prints a warning and makes its outputs; `--strict` just after still fails on it
    (the outputs were current, but not built under --strict), and once clean is quiet."""
    source = paper / "manuscript" / "abstract.md"
    text = source.read_text("utf-8")
    source.write_text("---\nformat: pdf\n---\n" + text, "utf-8")
    code, _, err = pressroom(capsys, "build", "abstract")
    assert code == 0 and "warning: unknown metadata key 'format'" in err, err
    code, _, err = pressroom(capsys, "build", "abstract", "--strict")
    assert code == 1 and "unknown metadata key 'format'" in err and "(--strict)" in err, err
    source.write_text(text, "utf-8")
    code, _, err = pressroom(capsys, "build", "abstract", "--strict")
    assert code == 0 and "built" in err, err
    code, _, err = pressroom(capsys, "build", "abstract", "--strict")
    assert (code, err) == (0, ""), err  # built under --strict: current
    code, _, err = pressroom(capsys, "build", "abstract")
    assert (code, err) == (0, ""), err  # and current for a build without it


def test_metadata_flag_rebuilds_what_it_changes_and_a_plain_build_undoes_it(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-M on outputs already current builds them again with its value (it was 'up to date'),
    and the next build without it makes them as metadata.yaml says."""
    page = paper / "build" / "paper.html"
    assert pressroom(capsys, "build", "paper.html")[0] == 0
    assert "Author, Ann. <em>A Book" in page.read_text("utf-8")  # Chicago
    code, _, err = pressroom(capsys, "build", "paper.html", "-M", "citation-style=apa")
    assert code == 0 and "built" in err, err
    assert "Author, A. (1954)" in page.read_text("utf-8")
    assert pressroom(capsys, "build", "paper.html", "-M", "citation-style=apa")[2] == ""
    code, _, err = pressroom(capsys, "build", "paper.html")
    assert code == 0 and "built" in err, err
    assert "Author, Ann. <em>A Book" in page.read_text("utf-8")


def test_unknown_target_is_an_error_listing_the_valid_ones(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pressroom(capsys, "build", "papr")
    assert code == 1
    assert "error: unknown target 'papr' (did you mean 'paper'?); targets are: paper," in err
    assert "abstract.pdf [target.unknown]" in err
    code, _, err = pressroom(capsys, "build", "handout")  # `make handout` without a handout
    assert code == 1 and "unknown target 'handout'" in err
    assert not (paper / "build" / ".deps" / "built").exists()


def test_unknown_command_lists_the_commands(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pressroom(capsys, "nosuch")
    assert code == 2
    assert "unknown command 'nosuch'; commands are: build, check, diff, doctor, new," in err


def test_options_anywhere_and_from_a_folder_inside_the_project(
    paper: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build --strict` as well as `--strict build`; from manuscript/, the project above."""
    monkeypatch.chdir(paper / "manuscript" / "partials")
    assert find_root(Path.cwd()) == paper.resolve()
    for args in (["build", "--strict", "nosuch"], ["--strict", "build", "nosuch"]):
        code, _, err = pressroom(capsys, *args)
        assert code == 1 and "unknown target 'nosuch'" in err, err  # the project was found
    code, _, err = pressroom(capsys, "build", "paper", "--to", "docx", "-M", "paper-size=letter")
    assert code == 0, err
    assert "built ../../build/paper.docx (" in err  # paths as seen from where the user is
    assert made(paper / "build") == ["paper.docx"]


def test_metadata_flag_is_checked_like_metadata(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pressroom(capsys, "build", "-M", "autor=Jane")
    assert code == 2 and "unknown metadata key 'autor' (did you mean 'author'?)" in err
    assert "ignored" not in err  # it is refused, not ignored
    code, _, err = pressroom(capsys, "build", "-M", "blind=maybe")
    assert code == 2 and "'blind' must be true or false" in err


def test_to_html_with_output_dir_builds_only_that_and_never_stamps(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pressroom(capsys, "build", "--to", "html", "--output-dir", "out")
    assert code == 0, err
    assert made(paper / "out") == ["abstract.html", "paper.html"]
    assert err.count("built out/") == 2  # one plain line per output (not a terminal)
    assert not (paper / "build").exists()
    code, _, err = pressroom(capsys, "--quiet", "build", "--to", "html", "--output-dir", "o2")
    assert code == 0 and err == ""  # --quiet: nothing but warnings and errors
    code, _, err = pressroom(capsys, "build", "paper.pdf", "--to", "html")
    assert code == 1 and "'paper.pdf' is not built as html" in err


def test_only_a_full_default_build_may_stamp(paper: Path) -> None:
    """--to (targets), -M/--paper (overrides) and --output-dir each change what a build makes."""
    default = load_project(paper)
    assert stamp.may_stamp(default, None)
    assert not stamp.may_stamp(default, frozenset({"paper.html"}))
    assert not stamp.may_stamp(load_project(paper, overrides={"blind": True}), None)
    assert not stamp.may_stamp(load_project(paper, build_dir=paper / "out"), None)


def test_common_style_names_resolve_and_styles_are_searchable(
    paper: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = load_project(paper)

    def style(name: str) -> str:
        named = Project(**{**project.__dict__, "style": name})
        return resolve_style(named).name

    assert style("chicago-fullnote-bibliography") == "chicago-notes-bibliography.csl"
    assert style("turabian-fullnote-bibliography") == "chicago-notes-bibliography.csl"
    assert style("mla") == "modern-language-association.csl"
    found = dict(search("fullnote", None))
    assert "chicago-fullnote-bibliography" in found
    assert "society-of-biblical-literature-fullnote-bibliography" in found
    assert all("fullnote" in n or "fullnote" in t.lower() for n, t in found.items())
    code, out, _ = pressroom(capsys, "styles", "MLA")  # by title: "MLA Handbook 9th edition"
    assert code == 0 and "\nmodern-language-association " in out


def test_doctor_finds_the_tools_and_says_the_fix_for_what_is_missing(
    paper: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = pressroom(capsys, "doctor")
    assert code == 0, out
    for line in ("pandoc: 3.9", "WeasyPrint: 70.0", "Pango: 1.", "project: ", "citation style"):
        assert line in out
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    code, out, _ = pressroom(capsys, "doctor")
    assert code == 1
    assert (
        "missing  project" in out and "fix: cd into a project, or start one: pressroom new" in out
    )


def test_plain_progress_when_not_a_terminal_and_pages_from_weasyprint(tmp_path: Path) -> None:
    """Not a terminal: plain lines. On a terminal, WeasyPrint's own page announcements move the
    PDF's bar (a real two-page layout)."""
    import io

    assert choose_mode(False, io.StringIO()) == "plain"
    assert choose_mode(True, io.StringIO()) == "quiet"
    from weasyprint import HTML

    from pressroom import weasy  # noqa: F401  (WeasyPrint as the build imports it)

    level = logging.getLogger("weasyprint.progress").level
    with Progress("live", tmp_path) as progress:
        progress.started("paper", "pdf")
        HTML(string="<p>one</p><p style='break-before: page'>two</p>").render()
        progress.finished(tmp_path / "paper.pdf")
    assert progress.pages == {"paper.pdf": 2}
    assert logging.getLogger("weasyprint.progress").level == level  # put back as found


def test_the_package_imports_without_fork_or_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows: limit_memory without `resource` does nothing; without fork the
    build renders in its own process (parallel.available)."""
    import builtins
    import multiprocessing

    from pressroom import parallel

    real_import = builtins.__import__

    def no_resource(name: str, *args: object, **kwargs: object) -> object:
        if name == "resource":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_resource)
    process.limit_memory(1)  # would cap this process at 1 MB if it ran
    monkeypatch.setattr(builtins, "__import__", real_import)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert not parallel.available()
    assert os.environ.get("PRESSROOM_MEMORY_MB") != "1"
