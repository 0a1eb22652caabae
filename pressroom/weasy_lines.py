"""WeasyPrint boundary for line breaking: total-fit lines (pressroom/linebreak) in WeasyPrint 70.

WeasyPrint fills each line greedily (layout/inline.py `split_inline_box`, text/line_break.py
`split_first_line`). Rather than rewrite that code, this module lets it run unchanged and only
chooses the width it is given: for a justified paragraph, the paragraph's runs of text are
measured once with WeasyPrint's own Pango layouts (word widths cached per font and size), the
Knuth–Plass breaker chooses all its lines, and each line is then laid out by WeasyPrint with
the available width narrowed to that line's natural width plus a hair. Greedy filling at that
width ends the line exactly at the chosen break (the next word, or a longer piece of the
hyphenated word, cannot fit in the hair), WeasyPrint hyphenates at the chosen point with its
own dictionary, and `text_align` justifies to the real width, shrinking spaces where the line
was chosen a little tight. Whenever WeasyPrint's line ends elsewhere than planned (a break
opportunity modelled differently), the rest of the paragraph is planned again from where it
did break, so the layout never depends on the plan being right. Paragraphs this does not model
(preserved newlines, soft hyphens, images or other atomic boxes of unknown width, right-to-left
text) keep WeasyPrint's own breaking."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from .linebreak import paragraph
from .linebreak.paragraph import Line, Run

HAIR = 0.04  # em: the slack given beyond a planned line's natural width
SETTINGS = paragraph.Settings()
# Ragged-right text with hyphens: spaces keep their width, a line may end up to 3 em short.
RAGGED = dataclasses.replace(SETTINGS, stretch=0.0, shrink=0.0, ragged_em=3.0)


@dataclass
class _Paragraph:
    """One paragraph's line box during one document's layout, and its plan."""

    box: Any  # kept alive so that its id() stays its own
    key: tuple[Run, ...]  # the paragraph's runs: plans are cached by them
    plan: paragraph.Plan | None
    starts: dict[tuple[int, ...], int]  # child-index path -> text offset
    text: str


@dataclass
class Stats:
    """Counts over a process, for tests and the benchmark."""

    planned: int = 0  # lines set as planned
    diverged: int = 0  # lines WeasyPrint ended elsewhere (the rest was planned again)
    native: int = 0  # lines of paragraphs left to WeasyPrint's own breaking
    paragraphs: int = 0
    page_turns: int = 0  # lines kept from ending a page on a hyphen


STATS = Stats()
_WIDTHS: dict[tuple[Hashable, str], float] = {}  # (font key, text) -> width, process-wide
_STYLES: dict[Hashable, Any] = {}
_PLANS: dict[tuple[Run, ...], paragraph.Plan] = {}  # a paragraph's items, process-wide
# (runs, line widths) -> the planned lines by start offset, process-wide: a page laid out
# again, or the same paragraph in the next build of a watch session, is not planned again.
_LINES: dict[tuple[tuple[Run, ...], float], dict[int, Line]] = {}
_CACHE_LIMIT = 20000
_KEYS: dict[int, tuple[Any, Hashable]] = {}  # id(computed style) -> (style, font key)
_LAYOUTS: dict[Hashable, Any] = {}  # font key -> a Pango layout kept for measuring


def _font_key(style: Any) -> Hashable:
    """WeasyPrint's own key for a font at a size (family, style, weight, features, language,
    size, line height), remembered per computed style."""
    known = _KEYS.get(id(style))
    if known is None or known[0] is not style:
        from weasyprint.text.line_break import _font_style_cache_key

        known = _KEYS[id(style)] = (style, _font_style_cache_key(style, include_size=True))
    return known[1]


def _measure(text: str, font: Hashable) -> float:
    """The advance width of `text` in a font, as WeasyPrint's Pango layout measures it (one
    layout per font, its text replaced for each measurement)."""
    key = (font, text)
    width = _WIDTHS.get(key)
    if width is None:
        from weasyprint.text.line_break import Layout, line_size

        layout = _LAYOUTS.get(font)
        if layout is None:
            layout = _LAYOUTS[font] = Layout(_STYLES[font])
        layout.set_text(text)
        line, _ = layout.get_first_line()
        width = line_size(line, layout.style)[0] if text else 0.0
        _WIDTHS[key] = width
    return width


def _edge(style: Any, side: str) -> float:
    """Margin, border and padding on one side of an inline box, in px."""
    total = float(style[f"border_{side}_width"] or 0)
    for name in (f"margin_{side}", f"padding_{side}"):
        value = style[name]
        if getattr(value, "unit", None) == "px":
            total += float(value.value)
    return total


class _Unsupported(Exception):
    """Content the planner does not model: WeasyPrint breaks this paragraph itself."""


def _runs(context: Any, linebox: Any) -> tuple[list[Run], dict[tuple[int, ...], int]]:
    """The paragraph's text as runs, and the text offset at which each child box starts."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.preferred import max_content_width

    runs: list[Run] = []
    starts: dict[tuple[int, ...], int] = {}
    offset = 0
    pending = 0.0  # an inline box's closing edge, added before the next run
    glued = False  # the next run may not start a line (a superscript: a note call)

    def add(text: str, style: Any, extra: float = 0.0) -> None:
        nonlocal offset, pending, glued
        font = _font_key(style)
        _STYLES.setdefault(font, style)
        lang = style["lang"] or ""
        wrap = style["white_space"] in ("normal", "pre-line")
        runs.append(Run(text, font, lang, style["hyphens"] == "auto", not glued,
                        extra + pending, float(style["font_size"]), wrap))
        offset += len(text)
        pending = 0.0
        glued = False

    def walk(box: Any, path: tuple[int, ...], superscript: bool) -> None:
        nonlocal pending, glued
        for index, child in enumerate(box.children):
            where = (*path, index)
            starts[where] = offset
            if not child.is_in_normal_flow():
                continue  # a footnote's float, an absolutely positioned box: no width here
            style = child.style
            raised = superscript or style["vertical_align"] in ("super", "sub")
            if isinstance(child, boxes.TextBox):
                text = child.text
                if "\n" in text or "\xad" in text or "\t" in text:
                    raise _Unsupported
                glued = glued or (raised and not superscript)
                add(text, style)
            elif isinstance(child, boxes.InlineBox):
                pending += _edge(style, "left")
                glued = glued or (raised and not superscript)
                walk(child, where, raised)
                pending += _edge(style, "right")
            elif isinstance(child, boxes.InlineBlockBox):
                width = max_content_width(context, child)
                add("", style, width)
            else:
                raise _Unsupported

    walk(linebox, (), False)
    return runs, starts


