"""For the print HTML: a URL may break across lines only where Chicago allows (CMOS 14.18: after
a double slash; before a single slash, a period, a hyphen, an underscore, a tilde, a question
mark, a number sign or a percent sign; before an ampersand or an equals sign), never with an
inserted hyphen (its span is `url`: print CSS turns hyphenation off).

Made in the JSON that pandoc's writer reads, not by a Lua filter: a filter's Str function has
pandoc hand every word of the document to Lua (1.8 s of CPU at 300 pages), where a regular
expression finds the few words that are URLs in the JSON text (30 ms)."""

from __future__ import annotations

import json
import re

ZWSP = "\u200b"
BEFORE = frozenset("/.-_~?#%&=")

# A Str whose text looks like a URL (a scheme and '://', 'www.' or 'doi.org/' first), as
# pandoc.to_json writes it: "t" before "c", no spaces; the text as a JSON string.
_URL_STR = re.compile(
    rb'\{"t":"Str","c":"((?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.|doi\.org/)(?:[^"\\]|\\.)*)"\}'
)
_TAIL = ".,;:)"  # a URL that ends a sentence keeps its period outside the breakable part


def breakable(page: bytes) -> bytes:
    """The page's JSON (pandoc.to_json) with each URL as a span of pieces that never break
    inside, a zero-width space between them where the line may break."""
    return _URL_STR.sub(_replace, page)


def _replace(m: re.Match[bytes]) -> bytes:
    text: str = json.loads(b'"' + m.group(1) + b'"')
    url = text.rstrip(_TAIL)
    nodes = [_span("url", pieces(url))]
    if len(url) < len(text):
        nodes.append(_str(text[len(url) :]))
    return ",".join(json.dumps(n, ensure_ascii=False, separators=(",", ":")) for n in nodes).encode(
        "utf-8"
    )


def pieces(url: str) -> list[dict[str, object]]:
    """The URL in pieces that never break inside (white-space: nowrap), a zero-width space
    between them. (Left to itself the line breaker would also break after a hyphen or a slash,
    which reads as a hyphenated word.)"""
    out: list[dict[str, object]] = []
    current = ""

    def flush() -> None:
        nonlocal current
        if current:
            if out:
                out.append(_str(ZWSP))
            out.append(_span("nb", [_str(current)]))
        current = ""

    i = 0
    while i < len(url):
        if url.startswith("//", i):
            current += "//"
            flush()
            i += 2
            continue
        c = url[i]
        if c in BEFORE and current:
            flush()
        current += c
        i += 1
    flush()
    return out


def _str(text: str) -> dict[str, object]:
    return {"t": "Str", "c": text}


def _span(cls: str, inlines: list[dict[str, object]]) -> dict[str, object]:
    return {"t": "Span", "c": [["", [cls], []], inlines]}
