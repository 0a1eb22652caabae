"""The print body's own passes, in process: code wrapping, wide tables, math drawn as SVG,
and the overflow check on a real WeasyPrint layout."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from pressroom import mathsvg
from pressroom.render import code, measure

LINE = '<span id="cb1-1"><a href="#cb1-1"></a><span class="kw">return</span> {}</span>'


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_short_code_lines_are_left_alone() -> None:
    body = f"<pre><code>{LINE.format('x')}</code></pre>"
    assert code.wrap(body, 40) == body


def test_long_code_line_breaks_after_a_space_with_a_mark() -> None:
    words = " ".join(f"word{i}" for i in range(30))  # 208 characters
    body = f'<pre class="sourceCode"><code>{LINE.format(words)}</code></pre>'
    out = code.wrap(body, 40)
    lines = visible(out).split("\n")
    assert len(lines) > 4
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith(code.MARK) for line in lines[1:])
    assert all(line.endswith(" ") for line in lines[:-1])  # broken after a space
    assert "".join(line.removeprefix(code.MARK) for line in lines) == "return " + words
    assert out.count('class="kw"') == 1 and out.count("<span") == out.count("</span>")


def test_a_continuation_keeps_the_line_indentation() -> None:
    line = "    " + " ".join(["value"] * 20)
    lines = visible(code.wrap(f"<pre><code>{line}</code></pre>", 40)).split("\n")
    assert all(len(text) <= 40 for text in lines)
    assert all(text.startswith(code.MARK + "    value") for text in lines[1:])


def test_code_without_spaces_breaks_at_the_measure_and_keeps_entities_whole() -> None:
    text = "&lt;" * 50
    out = code.wrap(f"<pre><code>{text}</code></pre>", 30)
    assert "&l\n" not in out and "&lt" + "\n" not in out.replace("&lt;", "")
    lines = visible(out).split("\n")
    assert [len(line) for line in lines] == [30, 22]


def test_tables_of_many_columns_are_marked_wide() -> None:
    def table(columns: int) -> str:
        row = "<tr>" + "<td>1</td>" * columns + "</tr>"
        return f"<table>{row}{row}</table>"

    out = measure.mark_wide_tables(table(3) + table(6) + table(10))
    assert out.count("<table>") == 1
    assert '<table class="wide">' in out and '<table class="very-wide">' in out
    assert "landscape" not in out
    out = measure.mark_wide_tables(table(11) + table(12))
    assert out.count('<div class="landscape"><table class="very-wide">') == 1
    assert out.endswith("</table></div>"), "the table of 12 columns goes on a landscape page"


def test_math_becomes_an_svg_image_with_its_tex_as_alt() -> None:
    mathml = (
        '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow>'
        "<msup><mi>a</mi><mn>2</mn></msup></mrow>"
        '<annotation encoding="application/x-tex">a^2</annotation></semantics></math>'
    )
    failed: list[mathsvg.Failed] = []
    out = mathsvg.typeset(f"<p>Let {mathml} be.</p>", failed.append)
    assert failed == [] and "<math" not in out
    img = re.search(r'<img class="math inline" alt="a\^2" style="([^"]+)" src="([^"]+)">', out)
    assert img is not None
    assert "vertical-align:-" in img.group(1)
    svg = base64.b64decode(img.group(2).split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<path" in svg and "a^2" not in svg


def test_math_that_cannot_be_drawn_stays_as_tex_and_is_reported() -> None:
    broken = '<math display="block"><mfrac><mi>x</mi></mfrac></math>'
    failed: list[mathsvg.Failed] = []
    out = mathsvg.typeset(broken, failed.append)
    assert len(failed) == 1 and failed[0].tex == "x"
    assert '<code class="math-failed">x</code>' in out


def test_tex_pandoc_could_not_read_is_reported_and_kept() -> None:
    failed: list[mathsvg.Failed] = []
    out = mathsvg.typeset('<p>A <span class="math inline">$\\foo{x}$</span>.</p>', failed.append)
    assert [f.tex for f in failed] == ["\\foo{x}"]
    assert '<code class="math-failed">$\\foo{x}$</code>' in out


def test_aligned_equations_are_drawn() -> None:
    mathml = (
        '<math display="block"><mtable><mtr><mtd><mi>a</mi></mtd><mtd><mo>=</mo><mi>b</mi>'
        "</mtd></mtr><mtr><mtd><mi>c</mi></mtd><mtd><mo>=</mo><mi>d</mi></mtd></mtr></mtable>"
        "</math>"
    )
    failed: list[mathsvg.Failed] = []
    out = mathsvg.typeset(mathml, failed.append)
    assert failed == [] and '<img class="math display"' in out


def test_overflow_found_past_the_right_edge(tmp_path: Path) -> None:
    from pressroom import weasy

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    data = base64.b64encode(svg.encode()).decode()
    page = (
        "<html><head><style>@page { size: A4; margin: 20mm }</style></head><body>"
        '<p data-b="1">Fits.</p>'
        f'<p data-b="2"><img alt="a wide plate" style="width: 300mm; height: 5mm" '
        f'src="data:image/svg+xml;base64,{data}"></p>'
        # A block wider than its container: its auto margins go negative, its box does not fit.
        f'<p data-b="3"><img alt="a long equation" style="display: block; margin: 0 auto; '
        f'width: 250mm; height: 5mm" src="data:image/svg+xml;base64,{data}"></p></body></html>'
    )
    laid = weasy.layout(page, tmp_path, [tmp_path])
    assert measure.overflowing(laid.document.pages) == [(1, "a wide plate"), (1, "a long equation")]
