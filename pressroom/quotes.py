"""A quotation inside a quoted title, as American English closes it: the period or comma goes
inside both quotation marks (“Reading the ‘Terror of Signs.’”), where citeproc leaves it
between them (“Reading the ‘Terror of Signs’.”): its punctuation-in-quote moves the mark past
the outer quotation mark only. Applied to what citeproc wrote (notes of citations and the
bibliography's entries), never to the author's own text."""

from __future__ import annotations

from typing import Any

_MARKS = (".", ",")
_INNER_OPEN, _INNER_CLOSE = "\u2018", "\u2019"
_OUTER_OPEN = "\u201c"
_OUTER_CLOSE = "\u201d"


def american(lang: str) -> bool:
    """True for the languages whose CSL locale sets punctuation inside quotation marks."""
    return lang.lower() in ("en", "en-us")


def fix_all(value: Any) -> None:
    """In a citation's or a bibliography entry's content (cite_reading.py calls it for each):
    each closing single quotation mark under `value` followed, in the text as printed, by
    a period or comma and then a closing double quotation mark: whether the mark sits in the
    same span as the quotation marks or not (citeproc nests them either way)."""
    leaves: list[dict[str, Any]] = []
    _leaves(value, leaves)
    for i in range(len(leaves) - 1):
        close, mark = leaves[i], leaves[i + 1]
        if close["t"] != "Str" or not close["c"].endswith(_INNER_CLOSE):
            continue
        if mark["t"] != "Str" or not _closes(mark, leaves[i + 2 : i + 3]):
            continue
        if not _opened(leaves[: i + 1]):
            continue  # an apostrophe ("the Joneses’,”"), not a quotation mark
        close["c"] = close["c"][: -len(_INNER_CLOSE)] + mark["c"][0] + _INNER_CLOSE
        mark["c"] = mark["c"][1:]  # an empty Str prints nothing


def _opened(before: list[dict[str, Any]]) -> bool:
    """An opening single quotation mark stands after the last opening double one."""
    text = "".join(leaf["c"] for leaf in before if leaf["t"] == "Str")
    return text.rfind(_INNER_OPEN) > text.rfind(_OUTER_OPEN)


def _leaves(value: Any, out: list[dict[str, Any]]) -> None:
    """The inlines without inlines inside (Str, Space...) under `value`, in reading order."""
    if isinstance(value, list):
        for v in value:
            _leaves(v, out)
    elif isinstance(value, dict) and "t" in value:
        if value["t"] in ("Str", "Space", "SoftBreak", "LineBreak", "Code", "Math"):
            out.append(value)
        else:
            _leaves(value.get("c"), out)


def _closes(mark: dict[str, Any], after: list[Any]) -> bool:
    """`mark` is a period or comma the outer closing quotation mark follows (in it or next)."""
    text = mark["c"]
    if not text or text[0] not in _MARKS:
        return False
    if len(text) > 1:
        return text[1:].startswith(_OUTER_CLOSE)
    nxt = after[0] if after else None
    return bool(nxt and nxt.get("t") == "Str" and nxt["c"].startswith(_OUTER_CLOSE))
