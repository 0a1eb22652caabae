"""Preflight limits (each firing and not firing), and the submission bundle, normal and blind."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from .conftest import copy_project, run_build


def set_limits(project: Path, limits: dict[str, dict[str, int]]) -> None:
    path = project / "manuscript" / "metadata.yaml"
    meta = yaml.safe_load(path.read_text("utf-8"))
    meta["limits"] = limits
    path.write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")


@pytest.fixture(scope="module")
def limits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project("limits", tmp_path_factory.mktemp("limits"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return project


def test_within_every_limit_the_check_passes_and_reports_counts(limits: Path) -> None:
    run = run_build(limits, "check")
    assert run.code == 0, run.stderr
    rows = {
        line.split()[0]: line.split()[1:] for line in run.stderr.splitlines() if line[:1].isalpha()
    }
    # 10 sentences of 8 words, plus the heading's one word.
    assert rows["paper"][0] == "81"
    assert rows["abstract"][3] == "20"
    assert "Words are runs of letters or digits" in run.stderr


@pytest.mark.parametrize(
    ("limit", "line"),
    [
        (
            {"paper": {"words": 80}},
            "paper.md: error: paper body has 81 words; the limit is 80 [limit.words]",
        ),
        (
            {"paper": {"pages": 0}},
            "paper.md: error: paper.pdf has 1 page; the limit is 0 [limit.pages]",
        ),
        (
            {"abstract": {"words": 19}},
            "abstract.md: error: abstract has 20 words; the limit is 19 [limit.words]",
        ),
        (
            {"abstract": {"characters": 100}},
            "abstract.md: error: abstract has 115 characters; the limit is 100 [limit.characters]",
        ),
    ],
)
def test_each_limit_fires(limits: Path, limit: dict[str, dict[str, int]], line: str) -> None:
    original = (limits / "manuscript" / "metadata.yaml").read_text("utf-8")
    try:
        set_limits(limits, limit)
        run = run_build(limits, "check")
        assert run.code == 1
        assert f"limits/manuscript/{line}" in run.stderr.splitlines()
        assert re.search(r"^paper +81 ", run.stderr, re.M), run.stderr  # the counts, still
        assert "Traceback" not in run.stderr
    finally:
        (limits / "manuscript" / "metadata.yaml").write_text(original, "utf-8")


def test_unused_reference_is_a_warning_and_strict_fails(limits: Path) -> None:
    warning = (
        "limits/references/library.yaml:8: warning: reference 'unused2002' is not cited in any "
        "document [citation.unused]"
    )
    run = run_build(limits, "check")
    assert run.code == 0 and warning in run.stderr.splitlines()
    strict = run_build(limits, "--strict", "check")
    assert strict.code == 1
    assert "citation.unused" in strict.stderr


IDENTITY = [
    "Kenji Watanabe",
    "Watanabe",
    "Faculty of Law, Example University",
    "k.watanabe@example.org",
]


def everything_readable(folder: Path) -> dict[str, str]:
    """Every file's text and metadata, as a reviewer's tools could read them."""
    found: dict[str, str] = {}

    def read(name: str, data: bytes) -> None:
        if name.endswith(".pdf"):
            reader = PdfReader(io.BytesIO(data))
            text = " ".join(p.extract_text() for p in reader.pages)
            text += " " + " ".join(str(v) for v in (reader.metadata or {}).values())
            root = reader.trailer["/Root"]
            if "/Metadata" in root:
                text += root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
            found[name] = text
        elif name.endswith((".docx", ".zip")):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    found[f"{name}!{member}:name"] = member
                    read(f"{name}!{member}", z.read(member))
        else:
            found[name] = data.decode("utf-8", "replace")

    for path in folder.iterdir():
        if path.is_file():
            read(path.name, path.read_bytes())
    return found


def test_normal_submission_keeps_the_authors(tmp_path: Path) -> None:
    project = copy_project("blind", tmp_path)
    run = run_build(project, "submission")
    assert run.code == 0, run.stderr
    out = project / "build" / "submission"
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        "abstract.txt",
        "paper.docx",
        "paper.pdf",
        "submission.zip",
    ]
    assert "abstract.txt: 10 words, 55 characters" in run.stderr
    said = [ln for ln in run.stderr.splitlines() if ln.startswith("build/submission/")]
    names = ("paper.pdf", "paper.docx", "abstract.txt", "submission.zip")  # each once
    assert said == [f"build/submission/{n}" for n in names], run.stderr
    assert (
        out / "abstract.txt"
    ).read_text() == "An abstract for a blind submission, which names no one.\n"
    with zipfile.ZipFile(out / "submission.zip") as z:
        assert sorted(z.namelist()) == ["abstract.txt", "paper.docx", "paper.pdf"]
    files = everything_readable(out)
    assert "Kenji Watanabe" in files["paper.pdf"]
    assert "Kenji Watanabe" in files["paper.docx!docProps/core.xml"]
    assert "Technology and the State in Postwar Japan" in files["paper.pdf"]
    assert "I thank my colleagues" in files["paper.pdf"]
    assert "I thank my colleagues" in files["paper.docx!word/document.xml"]


def test_blind_submission_reveals_no_author_anywhere(tmp_path: Path) -> None:
    project = copy_project("blind", tmp_path)
    run = run_build(project, "submission", "--blind")
    assert run.code == 0, run.stderr
    out = project / "build" / "submission"
    files = everything_readable(out)
    for name, text in files.items():
        for identity in IDENTITY:
            assert identity.lower() not in text.lower(), f"{identity!r} in {name}"
    pdf = " ".join(files["paper.pdf"].split())
    # The self-citation is masked in notes and bibliography; the other source is not.
    assert "Author, [title withheld for review] (2020), 12." in pdf
    assert "Technology and the State" not in pdf
    assert "Olive Other, A Report by Someone Else" in pdf
    assert "I thank my colleagues" not in pdf and "Acknowledgements" not in pdf
    assert "I thank my colleagues" not in files["paper.docx!word/document.xml"]
    notes = files["paper.docx!word/footnotes.xml"]
    assert "title withheld for review" in notes and "Someone Else" in notes
    assert not (project / "build" / "paper.pdf").exists() or "Watanabe" in " ".join(
        p.extract_text() for p in PdfReader(project / "build" / "paper.pdf").pages
    ), "the normal build is not masked"


def test_blind_submission_fails_when_the_text_names_the_author(tmp_path: Path) -> None:
    project = copy_project("blind", tmp_path)
    paper = project / "manuscript" / "paper.md"
    paper.write_text(paper.read_text() + "\nAs Watanabe argued before, this matters.\n")
    run = run_build(project, "submission", "--blind")
    assert run.code == 1
    assert re.search(
        r"build/submission/paper\.\w+: error: blind submission reveals the author's surname in "
        r".*\[blind\.leak\]",
        run.stderr,
    ), run.stderr
    assert "Traceback" not in run.stderr
    # Checked before writing: no leaking file is left where a submission is picked up.
    assert made_files(project / "build" / "submission") == []


def made_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []
