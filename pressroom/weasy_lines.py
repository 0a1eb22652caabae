"""WeasyPrint boundary for line breaking: total-fit lines (pressroom/linebreak) in WeasyPrint 70.

WeasyPrint fills each line greedily (layout/inline.py `split_inline_box`, text/line_break.py
`split_first_line`). Rather than rewrite that code, this module lets it run unchanged and only
chooses the width it is given: for a justified paragraph, the paragraph's runs of text are
measured once with WeasyPrint's own Pango layouts (word widths cached per font and size; a
paragraph's new words shaped together in one layout), the Knuth–Plass breaker chooses all
its lines, and each line is then laid out by WeasyPrint with the available width narrowed to
that line's natural width plus a hair. Greedy filling at that width ends the line exactly at
the chosen break (the next word, or a longer piece of the hyphenated word, cannot fit in the
hair; where the line ends between words WeasyPrint is not asked to try dividing the next
one, `wrap_split_first_line`), WeasyPrint hyphenates at the chosen point with its own
dictionary, and `text_align` justifies to the real width, shrinking spaces where the line
was chosen a little tight. A short paragraph is first set as WeasyPrint sets it, and planned
only if it does not fit on one line. Whenever WeasyPrint's line ends elsewhere than planned (a break
opportunity modelled differently), the rest of the paragraph is planned again from where it
did break, so the layout never depends on the plan being right. A page that would end on a
divided word has its part of the paragraph set again with that line ending on a whole word
(`wrap_linebox_layout`), and a line that would still be loose lends a little of its width to
its letters (`_track_loose`). A <br> is a forced break. Paragraphs this does not model
(other preserved newlines, soft hyphens, images or other atomic boxes of unknown width,
right-to-left text) keep WeasyPrint's own breaking."""

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
    # Set when a page ended on a divided word of this paragraph: (text offset where the
    # paragraph's part on that page begins, lines of that part that may not end in a
    # hyphen), for the next time WeasyPrint sets that part (see wrap_linebox_layout).
    retry: tuple[int, frozenset[int]] | None = None
    # This document's planned lines by start offset. Lines planned again to keep a word whole
    # stay here, out of the process-wide cache: another document, or the next build in the
    # same process, gets the paragraph's own plan, as a fresh process would.
    lines: dict[int, Line] = dataclasses.field(default_factory=dict)


@dataclass
class Stats:
    """Counts over a process, for tests and the benchmark."""

    planned: int = 0  # lines set as planned
    diverged: int = 0  # lines WeasyPrint ended elsewhere (the rest was planned again)
    native: int = 0  # lines of paragraphs left to WeasyPrint's own breaking
    paragraphs: int = 0
    page_turns: int = 0  # pages' parts of a paragraph set again to keep a word whole
    one_line: int = 0  # paragraphs WeasyPrint set on one line, not planned
    not_one_line: int = 0  # paragraphs tried on one line that needed more


STATS = Stats()
_WIDTHS: dict[tuple[Hashable, str], float] = {}  # (font key, text) -> width, process-wide
_STYLES: dict[Hashable, Any] = {}
_PLANS: dict[tuple[Run, ...], paragraph.Plan] = {}  # a paragraph's items, process-wide
# A paragraph's runs -> its planned lines by start offset, process-wide: a page laid out
# again, or the same paragraph in the next build of a watch session, is not planned again.
_LINES: dict[tuple[Run, ...], dict[int, Line]] = {}
_CACHE_LIMIT = 20000
_LAYOUTS: dict[Hashable, Any] = {}  # font key -> a Pango layout kept for measuring


# What a run takes from a computed style: font key, language, hyphens: auto, font size,
# wrapping, raised (a superscript or subscript).
_Info = tuple[Hashable, str, bool, float, bool, bool]
_INFO: dict[int, tuple[Any, _Info]] = {}  # id(computed style) -> (style, what runs take)
_EDGES: dict[int, tuple[Any, float, float]] = {}  # id(style) -> (style, left, right edge)


def _style_info(style: Any) -> _Info:
    """The properties of a computed style that its text's runs take, read once per style
    and document (WeasyPrint computes some on first reading)."""
    known = _INFO.get(id(style))
    if known is None or known[0] is not style:
        from weasyprint.text.line_break import _font_style_cache_key

        font = _font_style_cache_key(style, include_size=True)
        _STYLES.setdefault(font, style)
        info = (font, style["lang"] or "", style["hyphens"] == "auto",
                float(style["font_size"]), style["white_space"] in ("normal", "pre-line"),
                style["vertical_align"] in ("super", "sub"))
        known = _INFO[id(style)] = (style, info)
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


def _prepare(wanted: dict[Hashable, set[str]]) -> None:
    """Measure the words a paragraph's items will need and no earlier paragraph measured,
    each font's together (`_measure_together`)."""
    for font, texts in wanted.items():
        missing = [t for t in texts if t and (font, t) not in _WIDTHS]
        if len(missing) > 1 and _together(_STYLES[font]):
            _WIDTHS.update(zip(((font, t) for t in missing),
                               _measure_together(font, missing), strict=True))


# Characters that would end a line or a paragraph in one Pango layout, or join two words.
_SEPARATES = frozenset(" \n\r\t\v\f\x85\u2028\u2029")


def _together(style: Any) -> bool:
    """Words of this style measure the same together as alone: no spacing that Pango is
    given over a range of text (letter and word spacing, breaking inside words)."""
    return (style["letter_spacing"] == "normal" and not style["word_spacing"]
            and style["overflow_wrap"] not in ("anywhere", "break-word"))


def _measure_together(font: Hashable, words: list[str]) -> list[float]:
    """The advance width of each word, from one Pango layout of all of them, each between
    spaces as on a line: the sum of the advances of the glyphs of its characters. Shaping
    them together costs less than half of shaping them one by one, and the widths are the
    same (each word's context is the same spaces wherever it comes from). A word holding
    a character that would separate it from its spaces is measured alone."""
    from weasyprint.text.ffi import FROM_UNITS, ffi
    from weasyprint.text.line_break import Layout

    alone = [w for w in words if not _SEPARATES.isdisjoint(w)]
    joined = [w for w in words if _SEPARATES.isdisjoint(w)]
    layout = _LAYOUTS.get(font)
    if layout is None:
        layout = _LAYOUTS[font] = Layout(_STYLES[font])
    layout.set_text(" " + " ".join(joined) + " ")
    line, _ = layout.get_first_line()
    advance = [0] * (len(layout.text.encode()) + 1)  # Pango units by byte of the text
    run = line.runs
    while run != ffi.NULL:
        glyphs = run.data.glyphs
        offset, info, clusters = run.data.item.offset, glyphs.glyphs, glyphs.log_clusters
        for g in range(glyphs.num_glyphs):
            advance[offset + clusters[g]] += info[g].geometry.width
        run = run.next
    found: dict[str, float] = {}
    start = 1
    for word in joined:
        end = start + len(word.encode())
        found[word] = sum(advance[start:end]) * FROM_UNITS
        start = end + 1
    for word in alone:
        found[word] = _measure(word, font)
    return [found[w] for w in words]


def _edge(style: Any, side: str) -> float:
    """Margin, border and padding on one side of an inline box, in px."""
    total = float(style[f"border_{side}_width"] or 0)
    for name in (f"margin_{side}", f"padding_{side}"):
        value = style[name]
        if getattr(value, "unit", None) == "px":
            total += float(value.value)
    return total


def _edges(style: Any) -> tuple[float, float]:
    """An inline box's edges, left and right, once per style and document."""
    known = _EDGES.get(id(style))
    if known is None or known[0] is not style:
        known = _EDGES[id(style)] = (style, _edge(style, "left"), _edge(style, "right"))
    return known[1], known[2]


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

    def add(text: str, info: _Info, extra: float = 0.0) -> None:
        nonlocal offset, pending, glued
        font, lang, hyphens, size, wrap, _ = info
        runs.append(Run(text, font, lang, hyphens, not glued, extra + pending, size, wrap))
        offset += len(text)
        pending = 0.0
        glued = False

    text_box, inline_box, inline_block = boxes.TextBox, boxes.InlineBox, boxes.InlineBlockBox

    def walk(box: Any, path: tuple[int, ...], superscript: bool) -> None:
        nonlocal pending, glued
        for index, child in enumerate(box.children):
            where = (*path, index)
            starts[where] = offset
            if isinstance(child, text_box):  # text is always in the flow
                text = child.text
                if text == "\n" and child.style["white_space"] == "pre-line" and not glued:
                    add(text, _style_info(child.style))  # a <br>: a forced break
                    continue
                if "\n" in text or "\xad" in text or "\t" in text:
                    raise _Unsupported
                info = _style_info(child.style)
                glued = glued or (info[5] and not superscript)
                add(text, info)
                continue
            if not child.is_in_normal_flow():
                continue  # a footnote's float, an absolutely positioned box: no width here
            info = _style_info(child.style)
            if isinstance(child, inline_box):
                left, right = _edges(child.style)
                pending += left
                glued = glued or (info[5] and not superscript)
                walk(child, where, superscript or info[5])
                pending += right
            elif isinstance(child, inline_block):
                add("", info, max_content_width(context, child))
            else:
                raise _Unsupported

    walk(linebox, (), False)
    if runs and runs[-1].text == "\n":  # (a paragraph ending in a <br>: an empty last line)
        raise _Unsupported
    return runs, starts


def _paragraph(context: Any, linebox: Any) -> _Paragraph:
    state: dict[int, _Paragraph] | None = context.__dict__.get("_pressroom_lines")
    if state is None:  # a new document: its computed styles are new too
        _INFO.clear()
        _EDGES.clear()
        _MANUAL.clear()
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
            plan = _PLANS[key] = paragraph.build(runs, _measure, SETTINGS if justified else RAGGED,
                                                      _prepare)
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


def _planned_width(
    context: Any,
    linebox: Any,
    position_x: float,
    max_x: float,
    skip_stack: Any,
) -> tuple[float, float, bool] | None:
    """The natural width of the line WeasyPrint is about to set, its adjustment ratio, and
    whether it ends in a hyphen, if the plan knows them."""
    para = _paragraph(context, linebox)
    start = _segment_start(para, linebox, skip_stack) if para.plan is not None else None
    if para.plan is None or start is None:
        STATS.native += 1
        return None
    width = max_x - position_x
    widths = (width, width + float(linebox.text_indent or 0))
    lines = para.lines
    if para.retry is not None and para.retry[0] == start:
        # This part of the paragraph is set again because its page ended on a divided word:
        # the same part, planned with that line (and any before it) ending on a whole word.
        chosen = paragraph.choose(para.plan, widths, start, para.retry[1])
        para.retry = None
        if chosen is not None:
            _replace_from(lines, start, chosen)
            STATS.page_turns += 1
    line = lines.get(start)
    # A line planned for another width (the same text elsewhere) is planned again. Lines
    # after the first depend on the first one's width only through where it ends: a
    # paragraph resumed on the next page (no indent there) goes on with its planned lines.
    if line is None or abs(line.available - width) > WIDTH_SLACK:
        shared = _LINES.setdefault(para.key, {})
        chosen = _chain(shared, start, width)
        if chosen is None:
            if lines:
                STATS.diverged += 1
            chosen = paragraph.choose(para.plan, widths, start)
            if chosen is None:
                STATS.native += 1
                return None
            _replace_from(shared, start, chosen)
        _replace_from(lines, start, chosen)
        line = lines[start]
    STATS.planned += 1
    return line.width + line.hang, line.ratio, line.hyphen


