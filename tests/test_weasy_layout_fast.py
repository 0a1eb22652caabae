"""The layout's speed patches for styles, struts and used lengths give WeasyPrint's own values.

Each patch (pressroom/weasy_style.py, weasy_strut.py, weasy_percent.py) is compared with the
function it replaces on a document that reaches its other paths: every computed value of
every element, every strut kept, every box's used lengths; and the PDF byte for byte."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from weasyprint.css import ComputedStyle
from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.layout import inline, percent

from pressroom import weasy, weasy_patch, weasy_percent, weasy_strut, weasy_style, weasy_text

from .test_weasy_fast import words

# Rules that reach the cases the short paths hand back: cascaded and custom properties, var()
# and calc() (a percentage kept in an inherited value), logical properties, text decorations,
# named pages, floats, positions, borders, box-sizing, collapsed tables, notes, rtl text.
STYLE = """
  @page { size: 130mm 170mm; margin: 12mm 8%; @bottom-center { content: counter(page); }
          @footnote { max-height: 40%; } }
  @page wide { size: 170mm 130mm; margin: 5%; }
  :root { --gap: 3mm; --ink: #223; }
  body { font: 10pt/1.35 serif; text-align: justify; hyphens: auto; }
  p { margin: 0 0 var(--gap); text-indent: calc(1em + 2%); color: var(--ink); }
  .box { margin-inline-start: 6%; padding-block: 2mm; padding-inline-end: 5%;
         border: 1.5pt solid; box-sizing: border-box; width: 80%; min-width: 40mm; }
  .pad { box-sizing: padding-box; padding: 2% 3mm; width: calc(60% + 4mm);
         max-width: 90%; border-left: 4px double; }
  .u { text-decoration: underline; } .u em { text-decoration: line-through; }
  .fl { float: left; width: 25%; margin-right: 2mm; } .fr { float: right; width: 20mm; }
  .rel { position: relative; left: 2%; } .abs { position: absolute; top: 5%; right: 10%; }
  .wide { page: wide; } .rtl { direction: rtl; margin-inline-start: 10%; }
  table { border-collapse: collapse; width: 90%; margin: 2mm auto; }
  td { border: 1px solid; padding: 1mm 2%; width: 30%; } td.pc { height: 10%; }
  .footnote { float: footnote; footnote-display: block; font-size: 8pt; margin-top: 1mm; }
  .footnote::footnote-call, .footnote::footnote-marker { content: none; }
  a.fn-marker { display: inline-block; min-width: 1.6em; }
  a.fn-call { vertical-align: super; font-size: 65%; line-height: 0; }
  .sc { font-variant: small-caps; letter-spacing: 0.05em; } .big { font-size: 14pt; }
  .ib { display: inline-block; width: 15%; padding: 0 1mm; vertical-align: 20%; }
"""


def sample_html(parts: int = 6) -> str:
    body = []
    for i in range(parts):
        n = i + 1
        note = (
            f'<a class="fn-call" href="#fn{n}" id="fnref{n}">{n}</a><span class="footnote" '
            f'id="fn{n}"><span><a class="fn-marker" href="#fnref{n}">{n}</a> '
            f"{words(12 + 9 * i, i)}.</span></span>"
        )
        body.append(
            f"<p>{words(40, i)} <span class='u'>{words(5, i)} <em>{words(3, i)}</em></span>"
            f"{note} <span class='sc'>{words(4, i)}</span> <span class='ib'>{words(3, i)}"
            f"</span> <span class='big'>{words(3, i + 1)}</span> {words(30, i + 2)}</p>"
            f"<div class='box'><span class='fl'>{words(9, i)}</span><p>{words(35, i)}</p>"
            f"<span class='fr'>{words(4, i)}</span></div>"
            f"<div class='pad rel'><p>{words(25, i + 3)}</p><span class='abs'>A</span></div>"
            f"<p class='rtl'>{words(14, i)}</p>"
            f"<table><tr><td>{words(4, i)}</td><td class='pc'>{words(4, i + 1)}</td>"
            f"<td>{words(4, i + 2)}</td></tr></table>"
        )
        if i == 3:
            body.append(f"<section class='wide'><p>{words(60, i)}</p></section>")
    return (
        f"<html lang='en'><head><title>Styles</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    weasy_patch.configure()


def boxes_of(document: Any) -> Iterator[Any]:
    for page in document.pages:
        yield from walk(page._page_box)


def walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []):
        yield from walk(child)


def plain(value: object) -> str:
    """A value as text that two layouts can share (no object addresses)."""
    return re.sub(" at 0x[0-9a-f]+", "", repr(value))


def lay_out(html: str, tmp: Path, without: tuple[str, ...]) -> tuple[Any, bytes]:
    weasy_patch.configure(fast=True, without=without)
    document = weasy.layout(html, tmp, [tmp]).document
    return document, weasy.write(document)


def test_every_computed_value_is_the_released_one(restore: None, tmp_path: Path) -> None:
    html = sample_html()
    released_doc, released_pdf = lay_out(html, tmp_path, ("uncascaded-values-copied",))
    before = dict(weasy_style.style_counts)
    document, pdf = lay_out(html, tmp_path, ())
    short = weasy_style.style_counts["short"] - before["short"]
    handed = weasy_style.style_counts["released"] - before["released"]
    assert short > 5000 and handed > 1000, (short, handed)
    assert pdf == released_pdf, "the same PDF, byte for byte"

    def computed(doc: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        return [
            (type(box).__name__, sorted((k, plain(v)) for k, v in box.style.items()))
            for box in boxes_of(doc)
        ]

    # the values layout read, for every box (not in the same order from one layout to the
    # next: pressroom's line breaker keeps measurements between layouts)
    assert computed(document) == computed(released_doc)
    # every property of every element's style, read afresh one by one, by both functions
    own = inspect.unwrap(ComputedStyle.__missing__)
    assert own is not ComputedStyle.__missing__
    styles = {id(b.style): b.style for b in boxes_of(document) if type(b.style) is ComputedStyle}
    assert len(styles) > 60
    for style in styles.values():
        fresh = []
        for _ in range(2):
            fresh.append(
                ComputedStyle(
                    style.parent_style,
                    style.cascaded,
                    style.pseudo_type,
                    style.root_style,
                    style.base_url,
                    style.font_config,
                    style.initial_page_sizes,
                )
            )
        for key in INITIAL_VALUES:
            fresh[0][key]  # through the patch
            if key not in fresh[1]:
                own(fresh[1], key)  # through WeasyPrint's own function
        assert [(k, plain(v)) for k, v in fresh[0].items()] == [
            (k, plain(v)) for k, v in fresh[1].items()
        ]


def test_every_kept_strut_is_the_released_one(restore: None, tmp_path: Path) -> None:
    html = sample_html()
    _, released_pdf = lay_out(html, tmp_path, ("strut-kept-on-style",))
    before = dict(weasy_strut.strut_counts)
    document, pdf = lay_out(html, tmp_path, ())
    kept = weasy_strut.strut_counts["kept"] - before["kept"]
    asked = weasy_strut.strut_counts["asked"] - before["asked"]
    assert asked > 50 and kept > 2 * asked, (kept, asked)
    assert pdf == released_pdf
    own = inspect.unwrap(inline.strut)
    assert own is not inline.strut
    checked = 0
    for box in boxes_of(document):  # no style changed a font value after its strut was kept
        found = box.style.__dict__.get(weasy_strut.KEPT)
        if found is not None:
            assert found == own(box.style), box
            checked += 1
    assert checked > 100


USED = (
    *(name for name, _ in weasy_percent._LENGTHS),
    "height",
    "min_height",
    "max_height",
    *weasy_percent._BORDERS,
    "position_x",
    "position_y",
)


def test_every_used_length_is_the_released_one(restore: None, tmp_path: Path) -> None:
    names = tuple(p.name for p in weasy_patch.REGISTRY if p.name.startswith("percentages-in"))
    assert len(names) >= 9
    html = sample_html()
    released_doc, released_pdf = lay_out(html, tmp_path, names)
    document, pdf = lay_out(html, tmp_path, ())
    assert set(names) <= set(weasy_patch.applied())
    assert percent.resolve_percentages is not inspect.unwrap(percent.resolve_percentages)

    def used(doc: Any) -> list[tuple[str, list[str]]]:
        return [
            (type(box).__name__, [plain(getattr(box, name, None)) for name in USED])
            for box in boxes_of(doc)
        ]

    found = used(document)
    assert found == used(released_doc)
    assert pdf == released_pdf
    assert sum("%" in str(box.style.get("width", "")) for box in boxes_of(document)) > 20


def test_used_lengths_for_each_kind_of_containing_block(restore: None) -> None:
    """Both functions on the same boxes: a page box, a containing block of auto height, a
    tuple, box-sizing, collapsed borders, a math value."""
    from weasyprint import HTML

    weasy_patch.configure(fast=True)
    document = HTML(string=sample_html(2)).render()
    own = inspect.unwrap(percent.resolve_percentages)
    fast = percent.resolve_percentages
    blocks = [(48.0, 300.0), (480.0, "auto"), (0.0, 0.0)]
    checked = 0
    for box in boxes_of(document):
        saved = dict(vars(box))
        for block in blocks:
            results = []
            for function in (own, fast):
                vars(box).clear()
                vars(box).update(saved)
                function(box, block)
                results.append([plain(getattr(box, name, None)) for name in USED[:-2]])
            assert results[0] == results[1], (box, block)
            checked += 1
        vars(box).clear()
        vars(box).update(saved)
    assert checked > 300


def test_every_kept_layout_template_is_the_one_its_values_name(
    restore: None, tmp_path: Path
) -> None:
    """A computed style keeps the Pango layout template it was matched to
    (pressroom/weasy_text.py): at the end of the layout and of the write, it is still the
    template its values key to, and the PDF is the one made without keeping."""
    html = sample_html()
    weasy_patch.configure(fast=False)
    released_pdf = weasy.write(weasy.layout(html, tmp_path, [tmp_path]).document)
    document, pdf = lay_out(html, tmp_path, ())
    assert pdf == released_pdf
    templates = document.font_config.__dict__[weasy_text._TEMPLATES]
    kept = 0
    for box in boxes_of(document):
        found = box.style.__dict__.get(weasy_text._KEPT)
        if found is not None:
            assert templates[tuple(box.style[name] for name in weasy_text._KEYS)] is found
            kept += 1
    assert kept > 100 and len(templates) > 5, (kept, len(templates))
