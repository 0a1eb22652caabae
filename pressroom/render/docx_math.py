"""Math in the DOCX as the WordprocessingML schema allows it, where pandoc's OMML does not.

A matrix's columns (`cases`, `pmatrix`, `array`): pandoc writes each column's properties as
`<m:mcJc/><m:count/>`, where the schema (CT_MCPr) has the count first; they are put in order.

Text inside math (`\\text{if}`, `\\textbf{}`, `\\mbox{}`): pandoc writes such a run as Word's
"normal text" (`<m:nor/>`) and also gives it a math style (`<m:sty>`, `<m:scr>`); the schema
(shared-math.xsd, CT_RPR) allows either normal text or a math style, never both, and a
consumer that validates refuses the part. Normal text takes its look from the run's Word
properties instead, so the style moves there: bold and italic as `w:b`, `w:i`, a typewriter
face as the "Verbatim Char" style (as inline code is); a script, sans-serif, fraktur or
double-struck face has no Word run property and is dropped."""

from __future__ import annotations

import re

# A math run's properties, and the Word run properties that may follow them.
_MATH_RPR = re.compile(r"<m:rPr>(.*?)</m:rPr>(\s*<w:rPr\b)?", re.S)
_STYLE = re.compile(r'<m:(sty|scr)\s+m:val="([^"]*)"\s*/>')
_WORD = {"b": "<w:b/>", "i": "<w:i/>", "bi": "<w:b/><w:i/>"}
_COLUMN = re.compile(r"(<m:mcJc\b[^>]*/>)(\s*)(<m:count\b[^>]*/>)")


def valid_math(xml: str) -> str:
    """The part with every matrix column's properties in order and every normal-text math
    run's style moved to Word run properties (see the module's docstring)."""
    if "<m:mcJc" in xml:
        xml = _COLUMN.sub(r"\3\2\1", xml)
    if "<m:nor" in xml:  # most documents: no text in math
        xml = _MATH_RPR.sub(_normal_text, xml)
    return xml


def _normal_text(match: re.Match[str]) -> str:
    inner, word_rpr = match.group(1), match.group(2)
    if "<m:nor" not in inner:
        return match.group(0)
    styles = dict(_STYLE.findall(inner))
    kept = _STYLE.sub("", inner)
    if word_rpr:  # pandoc writes none; were there one, its order is its own: keep it as it is
        return f"<m:rPr>{kept}</m:rPr>{word_rpr}"
    run = ""
    if styles.get("scr") == "monospace":
        run += '<w:rStyle w:val="VerbatimChar"/>'
    run += _WORD.get(styles.get("sty", ""), "")
    return f"<m:rPr>{kept}</m:rPr>" + (f"<w:rPr>{run}</w:rPr>" if run else "")
