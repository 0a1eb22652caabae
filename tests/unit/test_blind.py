"""blind: who the authors are, which references are theirs, and what the blind build hides."""

from __future__ import annotations

from pathlib import Path

from pressroom import blind, tree
from pressroom.config import Project, load_project
from pressroom.references import load_library

from .conftest import ast, write

METADATA = """\
title: T
authors:
  - name: Kenji Watanabe
    affiliation: Faculty of Law, Example University
    email: k.watanabe@example.org
    orcid: 0000-0002-1825-0097
    self-cite: [listed2001]
  - name: Li
  - name: Ana Maria Oliveira
"""
LIBRARY = """\
- {id: watanabe2020, type: book, title: Mine, author: [{family: Watanabe, given: K.}], issued: 2020}
- {id: flagged2010, type: report, title: Also mine, author: [{literal: A Lab}], self-cite: true}
- {id: listed2001, type: report, title: Listed as mine}
- {id: other1999, type: book, title: Theirs, author: [{family: Other, given: O.}], issued: 1999}
"""


def project(tmp_path: Path) -> Project:
    files = {
        "manuscript/metadata.yaml": METADATA,
        "manuscript/paper.md": "x\n",
        "references/library.yaml": LIBRARY,
    }
    return load_project(write(tmp_path / "p", files))


def test_identities_of_every_author(tmp_path: Path) -> None:
    assert blind.identities(project(tmp_path)) == [
        ("name", "Kenji Watanabe"),
        ("surname", "Watanabe"),
        ("affiliation", "Faculty of Law, Example University"),
        ("email", "k.watanabe@example.org"),
        ("orcid", "0000-0002-1825-0097"),
        ("name", "Li"),
        ("name", "Ana Maria Oliveira"),
        ("surname", "Oliveira"),
    ]


def test_self_citations_by_name_flag_or_list(tmp_path: Path) -> None:
    p = project(tmp_path)
    assert blind.self_citations(p, load_library(p)) == {"watanabe2020", "flagged2010", "listed2001"}


def test_masked_library_keeps_type_and_year_only(tmp_path: Path) -> None:
    p = project(tmp_path)
    items = {i["id"]: i for i in blind.masked(p, load_library(p)).items}
    assert items["watanabe2020"] == {
        "id": "watanabe2020",
        "type": "book",
        "issued": {"date-parts": [[2020]]},
        "author": [{"literal": "Author"}],
        "title": '<span class="nocase">[title withheld for review]</span>',
    }
    assert "self-cite" not in items["flagged2010"]
    assert items["other1999"]["title"] == "Theirs"
    write(p.root, {"manuscript/metadata.yaml": METADATA + "blind-mask: {author: Anonymous}\n"})
    again = load_project(p.root)
    mine = blind.masked(again, load_library(again)).items[0]
    assert mine["author"] == [{"literal": "Anonymous"}]
    assert "[title withheld for review]" in mine["title"]


def test_the_blind_project_builds_apart_without_authors(tmp_path: Path) -> None:
    p = project(tmp_path)
    assert not blind.is_blind_build(p)
    b = blind.blind_project(p)
    assert blind.is_blind_build(b)
    assert b.build_dir == p.build_dir / "submission" / ".blind"
    assert b.overrides == {"authors": [], "acknowledgements": "", "blind": True}
    assert p.metadata["authors"], "the project itself is left as it was"


def test_citation_keys_are_renamed_everywhere() -> None:
    doc = ast("blind")
    blind.anonymize_keys(doc)
    # (Without citeproc, the citation's printed text is still its source; a build prints the
    # masked entry there. Only the keys are anonymize_keys' job.)
    (cite,) = tree.nodes(doc, "Cite")
    assert [c["citationId"] for c in cite["c"][0]] == ["r1", "r2"]
    (link,) = tree.nodes(doc, "Link")
    assert link["c"][2][0] == "#ref-r1"
    refs = doc["blocks"][1]["c"][1]
    assert [div["c"][0][0] for div in refs] == ["ref-r2", "ref-r1"], "one name per key"


def _docx(parts: dict[str, str]) -> bytes:
    """A zip of XML parts, as a DOCX holds them."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buffer.getvalue()


def test_the_leak_check_reads_text_and_values_not_markup_or_parts_of_words() -> None:
    from pressroom.submission import revealed

    wanted = [("surname", "Name"), ("surname", "Hall"), ("affiliation", "Law & Economics")]
    clean = {
        "[Content_Types].xml": '<Types><Override PartName="/word/document.xml"/></Types>',
        "word/styles.xml": '<w:styles><w:style><w:name w:val="Title"/></w:style></w:styles>',
        "word/document.xml": "<w:p><w:t>You shall find it in a hallway.</w:t></w:p>",
    }
    assert revealed(wanted, "paper.docx", _docx(clean)) == []
    leaking = {
        **clean,
        "word/footnotes.xml": "<w:t>As Hall argued</w:t>",
        "word/comments.xml": '<w:comment w:author="Ann NAME"/>',
        "word/settings.xml": '<w:bookmarkStart w:name="ref-hall2020"/>',
        "docProps/core.xml": "<dc:description>Law &amp; Economics</dc:description>",
    }
    assert revealed(wanted, "paper.docx", _docx(leaking)) == [
        ("surname", "word/footnotes.xml"),
        ("surname", "word/comments.xml"),
        ("surname", "word/settings.xml"),
        ("affiliation", "docProps/core.xml"),
    ]
    assert revealed(wanted, "abstract.txt", b"Hall (2020) shows") == [("surname", "abstract.txt")]
