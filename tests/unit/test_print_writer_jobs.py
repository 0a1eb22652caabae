"""The writers' jobs: URLs made breakable in the print page's JSON (print_urls.py, where a Lua
filter did it), and what the jobs of one document share (render/base.py's jobs_together)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pressroom import pandoc
from pressroom.config import Document
from pressroom.model import Cited
from pressroom.render import base, print_urls
from pressroom.sourcemap import SourceMap

WRITER = ["-f", "json", "-t", "html5", "--wrap=none"]
ZW = "\u200b"


def ast_of(markdown: str) -> dict[str, Any]:
    out, _ = pandoc.run(["-f", "markdown", "-t", "json"], markdown.encode("utf-8"))
    value: dict[str, Any] = json.loads(out)
    return value


def printed(markdown: str) -> str:
    page = print_urls.breakable(pandoc.to_json(ast_of(markdown)))
    out, _ = pandoc.run(WRITER, page)
    return out.decode("utf-8").strip()


def nb(*parts: str) -> str:
    return ZW.join(f'<span class="nb">{p}</span>' for p in parts)


def test_a_url_breaks_only_where_chicago_allows() -> None:
    # As print-urls.lua printed it: after '//', before / . - _ ~ ? # % & =; never inside a piece.
    out = printed("See https://doi.org/10.1000/a-b_c~d?e=f&g=h#i%20j. And ftp://h//p here.\n")
    url = nb(
        "https://", "doi", ".org", "/10", ".1000", "/a", "-b", "_c", "~d", "?e", "=f", "&amp;g",
        "=h", "#i", "%20j",
    )  # fmt: skip
    assert out == (
        f'<p>See <span class="url">{url}</span>. And '
        f'<span class="url">{nb("ftp://", "h//", "p")}</span> here.</p>'
    )


def test_what_starts_a_url_and_what_ends_one() -> None:
    out = printed('www.example.com/x/, doi.org/10.1/Z), café 1http://x a http://x.org/a\\"b\n')
    quoted = nb("http://", "x", ".org", '/a"b')  # a quotation mark: escaped in the JSON
    assert out == (
        f'<p><span class="url">{nb("www", ".example", ".com", "/x", "/")}</span>, '
        f'<span class="url">{nb("doi", ".org", "/10", ".1", "/Z")}</span>), café 1http://x a '
        f'<span class="url">{quoted}</span></p>'
    )


def test_a_page_without_urls_is_left_byte_for_byte() -> None:
    page = pandoc.to_json(ast_of("No address here, only words: a.b and c/d.\n"))
    assert print_urls.breakable(page) == page


def cited(markdown: str, tmp_path: Path) -> Cited:
    source = tmp_path / "paper.md"
    source.write_text(markdown)
    doc = Document("paper", source, {}, markdown, ("html", "pdf"))
    sources = SourceMap.identity(markdown, source)
    return Cited(doc, ast_of(markdown), sources, (), frozenset({source}))


def test_the_screen_and_print_jobs_share_one_page_json(tmp_path: Path) -> None:
    c = cited("## Goals\n\nSee https://example.org/a.\n", tmp_path)
    alone = (base.page_json(c), base.html_writer(c))
    with base.jobs_together():
        first, again = base.page_json(c), base.page_json(c)
        writer = base.html_writer(c)
    assert first is again, "made once while the jobs are made together"
    assert (first, writer) == alone
    assert "--shift-heading-level-by=0" in writer  # the top heading is ##
    assert base.page_json(c) is not first, "not kept once the jobs are made"
