"""Text Jinja must leave alone: code, and the Liquid tags of Jekyll-era manuscripts.

A code sample that shows `{{ site.baseurl }}` or `{% include %}` is an example, not a template:
before Jinja runs, every `{` inside fenced code blocks and inline code is swapped for a private-use
character that Jinja does not know, and swapped back after it (`protect`, `restore`). The swap
changes no line, so the source map stays true. A Liquid tag in prose (`{% include toc.html %}`,
`{% highlight %}`) would fail in Jinja with a puzzling message ("'toc' is undefined"); it is
refused first, at its line, with the two ways out.

Indented code blocks are not recognised (in pandoc Markdown they are hard to tell from a list's
continuation without parsing the whole document); fence a code sample that holds Jinja syntax."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import PressroomError

_HIDDEN = "\ue002"  # stands for "{" inside code while Jinja runs
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# An inline code span: a run of backticks, text not crossing a blank line, the same run.
_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
_LIQUID_TAGS = (
    "include_relative|highlight|endhighlight|capture|endcapture|assign|unless|endunless|"
    "comment|endcomment|case|when|tablerow|endtablerow|increment|decrement|link|post_url|seo|"
    "render|liquid|cycle"
)
_LIQUID = re.compile(
    r"\{%-?\s*(?:(?:" + _LIQUID_TAGS + r")\b|include\s+(?![\"'])[\w./-]+\.\w+)[^\n]*?%\}"
    r"|\{\{[^\n]*?\|\s*(?:relative_url|absolute_url|jsonify|markdownify|slugify|"
    r"date_to_string|date_to_xmlschema|where_exp|number_of_words|xml_escape|cgi_escape|"
    r"uri_escape)\b[^\n]*?\}\}"
)


def protect(text: str, path: Path) -> str:
    """`text` with every `{` inside code hidden from Jinja; a Liquid tag in prose is an error,
    and so is a Quarto shortcode other than `{{< pagebreak >}}` (a page break)."""
    protected = _quarto(hide_code(text), path)
    _refuse_liquid(protected, path)
    return protected


# A Quarto shortcode in prose (`{{< pagebreak >}}`, `{{< include _part.qmd >}}`), which Jinja
# would report as "unexpected '<'".
_SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)[^\n]*?>\}\}")


def _quarto(text: str, path: Path) -> str:
    """`text` with Quarto's page break as LaTeX's, which every format reads as one (the same
    line); any other shortcode is an error at its line that says what to write instead."""
    text = _SHORTCODE.sub(lambda m: "\\newpage" if m.group(1) == "pagebreak" else m.group(0), text)
    m = _SHORTCODE.search(text)
    if not m:
        return text
    instead = (
        'a Jinja include of a file in manuscript/, {% include "partials/part.md" %}'
        if m.group(1) == "include"
        else "the value itself, or 'templating: false' in the front matter to print it as text"
    )
    raise PressroomError(
        f"'{m.group(0)}' is a Quarto shortcode, which pressroom does not run; write {instead}",
        path,
        text.count("\n", 0, m.start()) + 1,
        "jinja.quarto",
    )


def hide_code(text: str) -> str:
    """`text` with every `{` inside fenced code and inline code hidden (`restore` brings them
    back)."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence is None and m:
            out.append(_spans(prose))
            prose = []
            fence = m.group(1)
            out.append(line)
        elif fence is not None:
            closing = line.strip()
            if closing.startswith(fence) and set(closing) <= {fence[0]}:
                fence = None
                out.append(line)
            else:
                out.append(line.replace("{", _HIDDEN))
        else:
            prose.append(line)
    out.append(_spans(prose))
    return "".join(out)


def _spans(lines: list[str]) -> str:
    return _SPAN.sub(lambda m: m.group(0).replace("{", _HIDDEN), "".join(lines))


def restore(text: str) -> str:
    """Jinja's output with the code's braces back."""
    return text.replace(_HIDDEN, "{")


def _refuse_liquid(text: str, path: Path) -> None:
    m = _LIQUID.search(text)
    if not m:
        return
    tag = m.group(0)
    line = text.count("\n", 0, m.start()) + 1
    raise PressroomError(
        f"'{tag}' is a Liquid (Jekyll) tag, not Jinja; to keep it as text write "
        f"{{% raw %}}{tag}{{% endraw %}}, or switch templating off for this document with "
        "'templating: false' in its front matter",
        path,
        line,
        "jinja.liquid",
    )
