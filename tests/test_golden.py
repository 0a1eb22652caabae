"""Golden files: what a reader gets from small projects, compared whole (tests/golden/README.md).

Spot checks elsewhere probe what matters most; these catch a change anywhere else (a heading
style, the punctuation of a bibliography entry, a page break). They are made from the real
command line's outputs, never from pressroom's internals, and named for the pandoc version."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from pressroom import pandoc

from .conftest import ROOT, BuiltTree, Run
from .readers import cited_ast, docx_text, pdf_pages

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = Path(__file__).resolve().parent / "unit" / "cases"
VERSION = pandoc.version()


def compare(request: pytest.FixtureRequest, path: Path, text: str) -> None:
    """Compare `text` with the golden file, or rewrite it under --update-golden."""
    if request.config.getoption("update_golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        return
    if not path.is_file():
        pytest.fail(
            f"no golden file {path.relative_to(ROOT)} for pandoc {VERSION}: run "
            "`pytest tests/test_golden.py --update-golden` and review it"
        )
    expected = path.read_text("utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            text.splitlines(),
            f"{path.relative_to(ROOT)} (golden)",
            "this run",
            lineterm="",
            n=2,
        )
        pytest.fail(
            "output differs from its golden file; if the change is intended, rerun with "
            "--update-golden and review the diff\n" + "\n".join(diff),
            pytrace=False,
        )


def native(ast: dict[str, object]) -> str:
    """The AST's blocks in pandoc's native form, one node per line: readable and diffable.
    The metadata is left out: it holds the build's own paths (library, style)."""
    doc = {"pandoc-api-version": ast["pandoc-api-version"], "meta": {}, "blocks": ast["blocks"]}
    out, _ = pandoc.run(["-f", "json", "-t", "native", "--columns=100"], json.dumps(doc).encode())
    return out.decode("utf-8")


def html_page(path: Path) -> str:
    """The web page's title block and text (<header> and <main>), as pandoc and the page
    template wrote them; the inline stylesheet and script are the templates' own business."""
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    return "\n".join(str(soup.find(tag)) for tag in ("header", "main")) + "\n"


def pdf_text(path: Path) -> str:
    pages = pdf_pages(path)
    return "".join(f"--- page {n} ---\n{text.rstrip()}\n" for n, text in enumerate(pages, 1))


def outputs(build: Path, project: Path, name: str) -> dict[str, str]:
    """Each reader's view of document `name`, with the machine's paths made neutral."""
    views = {"ast": native(cited_ast(build, name))}
    if (build / f"{name}.html").is_file():
        views["html"] = html_page(build / f"{name}.html")
    if (build / f"{name}.docx").is_file():
        views["docx"] = "\n".join(docx_text(build / f"{name}.docx")) + "\n"
    if (build / f"{name}.pdf").is_file():
        views["pdf"] = pdf_text(build / f"{name}.pdf")
    return {
        kind: text.replace(str(project), "<project>").replace(str(ROOT), "<toolkit>")
        for kind, text in views.items()
    }


def check_project(request: pytest.FixtureRequest, label: str, project: Path) -> None:
    build = project / "build"
    documents = sorted(p.stem for p in (project / "manuscript").glob("*.md"))
    for name in documents:
        for kind, text in outputs(build, project, name).items():
            compare(request, GOLDEN / label / f"{name}.pandoc-{VERSION}.{kind}.txt", text)


def test_notes(request: pytest.FixtureRequest, notes_build: Run) -> None:
    check_project(request, "notes", notes_build.project)


def test_incremental(request: pytest.FixtureRequest, incremental: BuiltTree) -> None:
    # The untouched copy of the built tree, at the path it was built at.
    check_project(request, "incremental", incremental.fresh())


def test_handout(request: pytest.FixtureRequest, handout_build: Run) -> None:
    check_project(request, "handout", handout_build.project)


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_unit_case_asts(request: pytest.FixtureRequest, name: str) -> None:
    """The ASTs the unit ring reads are pandoc's own for each case's Markdown."""
    asts = {}
    for case in yaml.safe_load((CASES / f"{name}.yaml").read_text("utf-8")):
        out, _ = pandoc.run(["-f", "markdown", "-t", "json"], case["markdown"].encode("utf-8"))
        asts[case["case"]] = json.loads(out)
    text = json.dumps(asts, ensure_ascii=False, indent=1) + "\n"
    if request.config.getoption("update_golden"):
        for old in CASES.glob(f"{name}.pandoc-*.json"):
            old.unlink()  # one version at a time: the unit ring reads the only one there is
    compare(request, CASES / f"{name}.pandoc-{VERSION}.json", text)