def _paragraph(context: Any, linebox: Any) -> _Paragraph:
    state: dict[int, _Paragraph] | None = context.__dict__.get("_pressroom_lines")
    if state is None:  # a new document: its computed styles are new too
        _KEYS.clear()
        state = context.__dict__["_pressroom_lines"] = {}
    para = state.get(id(linebox))
    if para is not None and para.box is linebox:
        return para
    plan = None
    runs: list[Run] = []
    starts: dict[tuple[int, ...], int] = {}
    style = linebox.style
    justified = style["text_align_all"] == "justify"
    # Ragged text that is never hyphenated: first fit sets it as well (decided on the
    # paragraph's own style, before its text is read: headings, captions, table cells).
    ragged_plain = not justified and style["hyphens"] != "auto"
    if not ragged_plain and style["white_space"] == "normal" and style["direction"] == "ltr":
        try:
            runs, starts = _runs(context, linebox)
        except _Unsupported:
            runs = []
    if not justified and not any(r.hyphens for r in runs):
        runs = []
    key = tuple(runs)
    if runs:
        plan = _PLANS.get(key)
        if plan is None:
            if len(_PLANS) > _CACHE_LIMIT:
                forget_plans()
            plan = _PLANS[key] = paragraph.build(runs, _measure, SETTINGS if justified else RAGGED)
            STATS.paragraphs += 1
    para = state[id(linebox)] = _Paragraph(linebox, key, plan, starts,
                                           "".join(r.text for r in runs))
    return para


def _offset(para: _Paragraph, linebox: Any, skip_stack: Any) -> int | None:
    """The text offset at which WeasyPrint resumes the paragraph (None: unknown)."""
    from weasyprint.formatting_structure import boxes

    box, skip = linebox, skip_stack
    path: tuple[int, ...] = ()
    while skip:
        ((index, sub),) = skip.items()
        path = (*path, index)
        if path not in para.starts:
            return None
        child = box.children[index]
        if isinstance(child, boxes.TextBox):
            consumed = child.text.encode()[: next(iter(sub))] if sub else b""
            return para.starts[path] + len(consumed.decode(errors="ignore"))
        box, skip = child, sub
    return para.starts.get(path, 0) if path else 0


# The loosest line (adjustment ratio) worth a whole word at a page's foot. On the default paper
# 2.0 keeps every word whole there at the cost of two loose lines (mean space 0.41 em).
MAX_RATIO = 2.0
LOOKAHEAD = 3  # lines before a page's foot at which the plan starts to avoid a hyphen there


def _page_end(context: Any, linebox: Any, bottom_space: float, remaining: int) -> int | None:
    """Which of the next lines (0: the one about to be set) is likely the page's last, if
    it is one of the next LOOKAHEAD. Notes called in these lines can still move the page's
    end by a line; each line looks again."""
    from weasyprint.text.line_break import strut

    height = strut(linebox.style)[0]
    y = float(linebox.position_y)
    fit = 0
    while fit <= LOOKAHEAD and not context.overflows_page(bottom_space, y + (fit + 1) * height):
        fit += 1
    if fit == 0 or fit > LOOKAHEAD or fit >= remaining:
        return None
    widows = int(linebox.style["widows"] or 1)
    if remaining - fit < widows:  # WeasyPrint carries lines over to keep widows company
        fit = remaining - widows
    return fit - 1 if fit > 0 else None