WIDTH_SLACK = 0.01  # px: a planned line's width and WeasyPrint's differ by rounding only


def _replace_from(lines: dict[int, Line], start: int, chosen: list[Line]) -> None:
    """The paragraph's lines from text offset `start` on are `chosen` (none left over from
    an earlier plan, which WeasyPrint could otherwise follow after a line of the new one)."""
    for offset in [k for k in lines if k >= start]:
        del lines[offset]
    lines.update((ln.start, ln) for ln in chosen)


def _chain(lines: dict[int, Line], start: int, width: float) -> list[Line] | None:
    """The planned lines from `start` on, one after another, if the first was planned for
    this width."""
    first = lines.get(start)
    if first is None or abs(first.available - width) > WIDTH_SLACK:
        return None
    chain = [first]
    while chain[-1].end in lines and chain[-1].end > chain[-1].start:
        chain.append(lines[chain[-1].end])
    return chain


def _segment_start(para: _Paragraph, linebox: Any, skip_stack: Any) -> int | None:
    """The text offset at which WeasyPrint resumes the paragraph: 0 at its start (or after
    nothing but spaces), None where the planner does not know it."""
    start = _offset(para, linebox, skip_stack)
    if start is not None and not para.text[:start].strip():
        start = 0
    return start


HYPHENS = ("\u2010", "-", "\u00ad")  # a line that ends in one of these divides a word
RETRIES = 3  # times one page's part of a paragraph is set again to keep words whole


def _divided_line(lines: list[Any]) -> bool:
    """The last of `lines` ends in a hyphen (WeasyPrint's own or a word's hard hyphen)."""
    from weasyprint.formatting_structure import boxes

    last = ""
    for box in lines[-1].descendants():
        if isinstance(box, boxes.TextBox) and box.text.strip():
            last = box.text
    return last.rstrip().endswith(HYPHENS)


def wrap_linebox_layout(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's `_linebox_layout` (one paragraph's lines on one page), set again when
    the page ends on a word divided across the turn: no word is divided across a page turn
    or just above the notes. The page's end is only known once a line has not fitted, notes
    called in the lines above included; so the lines already set are taken back, as
    WeasyPrint itself takes back lines for widows (`remove_placeholders`: their notes and
    positioned boxes), and the part of the paragraph on this page is planned again with its
    last line ending on a whole word. A few pages in a hundred need it."""
    from weasyprint.layout.block import remove_placeholders

    def _linebox_layout(
        context: Any,
        box: Any,
        index: int,
        child: Any,
        new_children: list[Any],
        page_is_empty: bool,
        absolute_boxes: list[Any],
        fixed_boxes: list[Any],
        *rest: Any,
    ) -> Any:
        args = (context, box, index, child, new_children, page_is_empty, absolute_boxes,
                fixed_boxes, *rest)
        before = len(new_children)
        result = original(*args)
        if not _enabled:
            return result
        skip_stack = rest[3]  # after adjoining_margins, bottom_space, position_y
        avoid: set[int] = set()
        for _ in range(RETRIES):
            abort, stop = result[0], result[1]
            placed = new_children[before:]
            if abort or not stop or not placed or placed[-1].resume_at is None:
                break  # the paragraph did not go on to the next page from here
            if not _divided_line(placed):
                break
            state = context.__dict__.get("_pressroom_lines") or {}
            para = state.get(id(child))
            if para is None or para.box is not child or para.plan is None:
                break
            start = _segment_start(para, child, skip_stack)
            last = len(placed) - 1
            if start is None or last in avoid:
                break  # planned as asked and still divided: WeasyPrint's lines are kept
            avoid.add(last)
            remove_placeholders(context, placed, absolute_boxes, fixed_boxes)
            del new_children[before:]
            para.retry = (start, frozenset(avoid))
            result = original(*args)
            para.retry = None
        return result

    return _linebox_layout


def wrap_split_inline_box(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's split_inline_box, given the planned width when it sets a whole line. A
    short paragraph is first set as WeasyPrint sets it: if it fits on one line, that line
    is the one total fit would choose, and planning it is skipped (`_short`)."""
    from weasyprint.formatting_structure import boxes

    def split_inline_box(
        context: Any, box: Any, position_x: float, max_x: float, *args: Any, **kwargs: Any
    ) -> Any:
        if not _enabled or not isinstance(box, boxes.LineBox):
            return original(context, box, position_x, max_x, *args, **kwargs)
        global _ends_whole
        outer = _ends_whole  # (a line inside an inline block of a line: set, then restored)
        try:
            _ends_whole = False
            if args[1] is None and _short(context, box, max_x - position_x):
                result = original(context, box, position_x, max_x, *args, **kwargs)
                if result[1] is None:  # no line after this one
                    STATS.one_line += 1
                    return result
                STATS.not_one_line += 1
            planned = _planned_width(context, box, position_x, max_x, args[1])
            if planned is None:
                return original(context, box, position_x, max_x, *args, **kwargs)
            width, ratio, hyphen = planned
            hair = HAIR * float(box.style["font_size"])
            _ends_whole = not hyphen
            result = original(context, box, position_x, position_x + width + hair, *args,
                              **kwargs)
            result[0].pressroom_ratio = ratio
            return result
        finally:
            _ends_whole = outer

    return split_inline_box


