"""The patches that only make WeasyPrint faster change nothing in what it lays out or writes."""

from __future__ import annotations

import gc
import inspect
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pydyf
import pytest
import tinyhtml5
from tinyhtml5 import inputstream
from weasyprint.formatting_structure.boxes import InlineBlockBox
from weasyprint.layout import LayoutContext

from pressroom import (
    process,
    weasy,
    weasy_anchors,
    weasy_backgrounds,
    weasy_deflate,
    weasy_draw,
    weasy_paint,
    weasy_patch,
    weasy_shrink,
    weasy_text,
)

from .conftest import ROOT, Run, copy_default_project, copy_project, run_build
from .readers import note_pages, pdf_pages

TEXT = (
    "the committee met in spring and again in autumn with a longer agenda each time while "
    "officials on both sides kept notes that rarely agree about what was said"
)
WORDS = TEXT.split()


def words(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def crowded_notes_html(paragraphs: int = 10) -> str:
    """Small pages whose note area (max-height 45%) overflows again and again: notes of 6 to
    120 words, two to five to a paragraph, in pressroom's markup (a.fn-call, a.fn-marker)."""
    body, n = [], 0
    for p in range(paragraphs):
        parts = []
        for k in range(2 + (p * 7) % 4):
            n += 1
            note = words(6 + (p * 37 + k * 53) % 115, p + k)
            parts.append(
                f'{words(18, p * 5 + k)}<a href="#fn{n}" id="fnref{n}" class="fn-call">{n}</a>'
                f'<span id="fn{n}" class="footnote"><span class="fn-p">'
                f'<a href="#fnref{n}" class="fn-marker">{n}</a> {note}.</span></span> '
            )
        body.append(f"<p>{''.join(parts)}</p>")
    style = """
      @page { size: 120mm 170mm; margin: 12mm; @footnote { max-height: 45%; } }
      body { font: 10pt/1.3 serif; text-align: justify; }
      .footnote { float: footnote; footnote-display: block; footnote-policy: line;
                  font-size: 8pt; }
      .footnote::footnote-call, .footnote::footnote-marker { content: none; }
      a.fn-marker { display: inline-block; min-width: 1.4em; }
      a.fn-call { vertical-align: super; font-size: 65%; line-height: 0; }"""
    return f'<html lang="en"><head><title>Notes</title><style>{style}</style></head>' + (
        f"<body>{''.join(body)}</body></html>"
    )


@pytest.fixture
def fast_and_plain() -> Iterator[None]:
    yield
    weasy_patch.configure()


def lay_out(html: str, tmp: Path, fast: bool) -> tuple[weasy.Placement, bytes, dict[str, int]]:
    weasy_patch.configure(fast=fast)
    counts = {**weasy_patch.memo_counts, **weasy_patch.anonymised_counts}
    laid = weasy.layout(html, tmp, [tmp])
    document, warnings = laid.document, laid.warnings
    assert warnings == []
    after = {**weasy_patch.memo_counts, **weasy_patch.anonymised_counts}
    used = {k: after[k] - counts[k] for k in counts}
    return weasy.placement(document), weasy.write(document), used


def test_crowded_note_areas_lay_out_the_same_with_the_memo(
    fast_and_plain: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overflows: list[bool] = []
    update = LayoutContext._update_footnote_area

    def counted(context: LayoutContext) -> bool:  # WeasyPrint's own, its overflows counted
        overflows.append(update(context))
        return overflows[-1]

    monkeypatch.setattr(LayoutContext, "_update_footnote_area", counted)
    html = crowded_notes_html()
    plain = lay_out(html, tmp_path, fast=False)
    plain_overflows, overflows[:] = overflows.count(True), []
    fast = lay_out(html, tmp_path, fast=True)
    assert {"note-area-memo", "note-scan", "note-anonymous-boxes"} <= set(weasy_patch.applied())
    assert plain[2]["hit"] == 0 and fast[2]["hit"] > 2 * fast[2]["miss"], fast[2]
    assert plain[2]["reused"] == 0 and fast[2]["reused"] > 2 * fast[2]["made"], fast[2]
    assert plain_overflows > 5, "the note area keeps overflowing its max-height"
    assert overflows.count(True) == plain_overflows
    assert fast[0] == plain[0], "every note's call and text on the same pages"
    assert fast[1] == plain[1], "the same PDF, byte for byte"


def test_page_references_cache_writes_the_same_bytes(fast_and_plain: None, tmp_path: Path) -> None:
    html = "<html lang='en'><head><title>T</title></head><body>" + "".join(
        f"<h2>Part {i}</h2><p>{words(300, i)}</p>" for i in range(10)
    )
    weasy_patch.configure(fast=False)
    original = pydyf.PDF.page_references
    plain = weasy.write(weasy.layout(html, tmp_path, [tmp_path]).document)  # tagged: PDF/UA-1
    weasy_patch.configure(fast=True)
    assert pydyf.PDF.page_references is not original
    document = weasy.layout(html, tmp_path, [tmp_path]).document
    assert len(document.pages) >= 5
    assert weasy.write(document) == plain


MIXED_TEXT = (
    "<p>Justified text in <i>italic</i>, <b>bold</b> and <span class='sc'>small caps</span>, "
    "with kerning (AVAWaTo), ligatures (office, affluent), a letter-spaced "
    "<span class='ls'>phrase</span>, a note call<sup>12</sup>, figures 1,234.56, "
    "Japanese 日米の技術摩擦 in IPAex Mincho, a zero-width\u200bspace and a soft\u00adhyphen. "
    + " ".join(WORDS)
    + "</p>"
)
MARKED_TEXT = (  # lines WeasyPrint draws itself: marks set by the shaper, .notdef, ellipsis
    "<p>Marks placed by the shaper: q\u0301 x\u0323\u0302 and a missing glyph \U000f0001.</p>"
    "<p class='cut'>A line cut short with an ellipsis because it is far too long to fit.</p>"
)


def draw(html: str, tmp: Path, fast: bool) -> tuple[bytes, dict[str, int]]:
    """A fresh layout (fresh fonts) written as a tagged PDF; the draw patch's line counts."""
    weasy_patch.configure(fast=fast)
    counts = dict(weasy_draw.drawn_counts)
    pdf = weasy.write(weasy.layout(html, tmp, [tmp]).document)
    return pdf, {k: weasy_draw.drawn_counts[k] - counts[k] for k in counts}


def test_text_drawn_from_glyph_arrays_is_the_same_pdf(fast_and_plain: None, tmp_path: Path) -> None:
    style = """
      @page { size: 110mm 160mm; margin: 10mm; }
      body { font: 10pt/1.35 'Linux Libertine O', 'IPAexMincho', serif; text-align: justify;
             hyphens: auto; }
      .sc { font-variant: small-caps; } .ls { letter-spacing: 0.12em; }
      .cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 30mm; }"""
    head = f"<html lang='en'><head><title>T</title><style>{style}</style></head><body>"
    common = head + MIXED_TEXT * 6 + "</body></html>"
    plain, plain_counts = draw(common, tmp_path, fast=False)
    fast, fast_counts = draw(common, tmp_path, fast=True)
    assert "draw-glyphs-in-one-read" in weasy_patch.applied()
    assert plain_counts["read"] == 0 and fast_counts["released"] == 0
    assert fast_counts["read"] > 40, fast_counts
    assert fast == plain, "the same content streams, fonts and widths, byte for byte"
    marked = head + MARKED_TEXT + "</body></html>"
    plain, _ = draw(marked, tmp_path, fast=False)
    fast, fast_counts = draw(marked, tmp_path, fast=True)
    assert fast_counts["released"] >= 2, fast_counts  # handed back before drawing anything
    assert fast == plain


FONT_SETTINGS_HTML = (  # text in many font settings: each makes its own Pango layouts
    "<html lang='en'><head><title>T</title><style>"
    "@page { size: 110mm 160mm; margin: 10mm; }"
    "body { font: 10pt/1.35 'Linux Libertine O', serif; text-align: justify; hyphens: auto; }"
    ".u { text-decoration: underline; } .s { text-decoration: line-through; }"
    ".sc { font-variant: small-caps; } .on { font-variant-numeric: oldstyle-nums; }"
    ".ff { font-feature-settings: 'liga' 0; } .nk { font-kerning: none; }"
    ".rtl { direction: rtl; } .big { font-size: 14pt; font-weight: bold; }"
    "</style></head><body>"
    + "".join(
        f"<p>{words(40, i)} <span class='u'>{words(6, i + 1)}</span> "
        f"<span class='s'>{words(5, i + 2)}</span> <span class='sc'>{words(5, i + 3)}</span> "
        f"<span class='on'>1,234 and 1987</span> <span class='ff'>office affluent</span> "
        f"<span class='nk'>AVAWaTo</span> <span lang='de'>Donaudampfschiffahrt</span> "
        f"<span lang='ja'>日米の技術摩擦</span> <span class='big'>{words(4, i)}</span></p>"
        f"<p class='rtl'>{words(12, i + 4)}</p>"
        for i in range(8)
    )
    + "</body></html>"
)


def test_layouts_copied_from_templates_are_the_same_pdf(
    fast_and_plain: None, tmp_path: Path
) -> None:
    weasy_patch.configure(fast=False)
    plain = weasy.layout(FONT_SETTINGS_HTML, tmp_path, [tmp_path]).document
    plain_pdf = weasy.write(plain)
    weasy_patch.configure(fast=True)
    assert "layouts-from-templates" in weasy_patch.applied()
    before = dict(weasy_text.setup_counts)
    fast = weasy.layout(FONT_SETTINGS_HTML, tmp_path, [tmp_path]).document
    fast_pdf = weasy.write(fast)
    copied = weasy_text.setup_counts["copied"] - before["copied"]
    made = weasy_text.setup_counts["made"] - before["made"]
    assert made >= 10 and copied > 4 * made, (made, copied)  # one template per setting
    assert weasy.placement(fast) == weasy.placement(plain)
    assert fast_pdf == plain_pdf, "the same lines, glyphs and fonts, byte for byte"


def test_layout_templates_are_keyed_on_everything_setup_reads(fast_and_plain: None) -> None:
    """A Layout set up from a template has the Python state and makes the lines that
    WeasyPrint's own setup gives, and that setup reads no style property outside the key."""
    from weasyprint import HTML
    from weasyprint.text.line_break import Layout, line_size

    weasy_patch.configure(fast=True)
    document = HTML(string=FONT_SETTINGS_HTML).render()
    styles = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ == "TextBox":
                styles.setdefault(id(box.style), box.style)
    assert len(styles) > 50
    own_setup = inspect.unwrap(Layout.setup)
    assert own_setup is not Layout.setup

    class Recording(dict):  # type: ignore[type-arg]
        def __init__(self, style: dict) -> None:  # type: ignore[type-arg]
            super().__init__()
            self.style, self.font_config, self.read = style, style.font_config, set()

        def __getitem__(self, key: str) -> object:
            self.read.add(key)
            return self.style[key]

    for style in styles.values():
        copied, own = Layout(style), Layout.__new__(Layout)
        own.justification_spacing, own.max_width = 0, None
        recording = Recording(style)
        own_setup(own, recording)
        assert recording.read <= set(weasy_text._KEYS), recording.read - set(weasy_text._KEYS)
        own.style = style
        assert {k: v for k, v in vars(copied).items() if k != "layout"} == {
            k: v for k, v in vars(own).items() if k != "layout"
        }
        for layout in (copied, own):
            layout.set_text("Officials affluent AVAWaTo 1987, 日米", justify=True)
        assert line_size(copied.get_first_line()[0], style) == line_size(
            own.get_first_line()[0], style
        )


def test_normal_flow_is_answered_as_released(fast_and_plain: None) -> None:
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import BlockBox, Box

    weasy_patch.configure(fast=True)
    assert "normal-flow-in-one-test" in weasy_patch.applied()
    released = inspect.unwrap(Box.is_in_normal_flow)
    assert released is not Box.is_in_normal_flow
    html = (
        "<html><head><style>@page { @top-center { content: element(head); } }"
        ".run { position: running(head); } .fl { float: left; width: 2em; }"
        ".fr { float: right; width: 2em; } .abs { position: absolute; top: 0; }"
        ".fix { position: fixed; } .rel { position: relative; }"
        ".fn { float: footnote; }</style></head><body>"
        "<p class='run'>Head</p>"
        + "".join(
            f"<p>{words(30, i)}<span class='fl'>L</span><span class='fr'>R</span>"
            f"<span class='abs'>A</span><span class='fix'>F</span><span class='rel'>r</span>"
            f"<span class='fn'>{words(8, i)}</span></p>"
            for i in range(4)
        )
        + "</body></html>"
    )
    document = HTML(string=html).render()
    answers: dict[bool, int] = {True: 0, False: 0}

    def walk(box: Box) -> None:
        answer = box.is_in_normal_flow()
        assert answer == released(box), (box, box.style["float"], box.style["position"])
        answers[answer] += 1
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert answers[False] >= 4 * 4 and answers[True] > 50, answers
    floats = ("none", "left", "right", "inline-start", "inline-end", "footnote")
    positions = ("static", "relative", "absolute", "fixed", ("running()", "head"))
    box = BlockBox.__new__(BlockBox)  # every value the two properties compute to
    for value in floats:
        for position in (*positions, ("note()", "aside")):
            box.style = {"float": value, "position": position}
            assert box.is_in_normal_flow() == released(box), box.style


def every_box(
    html: str, tmp: Path, fast: bool, read: Callable[[object], list[object]]
) -> tuple[list[object], bytes]:
    """`html` laid out with the fast patches or without: what `read` finds in each box, in tree
    order, page by page, and the PDF written."""
    weasy_patch.configure(fast=fast)
    document = weasy.layout(html, tmp, [tmp]).document
    found: list[object] = []

    def walk(box: object) -> None:
        found.extend(read(box))
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found, weasy.write(document)


def test_inline_blocks_sized_by_their_min_width_are_the_released_size(
    fast_and_plain: None, tmp_path: Path
) -> None:
    # Note numbers whose min-width decides (a short number), whose text is wider than it (a
    # long one), with words that could wrap; and inline blocks sized some other way: a
    # max-width, a set width, a percentage min-width, an inline table, no min-width at all.
    style = (
        "body { font: 10pt/1.3 serif; } a.m { display: inline-block; min-width: 1.6em; } "
        "a.m::after { content: '.'; } .mx { display: inline-block; min-width: 3em; "
        "max-width: 2em; } .w { display: inline-block; min-width: 2em; width: 5em; } "
        ".pc { display: inline-block; min-width: 12%; } .none { display: inline-block; } "
        ".tb { display: inline-table; min-width: 4em; } .pad { padding: 0 2px; border: 1px "
        "solid; }"
    )
    kinds = (
        '<a class="m" href="#n">{n}</a>',
        '<a class="m pad" href="#n">{n}</a>',
        '<a class="m" href="#n">{n}{n}{n}{n}</a>',
        '<a class="m" href="#n">a b</a>',
        '<span class="mx">{n} {n}</span>',
        '<span class="w">{n}</span>',
        '<span class="pc">{n} of</span>',
        '<span class="none">{n}</span>',
        '<span class="tb"><span style="display: table-cell">{n}</span></span>',
    )
    html = (
        f"<html lang='en'><head><title>I</title><style>{style}</style></head><body>"
        + "".join(
            f"<p>{kind.format(n=i + 1)} {words(18, i)} {kind.format(n=i + 7)}</p>"
            for i in range(8)
            for kind in kinds
        )
        + "</body></html>"
    )

    def size(box: object) -> list[object]:
        if not isinstance(box, InlineBlockBox):
            return []
        return [(box.width, box.height, box.position_x, box.position_y)]

    def sizes(fast: bool) -> tuple[list[object], bytes]:
        return every_box(html, tmp_path, fast, size)

    plain = sizes(fast=False)
    before = dict(weasy_shrink.shrink_counts)
    fast = sizes(fast=True)
    assert "min-width-decides-inline-blocks" in weasy_patch.applied()
    decided = weasy_shrink.shrink_counts["decided"] - before["decided"]
    asked = weasy_shrink.shrink_counts["asked"] - before["asked"]
    assert decided >= 8 * 4 and asked >= 8 * 5, (decided, asked)
    assert len(plain[0]) == 8 * 2 * len(kinds)
    assert fast[0] == plain[0], "every inline block's width, height and place"
    assert fast[1] == plain[1]


def test_anchors_seen_in_a_set_give_the_same_page_numbers(
    fast_and_plain: None, tmp_path: Path
) -> None:
    # A contents list whose page numbers (target-counter) point at paragraphs that run on
    # over a page turn, so that an anchor met again on its second page must be known as seen.
    style = (
        "@page { size: 100mm 80mm; margin: 8mm; } body { font: 9pt/1.3 serif; } "
        "a.toc { display: block; } a.toc::after { content: ' p. ' target-counter(attr(href), "
        "page); } h2 { font-size: 10pt; }"
    )
    parts = 12
    contents = "".join(f'<a class="toc" href="#s{i}">Part {i}</a>' for i in range(parts))
    body = "".join(
        f"<h2 id='h{i}'>Part {i}</h2><p id='s{i}'>{words(90 + 17 * (i % 4), i)}</p>"
        for i in range(parts)
    )
    html = (
        f"<html lang='en'><head><title>A</title><style>{style}</style></head><body>"
        f"{contents}{body}</body></html>"
    )

    def pages(fast: bool) -> tuple[list[str], bytes, set[str]]:
        weasy_patch.configure(fast=fast)
        document = weasy.layout(html, tmp_path, [tmp_path]).document
        on_pages: dict[str, set[int]] = {}

        def walk(box: object, page: int) -> None:
            element = getattr(box, "element", None)
            if element is not None and element.get("id"):
                on_pages.setdefault(element.get("id"), set()).add(page)
            for child in getattr(box, "children", []):
                walk(child, page)

        for number, page in enumerate(document.pages):
            walk(page._page_box, number)
        (tmp_path / f"{fast}.pdf").write_bytes(weasy.write(document))
        split = {ident for ident, found in on_pages.items() if len(found) > 1}
        return pdf_pages(tmp_path / f"{fast}.pdf"), (tmp_path / f"{fast}.pdf").read_bytes(), split

    plain = pages(fast=False)
    before = weasy_anchors.seen_counts["asked"]
    fast = pages(fast=True)
    assert "anchors-seen-in-a-set" in weasy_patch.applied()
    assert weasy_anchors.seen_counts["asked"] - before > 2 * parts
    assert len(plain[2]) > parts // 2, "paragraphs run on over a page turn"
    assert "Part 11 p. " in plain[0][0] + plain[0][1]
    assert fast[0] == plain[0], "every page number of the contents, and every page"
    assert fast[1] == plain[1]


def test_boxes_without_background_are_told_early_with_the_same_pdf(
    fast_and_plain: None, tmp_path: Path
) -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    style = (
        "body { background: #fdfdf0; } .c { background-color: #eef; } .i { background: "
        f"url({pixel}) repeat; }} .s {{ box-shadow: 2px 2px 3px #888; }} .h {{ visibility: "
        "hidden; background: red; } .b { border: 6px solid; border-image-source: "
        f"url({pixel}); border-image-slice: 1; }} .t {{ background: transparent; }} "
        ".r { border-radius: 10%; background: #fee; } td { background: #efe; }"
    )
    cells = "".join(f"<td>{words(3, i)}</td>" for i in range(3))
    html = (
        f"<html lang='en'><head><title>B</title><style>{style}</style></head><body>"
        + "".join(
            f"<p class='{kind}'>{words(25, i)} <span class='c'>{words(4, i)}</span> "
            f"<em>{words(3, i)}</em></p><div>{words(12, i)}<p>{words(8, i)}</p></div>"
            f"<table><tr>{cells}</tr></table>"
            for i, kind in enumerate(("c", "i", "s", "h", "b", "t", "r", "", "c i"))
        )
        + "</body></html>"
    )

    def background_of(box: object) -> list[object]:
        background = getattr(box, "background", "unset")
        if hasattr(background, "layers"):  # not its style: read lazily, it holds more or less
            background = (background.color, background.layers)
        return [(type(box).__name__, re.sub(" at 0x[0-9a-f]+", "", repr(background)))]

    def backgrounds(fast: bool) -> tuple[list[object], bytes]:
        return every_box(html, tmp_path, fast, background_of)

    plain = backgrounds(fast=False)
    before = dict(weasy_backgrounds.background_counts)
    fast = backgrounds(fast=True)
    assert "no-background-early" in weasy_patch.applied()
    told = weasy_backgrounds.background_counts["none"] - before["none"]
    released = weasy_backgrounds.background_counts["released"] - before["released"]
    assert told > 100 and released > 20, (told, released)
    assert sum(b != "None" for _, b in plain[0]) > 20  # boxes that have a background
    assert fast[0] == plain[0], "every box's background, painting areas included"
    assert fast[1] == plain[1]


def test_streams_compressed_while_drawing_are_the_same_pdf(
    fast_and_plain: None, tmp_path: Path
) -> None:
    """Pages compressed on the worker thread give pydyf's bytes; a stream changed after its
    page was painted (here by a finisher, before the PDF is written) is compressed afresh."""
    html = "<html lang='en'><head><title>T</title></head><body>" + "".join(
        f"<h2>Part {i}</h2><p>{words(250, i)}</p>" for i in range(8)
    )

    def written(fast: bool, change: bool) -> tuple[bytes, int, dict[str, int]]:
        weasy_patch.configure(fast=fast)
        document = weasy.layout(html, tmp_path, [tmp_path]).document
        before = dict(weasy_deflate.deflate_counts)

        def finisher(_: object, pdf: pydyf.PDF) -> None:
            if change:  # the first page's content stream gets one more operator
                first = next(o for o in pdf.objects if isinstance(o, pydyf.Stream) and o.stream)
                first.stream.append(b"0 g")

        pdf = document.write_pdf(pdf_variant=weasy.PDF_VARIANT, finisher=finisher)
        counts = {k: weasy_deflate.deflate_counts[k] - before[k] for k in before}
        return pdf, len(document.pages), counts

    for change in (False, True):
        plain, pages, plain_counts = written(fast=False, change=change)
        fast, _, fast_counts = written(fast=True, change=change)
        assert {"deflate-while-drawing", "deflated-stream-data"} <= set(weasy_patch.applied())
        assert plain_counts == {"used": 0, "changed": 0}
        assert pages >= 4
        assert fast_counts == {"used": pages - change, "changed": int(change)}, fast_counts
        assert fast == plain, "the same compressed streams, byte for byte"


PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def split_pages_html(tail: str) -> str:
    """Small pages, each with a gradient rule (a transparency group holding a shading and a
    soft mask), translucent text (a group and alpha states), links, marked text in three
    fonts; `tail` ends the document (in the second half)."""
    style = """
      @page { size: 110mm 120mm; margin: 10mm; }
      body { font: 10pt/1.35 'Linux Libertine O', serif; text-align: justify; }
      hr { height: 2px; border: 0; background-image: linear-gradient(to right, #000 33%,
           transparent 33%); background-repeat: no-repeat; background-size: 100% 1pt; }
      .dim { opacity: 0.6; } .tint { color: rgba(120, 0, 0, 0.5); }"""
    body = "".join(
        f"<h2>Part {i}</h2><hr><p>{words(60, i)} <i>{words(5, i)}</i> "
        f"<span class='dim'>{words(6, i + 1)}</span> <b>{words(4, i)}</b> "
        f"<a href='#p{(i + 3) % 12}'>see part {(i + 3) % 12}</a> "
        f"<span class='tint'>{words(5, i + 2)}</span></p><p id='p{i}'>{words(40, i + 3)}</p>"
        for i in range(12)
    )
    return (
        f"<html lang='en'><head><title>T</title><style>{style}</style></head>"
        f"<body>{body}{tail}</body></html>"
    )


@pytest.mark.parametrize(
    ("tail", "outcome"),
    [
        ("", "split"),
        (f"<p><img src='{PIXEL}' alt='a pixel' width='20'></p>", "refused"),
        ("<p lang='ja' style=\"font-family: 'IPAexMincho'\">日米の技術摩擦</p>", "refused"),
    ],
    ids=["split", "image-in-second-half", "font-only-in-second-half"],
)
def test_second_half_drawn_by_a_child_is_the_same_pdf(
    fast_and_plain: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tail: str,
    outcome: str,
) -> None:
    """The pages from the middle on drawn by a forked child and taken by the parent give the
    PDF one process writes; a second half the child cannot hand back (an image, a font the
    first half never used) is drawn by the parent, with the same PDF."""
    monkeypatch.setattr(weasy_paint, "MIN_PAGES", 4)
    monkeypatch.setenv("PRESSROOM_PARALLEL", "1")  # whatever the load: the test decides
    html = split_pages_html(tail)
    weasy_patch.configure(fast=False)
    plain = weasy.write(weasy.layout(html, tmp_path, [tmp_path]).document)
    weasy_patch.configure(fast=True)
    assert {"split-write-pages", "split-write-pages-taken"} <= set(weasy_patch.applied())
    document = weasy.layout(html, tmp_path, [tmp_path]).document
    assert len(document.pages) >= 8
    before = dict(weasy_paint.paint_counts)
    fast = weasy.write(document)
    counts = {k: weasy_paint.paint_counts[k] - before[k] for k in before}
    assert counts == {"split": int(outcome == "split"), "refused": int(outcome == "refused")}, (
        weasy_paint.last_refusal
    )
    assert fast == plain, "the same pages, groups, fonts and structure tree, byte for byte"
    with pikepdf.open(io.BytesIO(plain)) as pdf:  # what the second half's pages hold
        half = pdf.pages[len(pdf.pages) // 2 :]
        drawn = [page.Contents.read_bytes() for page in half]
        assert all(b" Do" in content and b" gs" in content for content in drawn)
        groups = half[0].Resources.XObject
        assert len(groups) > len(pdf.pages)
        assert any("/Shading" in g.get("/Resources", {}) for g in groups.values())


def test_html_parse_finds_its_cached_regexes(fast_and_plain: None) -> None:
    html = crowded_notes_html(3)
    weasy_patch.configure(fast=False)
    inputstream.characters_until_regex.clear()
    plain = tinyhtml5.parse(html)
    assert any(isinstance(key[0], re.Pattern) for key in inputstream.characters_until_regex)
    weasy_patch.configure(fast=True)
    assert "html-parse-regex-cache" in weasy_patch.applied()
    inputstream.characters_until_regex.clear()
    fast = tinyhtml5.parse(html)
    keys = list(inputstream.characters_until_regex)
    assert (("&", "<", "\u0000"), False) in keys, keys  # stored under what is looked up
    assert not any(isinstance(key[0], re.Pattern) for key in keys)
    assert ElementTree.tostring(fast) == ElementTree.tostring(plain)


def test_quiet_gc_puts_the_collector_back(fast_and_plain: None) -> None:
    weasy_patch.configure(fast=True)
    thresholds = gc.get_threshold()
    with weasy_patch.quiet_gc():
        assert gc.get_threshold()[0] == 100_000 and gc.get_freeze_count() > 0
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    weasy_patch.configure(fast=False)
    with weasy_patch.quiet_gc():
        assert gc.get_threshold() == thresholds


def test_a_build_leaves_its_layouts_objects_to_its_exit(
    fast_and_plain: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = crowded_notes_html(6)
    weasy_patch.configure(fast=True)
    collected = lay_out(html, tmp_path, fast=True)[:2]  # in a process that goes on
    monkeypatch.setattr(process, "ends_with_command", True)  # as the command line sets it
    started: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.collect()
    frozen = gc.get_freeze_count()
    gc.callbacks.append(seen)
    try:
        laid = weasy.layout(html, tmp_path, [tmp_path])
        during_layout = list(started)
        pdf = weasy.write(laid.document)
        during_write = started[len(during_layout) :]
        left = gc.get_freeze_count() - frozen
    finally:
        gc.callbacks.remove(seen)
        weasy_patch.collect_left()
    assert during_layout == [] and during_write == [], "no collection ran in them"
    assert left > 50_000, "what the layout and the write made lies frozen, never walked"
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert (weasy.placement(laid.document), pdf) == collected, "the same pages and PDF bytes"


def build_plain(project: Path, target: str) -> Path:
    """Build `target` with PRESSROOM_WEASYPRINT_FAST=0: WeasyPrint with the notes patch only."""
    env = {**os.environ, "PRESSROOM_WEASYPRINT_FAST": "0"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", str(project), "build", target],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return project / "build" / target


def same_pdf(fast: Path, plain: Path) -> None:
    """The same PDF, byte for byte; where it is not, first what a reader would see differ:
    each page's text, then each note's pages (read only then: the text costs seconds.)"""
    if fast.read_bytes() != plain.read_bytes():
        assert pdf_pages(fast) == pdf_pages(plain)
        assert note_pages(fast) == note_pages(plain)
    assert fast.read_bytes() == plain.read_bytes()


def test_default_paper_is_the_same_pdf_without_the_fast_patches(
    default_build: Run, tmp_path: Path
) -> None:
    plain = build_plain(copy_default_project(tmp_path), "paper.pdf")
    same_pdf(default_build.build / "paper.pdf", plain)


def test_notes_at_max_height_are_the_same_pdf_without_the_fast_patches(tmp_path: Path) -> None:
    # notes-stress: two to six notes a paragraph, up to ~270 words each; the note area keeps
    # reaching its max-height (8 overflows, 9 notes reported, 11 taken back on 10 pages).
    fast_project = copy_project("notes-stress", tmp_path / "fast")
    run = run_build(fast_project, "build", "paper.pdf")  # the PDF alone, as build_plain
    assert run.code == 0, run.stderr
    fast = fast_project / "build" / "paper.pdf"
    plain = build_plain(copy_project("notes-stress", tmp_path / "plain"), "paper.pdf")
    notes = note_pages(fast)
    assert len(notes) > 40 and all(call == page for call, page in notes.values())
    same_pdf(fast, plain)
