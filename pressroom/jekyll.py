"""Jekyll pages read as they are (a Programming Historian lesson, a site's post): a document whose
front matter names another tool's layout (`layout: lesson`) is a Jekyll page, so its `{% %}`
and `{{ }}` are Liquid, not Jinja, and `@name` is a handle, not a citation (kramdown has
none). Templating, citations and section numbers are off for it, as the site shows it (unless
its front matter says otherwise), and the Liquid a lesson uses becomes what it means:

- `{% include toc.html %}`: a table of contents (`toc: true`);
- `{% include figure.html filename="x.png" caption="..." %}` (any include with a `filename`):
  the figure, `![caption](x.png)`, found beside the document or in `images/SLUG/`, as the
  site keeps it; a "Figure 3." the caption starts with is left to pressroom's numbering;
- `{% highlight python %}` ... `{% endhighlight %}`: a fenced code block;
- `{{ site.baseurl }}`: nothing (the site's own root), and `{% raw %}`, `{% endraw %}` too.

Any other tag is left out with a warning at its line (`jekyll.liquid`). Code is left as it
is (verbatim.py). Every replacement keeps the line count, so the source map stays true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import BuildWarning
from .verbatim import hide_code, restore

_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
_PARAM = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|(\S+))")
_BASEURL = re.compile(r"\{\{-?\s*site\.baseurl\s*-?\}\}")
_OUTPUT = re.compile(r"\{\{.*?\}\}")
_NUMBERED = re.compile(r"^\s*(?:Figure|Fig\.)\s+\d+[.:]?\s*", re.I)
_SILENT = {"raw", "endraw"}


def page_warning(front: dict[str, Any], foreign: list[str], source: Path) -> BuildWarning:
    """The one warning a Jekyll page gets for its front matter: what pressroom makes of it, and
    the site's keys it does not use (an error under --strict, like any unknown key)."""
    msg = (
        f"layout '{front['layout']}' is another tool's: read as a Jekyll page (set as an "
        "article without section numbers, Liquid tags read as Jekyll's, no Jinja templating, "
        "@name as text)"
    )
    if foreign:
        msg += f"; keys pressroom does not use are ignored: {', '.join(foreign)}"
    line = getattr(front, "lines", {}).get("layout")
    return BuildWarning(msg, "config.unknown", source, line)


def adapt(
    meta: dict[str, Any], body: str, source: Path
) -> tuple[dict[str, Any], str, list[BuildWarning]]:
    """The page's metadata additions (templating off, a table of contents if it asks for
    one), its body with the Liquid translated, and a warning per tag left out."""
    warnings: list[BuildWarning] = []
    additions: dict[str, Any] = {}
    # Liquid, not Jinja; kramdown has no citations; the site numbers no headings.
    for key in ("templating", "citations", "number-sections"):
        if key not in meta:
            additions[key] = False
    slug = str(meta.get("slug") or source.stem)
    text = _BASEURL.sub("", hide_code(body))

    def tag(m: re.Match[str]) -> str:
        name, rest = m.group(1), m.group(2).strip()
        newlines = "\n" * m.group(0).count("\n")
        params = {p[0]: p[1] or p[2] or p[3] for p in _PARAM.findall(rest)}
        if name == "include" and rest.split()[:1] == ["toc.html"]:
            additions["toc"] = True
            return newlines
        if name == "include" and "filename" in params:
            return _figure(params, source.parent, slug) + newlines
        if name == "highlight":
            return "```" + (rest.split() or [""])[0]
        if name == "endhighlight":
            return "```"
        if name not in _SILENT:
            line = text.count("\n", 0, m.start()) + 1
            msg = f"Liquid tag '{' '.join(m.group(0).split())}' has no meaning here: left out"
            warnings.append(BuildWarning(msg, "jekyll.liquid", source, line))
        return newlines

    text = _TAG.sub(tag, text)
    for m in _OUTPUT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        msg = f"Liquid output '{m.group(0)}' is printed as written"
        warnings.append(BuildWarning(msg, "jekyll.liquid", source, line))
    return additions, restore(text), warnings


def _figure(params: dict[str, str], folder: Path, slug: str) -> str:
    """A figure include as Markdown's figure: the image where the project has it."""
    name = params["filename"]
    path = name
    for candidate in (name, f"images/{slug}/{name}"):
        if (folder / candidate).is_file():
            path = candidate
            break
    caption = _NUMBERED.sub("", params.get("caption") or params.get("alt") or "")
    return f"![{caption}](<{path}>)"