def _planned_width(
    context: Any,
    linebox: Any,
    position_x: float,
    max_x: float,
    bottom_space: float,
    skip_stack: Any,
) -> tuple[float, float] | None:
    """The natural width of the line WeasyPrint is about to set and its adjustment ratio,
    if the plan knows them."""
    para = _paragraph(context, linebox)
    if para.plan is None:
        STATS.native += 1
        return None
    start = _offset(para, linebox, skip_stack)
    if start is not None and not para.text[:start].strip():
        start = 0
    if start is None:
        STATS.native += 1
        return None
    width = max_x - position_x
    widths = (width, width + float(linebox.text_indent or 0))
    # Lines after the first depend on the first one's width only through where it ends: a
    # paragraph resumed on the next page (no indent there) goes on with its planned lines.
    lines = _LINES.setdefault((para.key, widths[1]), {})
    if start == 0 and (first := lines.get(0)) is not None and first.available != widths[0]:
        lines.clear()
    line = lines.get(start)
    if line is None:
        if lines:
            STATS.diverged += 1
        chosen = paragraph.choose(para.plan, widths, start)
        if chosen is None:
            STATS.native += 1
            return None
        lines.update((ln.start, ln) for ln in chosen)
        line = lines[start]
    line = _keep_words_whole(context, linebox, bottom_space, para, lines, start, widths)
    STATS.planned += 1
    return line.width + line.hang, line.ratio


def _keep_words_whole(
    context: Any,
    linebox: Any,
    bottom_space: float,
    para: _Paragraph,
    lines: dict[int, Line],
    start: int,
    widths: tuple[float, float],
) -> Line:
    """No word divided across a page turn (or just above the notes): if the line that will
    likely end this page is planned with a hyphen, plan the rest of the paragraph again with
    that line ending on a whole word."""
    ahead: list[Line] = []
    at = start
    while at in lines and len(ahead) < LOOKAHEAD + 3:
        ahead.append(lines[at])
        at = lines[at].end
        if ahead[-1].end == ahead[-1].start:
            break
    remaining = len(ahead) + (1 if at in lines else 0)
    end = _page_end(context, linebox, bottom_space, remaining)
    # Notes called in the lines ahead can end the page a line sooner than foreseen.
    avoid = frozenset({end, end - 1} if end else {end}) if end is not None else frozenset()
    if any(k < len(ahead) and ahead[k].hyphen for k in avoid):
        assert para.plan is not None
        chosen = paragraph.choose(para.plan, widths, start, avoid)
        # Unless that makes a line loose: a divided word is the lesser fault then.
        if chosen is not None and max(ln.ratio for ln in chosen[: len(ahead)]) <= MAX_RATIO:
            lines.update((ln.start, ln) for ln in chosen)
            STATS.page_turns += 1
    return lines[start]


def wrap_split_inline_box(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's split_inline_box, given the planned width when it sets a whole line."""
    from weasyprint.formatting_structure import boxes

    def split_inline_box(
        context: Any, box: Any, position_x: float, max_x: float, *args: Any, **kwargs: Any
    ) -> Any:
        planned = None
        if _enabled and isinstance(box, boxes.LineBox):
            bottom_space, skip_stack = args[0], args[1]
            planned = _planned_width(context, box, position_x, max_x, bottom_space, skip_stack)
        if planned is None:
            return original(context, box, position_x, max_x, *args, **kwargs)
        width, ratio = planned
        hair = HAIR * float(box.style["font_size"])
        result = original(context, box, position_x, position_x + width + hair, *args, **kwargs)
        result[0].pressroom_ratio = ratio
        return result

    return split_inline_box


def wrap_text_align(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's text_align, which also shrinks the spaces of a planned line set tight
    (WeasyPrint itself only ever widens them)."""

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> Any:
        if (
            -1 <= getattr(line, "pressroom_ratio", 0) < 0
            and not last
            and line.width > available_width
            and line.style["text_align_all"] == "justify"
        ):
            from weasyprint.layout.inline import justify_line

            justify_line(context, line, available_width - line.width)
            return 0
        return original(context, line, available_width, last)

    return text_align


_enabled = os.environ.get("PRESSROOM_LINEBREAK") != "0"
PATCHES = ("total-fit-lines", "shrink-tight-lines")  # their names in weasy_patch.py


def install() -> bool:
    """Total-fit breaking on (the default; PRESSROOM_LINEBREAK=0 starts with it off). The
    wraps are registered in pressroom/weasy_patch.py; True if they are in effect."""
    from . import weasy_patch

    global _enabled
    weasy_patch.apply()
    _enabled = True
    return all(name in weasy_patch.applied() for name in PATCHES)


def uninstall() -> None:
    """WeasyPrint's own first-fit breaking again (the benchmark's baseline, and tests)."""
    global _enabled
    _enabled = False


def forget_plans() -> None:
    """Drop the planned paragraphs (kept: word widths), as a fresh process would start."""
    _PLANS.clear()
    _LINES.clear()
    _KEYS.clear()


def forget_widths() -> None:
    """Drop the measured word widths too (the benchmark's cold round)."""
    forget_plans()
    _WIDTHS.clear()
    _LAYOUTS.clear()
