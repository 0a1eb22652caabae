"""safety: which URLs raw HTML would make a renderer fetch, and which of them are refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from pressroom import safety
from pressroom.errors import PressroomError


def at(needle: str) -> tuple[Path, int | None]:
    """A stand-in for the source map: every needle is on line 7 of paper.md."""
    return Path("paper.md"), 7


@pytest.mark.parametrize(
    ("html", "urls"),
    [
        ('<img src="a.png" alt="x">', ["a.png"]),
        ('<img srcset="a.png 1x, b.png 2x">', ["a.png", "b.png"]),
        ("<object data='d.svg'></object>", ["d.svg"]),
        ('<video poster="p.png"></video>', ["p.png"]),
        ('<svg><image xlink:href="i.png"/></svg>', ["i.png"]),
        ('<a href="https://example.org/">a link to follow</a>', []),
        ('<a rel="attachment" href="file.pdf">attached</a>', ["file.pdf"]),
        ('<link rel="stylesheet" href="s.css">', ["s.css"]),
        ("<style>@import 'x.css'; p { background: url( \"y.png\" ) }</style>", ["y.png", "x.css"]),
        ("<p>No markup that loads anything.</p>", []),
    ],
)
def test_urls_a_renderer_would_fetch(html: str, urls: list[str]) -> None:
    assert sorted(safety.raw_html_urls(html)) == sorted(urls)


@pytest.mark.parametrize("tag", ["script", "iframe", "frame", "base", "meta", "applet"])
def test_elements_that_run_code_are_refused(tmp_path: Path, tag: str) -> None:
    with pytest.raises(PressroomError) as caught:
        safety.check_raw_html(f"<{tag.upper()} src=x>", tmp_path, tmp_path, at)
    assert caught.value.format() == (
        f"paper.md:7: error: raw HTML <{tag}> is not allowed in a source [html.unsafe]"
    )


def test_project_files_pass_others_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "p"
    base = root / "manuscript"
    base.mkdir(parents=True)
    fine = ["figures/a.png", "../templates/x.css", "#top", "data:image/png;base64,AA", "b.png?v=1"]
    safety.check_urls(fine, base, root, at)
    refused = {
        "http://127.0.0.1/x.png": "asset.remote",
        "file:///etc/passwd": "asset.remote",
        "//example.org/x.png": "asset.remote",
        "../../secret.txt": "asset.outside",
        "/etc/passwd": "asset.outside",
    }
    for url, kind in refused.items():
        with pytest.raises(PressroomError) as caught:
            safety.check_urls([url], base, root, at)
        assert (caught.value.kind, caught.value.line) == (kind, 7), url
        assert f"'{url}'" in caught.value.message
    with pytest.raises(PressroomError) as caught:
        safety.check_style("background: url(../../secret.png)", base, root, at)
    assert caught.value.kind == "asset.outside"


def png(width: int, height: int) -> bytes:
    data = io.BytesIO()
    Image.new("1", (width, height)).save(data, "PNG")
    return data.getvalue()


def test_image_bombs_are_refused_before_layout() -> None:
    safety.check_pixels(png(10, 10), "figures/ok.png", (Path("paper.md"), 3))
    safety.check_pixels(b"<svg/>", "figures/v.svg", (Path("paper.md"), 3))  # not a bitmap
    with pytest.raises(PressroomError) as caught:
        safety.check_pixels(png(10_000, 6_000), "figures/big.png", (Path("paper.md"), 3))
    assert caught.value.format() == (
        "paper.md:3: error: image 'figures/big.png' has 60 million pixels; the limit is 50 "
        "million (an image bomb?) [asset.size]"
    )


@pytest.mark.parametrize(
    ("html", "refused"),
    [
        ('<details open ontoggle="alert(1)">x</details>', "raw HTML attribute ontoggle="),
        ("<img src=a.png onerror=alert(1)>", "raw HTML attribute onerror="),
        ('<a href="javascript:alert(1)">x</a>', "a 'javascript:' link"),
        ('<a href="jav&#x61;script:alert(1)">x</a>', "a 'javascript:' link"),
        ("<a href=' JavaScript:alert(1)'>x</a>", "a 'javascript:' link"),
        ('<form action="vbscript:x"></form>', "a 'vbscript:' link"),
    ],
)
def test_script_in_attributes_and_links_is_refused(tmp_path: Path, html: str, refused: str) -> None:
    with pytest.raises(PressroomError) as caught:
        safety.check_raw_html(html, tmp_path, tmp_path, at)
    assert caught.value.format().startswith(f"paper.md:7: error: {refused}")
    assert caught.value.format().endswith("is not allowed in a source [html.unsafe]")


def test_links_and_attributes_that_run_no_script_pass(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"")
    for html in (
        '<a href="https://example.org/javascript:tutorial">x</a>',
        '<span title="on the javascript: scheme" class="one">x</span>',
        '<img src="a.png" alt="online">',
    ):
        safety.check_raw_html(html, tmp_path, tmp_path, at)
    safety.check_link("https://example.org/", at)
    with pytest.raises(PressroomError, match="'javascript:' link"):
        safety.check_link("javascript:alert(2)", at)  # a Markdown [link](javascript:...)
