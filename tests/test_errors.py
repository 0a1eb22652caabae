"""Issue 6: every broken input ends in one `path:line: error: message [kind]` line, exit 1,
no traceback, and the last good outputs untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pressroom import pandoc

from .conftest import copy_project, run_build

# tests/projects/NAME -> the exact line the build prints (paths from the project's parent).
CASES = {
    "broken-yaml-front": "broken-yaml-front/manuscript/paper.md:2: error: invalid YAML: "
    "a quoted value is never closed [yaml.syntax]",
    "broken-yaml-metadata": "broken-yaml-metadata/manuscript/metadata.yaml:4: error: invalid "
    "YAML: this line's indentation does not fit the lines above it [yaml.syntax]",
    "broken-yaml-data": "broken-yaml-data/manuscript/data/timeline.yaml:4: error: invalid YAML: "
    "expected ',' or ']', but got ':' [yaml.syntax]",
    "broken-yaml-references": "broken-yaml-references/references/library.yaml:6: error: invalid "
    "YAML: mapping values are not allowed here (a value that contains ': ' needs quotes) "
    "[yaml.syntax]",
    "broken-duplicate-key": "broken-duplicate-key/manuscript/metadata.yaml:4: error: duplicate "
    "key 'title' (first on line 1) [yaml.duplicate]",
    "broken-duplicate-id": "broken-duplicate-id/references/library.yaml:8: error: duplicate "
    "reference id 'Rubinstein1987' (ids ignore case; first declared at library.yaml:2) "
    "[reference.duplicate]",
    "broken-duplicate-citekey": "broken-duplicate-citekey/references/more.bib:1: error: "
    "duplicate reference id 'rubinstein1987' (ids ignore case; first declared at "
    "library.yaml:2) [reference.duplicate]",
    "broken-citekey": "broken-citekey/manuscript/paper.md:8: error: unknown citation key "
    "'rubinstien1987' (did you mean 'rubinstein1987'?) [citation.unknown]",
    # Every unknown key in one run, in source order, each with its hint (issue 10).
    "broken-citekeys": "broken-citekeys/manuscript/paper.md:7: error: unknown citation key "
    "'eastportminutes' [citation.unknown]\n"
    "broken-citekeys/manuscript/paper.md:9: error: unknown cross-reference '@fig:quays' (no "
    "figure has that id) [crossref.unknown]\n"
    "broken-citekeys/manuscript/paper.md:11: error: '@doi:10.5555/harbour.2015.3' cites by DOI, "
    "which pressroom does not look up; the library has it as 'bell2015': cite @bell2015 "
    "[citation.identifier]\n"
    "broken-citekeys/manuscript/paper.md:13: error: unknown citation key 'harbourhistory'; if "
    "'@harbourhistory' is not a citation (a handle, an address), write it as '\\@harbourhistory' "
    "[citation.unknown]\n"
    "broken-citekeys/manuscript/paper.md:15: error: unknown citation key 'okafor2012' (did you "
    "mean 'okafor2011'?) [citation.unknown]\n"
    "broken-citekeys/manuscript/paper.md:17: error: '@pmid:18000001' cites by PMID, which "
    "pressroom does not look up; add an entry with PMID 18000001 to the library and cite it by "
    "its id [citation.identifier]",
    "broken-liquid": "broken-liquid/manuscript/paper.md:8: error: '{% include toc.html %}' is a "
    "Liquid (Jekyll) tag, not Jinja; to keep it as text write {% raw %}{% include toc.html %}"
    "{% endraw %}, or switch templating off for this document with 'templating: false' in its "
    "front matter [jinja.liquid]",
    "broken-csljson": "broken-csljson/references/library.json:6: error: invalid JSON: "
    "Expecting ',' delimiter [reference.syntax]",
    "broken-cslyaml": "broken-cslyaml/references/library.yaml:1: error: CSL YAML must be a list "
    "of items (or a mapping with 'references:') [reference.syntax]",
    # pandoc's own message, at the line where the entry opened (issue 16, item 13)
    "broken-bibtex": "broken-bibtex/references/library.bib:1: error: invalid BibTeX in the "
    "entry 'rubinstein1987' (pandoc: unexpected end of input at line 7, column 1) "
    "[reference.syntax]",
    "broken-bibtex-field": "broken-bibtex-field/references/library.bib:7: error: invalid BibTeX "
    "in the entry 'okafor2011' (pandoc: unexpected 's' at line 9, column 35) [reference.syntax]",
    "broken-ref-notype": "broken-ref-notype/references/library.yaml:2: error: reference "
    "'rubinstein1987' has no 'type' [reference.invalid]",
    "broken-ref-date": "broken-ref-date/references/library.yaml:7: error: reference "
    "'rubinstein1987': 'issued' has day 30, which month 2 of 1987 does not have "
    "[reference.date]",
    "broken-ref-author": "broken-ref-author/references/library.yaml:4: error: reference "
    "'rubinstein1987': 'author' must be a list of names like {family: Doe, given: Jane} or "
    "{literal: Heritage Foundation} [reference.invalid]",
    "broken-style-unknown": "broken-style-unknown/manuscript/metadata.yaml:3: error: unknown "
    "citation style 'chicago-notes-bibliografy' (did you mean 'chicago-notes-bibliography'?); "
    "search them with 'pressroom styles WORD' [style.unknown]",
    "broken-style-missing": "broken-style-missing/manuscript/metadata.yaml:3: error: citation "
    "style file 'references/styles/house.csl' not found [style.missing]",
    "broken-style-notxml": "broken-style-notxml/references/styles/house.csl:1: error: house.csl "
    "is not a CSL (XML) style [style.invalid]",
    "broken-style-badxml": "broken-style-badxml/references/styles/house.csl:4: error: CSL style "
    "is not well-formed XML: mismatched tag [style.invalid]",
    "broken-jinja-syntax": "broken-jinja-syntax/manuscript/paper.md:10: error: template syntax: "
    "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or "
    "'endif'. The innermost block that needs to be closed is 'if'. [jinja.syntax]",
    "broken-jinja-undefined": "broken-jinja-undefined/manuscript/paper.md:10: error: undefined: "
    "no key 'venue' here [jinja.undefined]",
    "broken-include-missing": "broken-include-missing/manuscript/paper.md:10: error: include "
    "not found: partials/methods.md [jinja.include]",
    "broken-include-circular": "broken-include-circular/manuscript/partials/b.md:3: error: "
    "includes nest too deeply (circular include?) [jinja.include]",
    "broken-image-missing": "broken-image-missing/manuscript/paper.md:10: error: image "
    "'figures/notes1983.png' not found [asset.missing]",
    "broken-utf8": "broken-utf8/manuscript/paper.md:10: error: invalid UTF-8 (byte 0xfb); save "
    "the file as UTF-8 [io.encoding]",
    "broken-jinja-deep": "broken-jinja-deep/manuscript/paper.md:28: error: blocks nest too "
    "deeply (22 inside each other; Python compiles about 20 nested loops or 100 blocks); move "
    "the inner part into an include [jinja.depth]",
    "broken-jinja-loop": "broken-jinja-loop/manuscript/paper.md:8: error: template output passed "
    "20,000,000 characters (a runaway loop?) [jinja.size]",
    "broken-svg-link": "broken-svg-link/manuscript/paper.md:10: error: SVG figure "
    "'figures/harbour.svg' loads 'https://tiles.example.org/harbour.png' (its line 5), which "
    "would be left blank: an embedded SVG may hold only its own content; embed that image in "
    "the SVG (as data:) or remove the reference [asset.svg-link]",
    # `notes 1983 (copy).png` resolves (pandoc percent-encodes its name); the miss is located
    "broken-image-name": "broken-image-name/manuscript/paper.md:12: error: image "
    "'figures/notes [1984].png' not found [asset.missing]",
    # a refusal from the project's stylesheet names the stylesheet's line, not the document
    "broken-css-fetch": "broken-css-fetch/templates/print.css:4: error: refused to read "
    "/etc/hostname: it lies outside the project [asset.fetch]",
    # A thesis brought from its pandoc command line (`--bibliography=thesis/references.bib`):
    # every key unknown for want of a library is one error that says where to name it.
    "broken-no-library": "broken-no-library/manuscript/thesis/01_intro.md:3: error: citation key "
    "'hall1986' and 2 more cited, but the project has no reference library: name "
    "manuscript/thesis/references.bib in manuscript/thesis/metadata.yml with 'bibliography: "
    "references.bib' (a pandoc command line's --bibliography is not read) [citation.unknown]",
    "broken-nul": "broken-nul/manuscript/paper.md:7: error: a NUL byte (0x00) in a text file; "
    "delete it [io.binary]",
    "broken-binary": "broken-binary/manuscript/data/timeline.yaml: error: binary file where text "
    "was expected [io.binary]",
}
GOOD = b"the last good output\n"


def snapshot(build: Path) -> dict[str, str]:
    """Every file under build/ but the cache, by content."""
    return {
        p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_project_fails_in_one_line(tmp_path: Path, name: str) -> None:
    project = copy_project(name, tmp_path)
    build = project / "build"
    build.mkdir()
    for fmt in ("html", "docx", "pdf"):
        (build / f"paper.{fmt}").write_bytes(GOOD)
    before = snapshot(build)
    run = run_build(project)
    assert run.stderr.strip() == CASES[name]
    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert snapshot(build) == before, "build/ changed"
    assert not list(build.rglob("*.tmp"))


def test_empty_manuscript_builds_with_a_warning(tmp_path: Path) -> None:
    project = copy_project("broken-empty", tmp_path)
    run = run_build(project)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[0] == (
        "broken-empty/manuscript/paper.md:1: warning: document is empty [document.empty]"
    )
    assert (project / "build" / "paper.pdf").stat().st_size > 500


def test_strict_fails_on_a_warning_and_writes_nothing(tmp_path: Path) -> None:
    project = copy_project("broken-empty", tmp_path)
    run = run_build(project, "--strict")
    assert run.code == 1
    assert run.stderr.strip() == (
        "broken-empty/manuscript/paper.md:1: error: document is empty (--strict) [document.empty]"
    )
    assert not (project / "build" / "paper.pdf").exists()


def test_pandoc_warnings_come_back_with_kinds_at_source_lines(tmp_path: Path) -> None:
    project = copy_project("broken-markdown", tmp_path)
    run = run_build(project)
    assert run.code == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "broken-markdown/manuscript/paper.md:11: warning: Duplicate note reference 'a' "
        "[markdown.duplicate-note]",
        "broken-markdown/manuscript/paper.md:13: warning: Duplicate identifier 'intro' "
        "[markdown.duplicate-id]",
    ]
    assert "[WARNING]" not in run.stderr


def test_unwritable_build_folder(tmp_path: Path) -> None:
    project = copy_project("broken-empty", tmp_path)
    (project / "build").write_text("not a folder")
    run = run_build(project)
    assert run.code == 1
    assert run.stderr.strip() == (
        "broken-empty/build: error: cannot write to the build folder: a file has its name "
        "[io.write]"
    )


def test_pandoc_floor() -> None:
    pandoc.require_version(pandoc.version())  # the pinned pandoc passes
    with pytest.raises(pandoc.PressroomError) as caught:
        pandoc.require_version("3.5.2")
    assert caught.value.format() == (
        "pressroom: error: pandoc 3.5.2 is too old: pressroom needs pandoc >= 3.6; run 'make' "
        "to install the pinned pypandoc-binary [pandoc.version]"
    )


def test_dependency_floors() -> None:
    from importlib.metadata import version

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())

    assert parts(version("weasyprint")) >= (70,)
    assert parts(version("jinja2")) >= (3, 1, 6)