# True while WeasyPrint sets a planned line that ends between words: see
# wrap_split_first_line.
_ends_whole = False


def wrap_split_first_line(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's split_first_line, which does not try to hyphenate the word after a
    planned line that ends between words. Given the line's natural width and a hair, it
    would try every place the dictionary allows in that word, longest first, each in a
    new Pango layout, and none can fit in the hair; the line ends where it would anyway."""

    def split_first_line(text: str, style: Any, *args: Any, **kwargs: Any) -> Any:
        if _ends_whole and style["hyphens"] == "auto":
            style = _manual_hyphens(style)
        return original(text, style, *args, **kwargs)

    return split_first_line


_MANUAL: dict[int, tuple[Any, Any]] = {}  # id(style) -> (style, its copy with hyphens: manual)


def _manual_hyphens(style: Any) -> Any:
    """A copy of a computed style with `hyphens: manual`, once per style and document."""
    known = _MANUAL.get(id(style))
    if known is None or known[0] is not style:
        copy = style.copy()
        copy["hyphens"] = "manual"
        known = _MANUAL[id(style)] = (style, copy)
    return known[1]


# A paragraph is tried on one line if its characters at this width each (em) would fit: an
# average letter of a text face is wider (about 0.45 em), so most paragraphs tried fit, and
# a paragraph that does not costs one line set in vain.
SHORT_EM = 0.32


def _short(context: Any, linebox: Any, width: float) -> bool:
    """The paragraph may fit on one line of `width`, and trying costs nothing else: all its
    content is in the flow (setting a line again places floats and positioned boxes again),
    and it has not been tried in this document and planned already."""
    from weasyprint.formatting_structure import boxes

    state = context.__dict__.get("_pressroom_lines")
    known = state.get(id(linebox)) if state else None
    if known is not None and known.box is linebox:
        return False
    budget = width / (SHORT_EM * float(linebox.style["font_size"]))
    stack = list(linebox.children)
    while stack:
        child = stack.pop()
        if isinstance(child, boxes.TextBox):
            budget -= len(child.text)
            if budget < 0:
                return False
        elif not child.is_in_normal_flow():
            return False
        elif isinstance(child, boxes.InlineBox):
            stack.extend(child.children)
        elif isinstance(child, boxes.ParentBox) and not all(  # an inline block: set whole
            d.is_in_normal_flow() for d in child.descendants()
        ):
            return False
    return True


def wrap_text_align(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's text_align, which also shrinks the spaces of a planned line set tight
    (WeasyPrint itself only ever widens them), and gives a little of a loose line's extra
    width to its letters (`_track_loose`)."""

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> Any:
        ratio = getattr(line, "pressroom_ratio", None)
        if ratio is None or last or line.style["text_align_all"] != "justify":
            return original(context, line, available_width, last)
        if -1 <= ratio < 0 and line.width > available_width:
            from weasyprint.layout.inline import justify_line

            justify_line(context, line, available_width - line.width)
            return 0
        if line.width < available_width:
            _track_loose(context, line, available_width)
        return original(context, line, available_width, last)

    return text_align


# Word spaces wider than this (em) count as loose (tests/typography.py: 0.40 em). A line that
# would set them wider gives some of its extra width to the spacing of its letters, at most
# MAX_TRACK em each: what a typesetter does where no break or hyphen is left (a note of long
# capitalised titles, a name that cannot be divided). 0.02 em is below what a reader sees as
# spaced-out letters; it takes about 0.1 em off each word space.
LOOSE_EM = 0.385
MAX_TRACK = 0.02


def _track_loose(context: Any, line: Any, available_width: float) -> None:
    """Letter spacing for a justified line whose word spaces would be loose: just enough for
    spaces of LOOSE_EM, at most MAX_TRACK em. Pango spaces a letter by half the amount on each
    side, so a word space grows by two letters' spacing while each letter takes its share:
    with C letters and S spaces the space shrinks by t (C - S) / S for spacing t."""
    from weasyprint.layout.inline import count_expandable_spaces

    if line.style["letter_spacing"] != "normal":
        return  # the author's own letter spacing is left as it is
    spaces = count_expandable_spaces(line)
    letters = _letters(line)
    if not spaces or letters <= spaces:
        return
    em = float(line.style["font_size"])
    space = _measure(" ", _style_info(line.style)[0])
    extra = available_width - line.width
    excess = spaces * space + extra - spaces * LOOSE_EM * em  # beyond spaces of LOOSE_EM
    if excess <= 0:
        return
    track = min(excess / (letters - spaces), MAX_TRACK * em)
    _add_tracking(context, line, track, 0.0)


def _letters(box: Any) -> int:
    """The characters other than spaces in a line's text, in the flow."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return len(box.text) - box.text.count(" ") - box.text.count("\u00a0")
    if isinstance(box, boxes.LineBox | boxes.InlineBox):
        return sum(_letters(child) for child in box.children if child.is_in_normal_flow())
    return 0


def _add_tracking(context: Any, box: Any, track: float, x_advance: float) -> float:
    """Letter spacing `track` on every text box of a line, the boxes after each moved along
    (as WeasyPrint's add_word_spacing moves them for word spacing); returns the advance."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout, line_size

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if box.text:
            style = box.style.copy()
            style["letter_spacing"] = track
            layout = create_layout(box.text, style, context, None, box.justification_spacing)
            first, _ = layout.get_first_line()
            width = line_size(first, style)[0]
            layout.deactivate()
            box.style, box.pango_layout = style, layout
            x_advance += width - box.width
            box.width = width
    elif isinstance(box, boxes.LineBox | boxes.InlineBox):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _add_tracking(context, child, track, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


_enabled = os.environ.get("PRESSROOM_LINEBREAK") != "0"
# Their names in weasy_patch.py.
PATCHES = ("total-fit-lines", "shrink-tight-lines", "whole-words-at-page-turns",
           "no-hyphen-tries-at-planned-ends")


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
    _INFO.clear()
    _EDGES.clear()
    _MANUAL.clear()


def forget_widths() -> None:
    """Drop the measured word widths too, and the word templates made from them: the
    state of a fresh process (the benchmark's fresh-build rounds)."""
    forget_plans()
    _WIDTHS.clear()
    _LAYOUTS.clear()
    paragraph.forget_tokens()
