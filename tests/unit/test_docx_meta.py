"""The DOCX renderer's title block and properties, from the metadata (in-process)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from pressroom.render.docx import with_core_properties, with_docx_meta


def test_title_authors_keywords_and_private_settings() -> None:
    ast = {
        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "Body"}]}],
        "meta": {"bibliography": {"t": "MetaString", "c": "/home/someone/lib.json"}},
    }
    meta = {
        "title": "A Title",
        "authors": [{"name": "Ann Author", "affiliation": "A University"}],
        "keywords": ["trade", "Japan"],
        "label": "Abstract",
        "lang": "en-GB",
    }
    out = with_docx_meta(ast, meta, "abstract")
    assert out["meta"]["title"] == {"t": "MetaString", "c": "A Title"}
    assert "bibliography" not in out["meta"], "no build path reaches docProps/custom.xml"
    assert [k["c"][0]["c"] for k in out["meta"]["keywords"]["c"]] == ["trade", "Japan"]
    assert out["meta"]["lang"]["c"] == "en-GB"
    assert out["blocks"][0]["t"] == "Div", "the label opens the body in its own style"
    assert ast["blocks"][0]["t"] == "Para", "the cited AST itself is not changed"


def test_authors_as_separate_styled_paragraphs() -> None:
    """Name, affiliation and e-mail each in its own style, none in pandoc's merged author line."""
    ast = {"blocks": [{"t": "Para", "c": [{"t": "Str", "c": "Body"}]}], "meta": {}}
    meta = {
        "authors": [
            {"name": "Ann Author", "affiliation": "A University", "email": "ann@example.org"},
            {"name": "Bo Writer"},
        ],
        "conference": {"name": "Test Conference", "place": "Nowhere"},
    }
    out = with_docx_meta(ast, meta, "paper")
    assert "author" not in out["meta"] and "date" not in out["meta"]
    styled = [
        (dict(b["c"][0][2])["custom-style"], b["c"][1][0]["c"][0]["c"])
        for b in out["blocks"]
        if b["t"] == "Div"
    ]
    assert styled == [
        ("Author", "Ann Author"),
        ("Affiliation", "A University"),
        ("Email", "ann@example.org"),
        ("Author", "Bo Writer"),
        ("Date", "Paper presented at the Test Conference, Nowhere"),
    ]
    assert out["blocks"][-1]["t"] == "Para", "the body follows the title block"


def test_core_properties_name_the_authors_and_the_build_date(tmp_path: Path) -> None:
    core = (
        '<cp:coreProperties xmlns:cp="c" xmlns:dc="d" xmlns:dcterms="t" xmlns:xsi="x">'
        "<dc:creator>Ann Author, A University, ann@example.org</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">1970-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">1970-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("docProps/core.xml", core)
        z.writestr("word/document.xml", "<w:document/>")
    when = dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.UTC)
    out = zipfile.ZipFile(
        io.BytesIO(with_core_properties(buffer.getvalue(), ["Ann Author", "Bo & Co"], when))
    )
    text = out.read("docProps/core.xml").decode()
    assert "<dc:creator>Ann Author; Bo &amp; Co</dc:creator>" in text
    assert text.count("2026-06-01T12:30:00Z") == 2 and "1970" not in text
    assert out.read("word/document.xml") == b"<w:document/>"
