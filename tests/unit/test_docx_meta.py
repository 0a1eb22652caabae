"""The DOCX renderer's title block and properties, from the metadata (in-process)."""

from __future__ import annotations

from pressroom.render.docx import with_docx_meta


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
