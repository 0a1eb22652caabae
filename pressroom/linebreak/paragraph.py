"""A paragraph as runs of styled text -> boxes, glue and penalties -> the chosen lines."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, TypeGuard

from . import hyphenation, kinsoku
from .knuthplass import INFINITY, Box, Break, Compiled, Glue, Item, Params, Penalty, breakpoints

Measure = Callable[[str, Hashable], float]  # (text, font key) -> width
# Told, before a paragraph's items are made, every text `Measure` will be asked for, by font:
# a measurer may measure them together, more cheaply than one by one.
Prepare = Callable[[dict[Hashable, set[str]]], None]
HYPHEN = "\u2010"  # what WeasyPrint prints at a hyphen break (hyphenate-character: auto)
_DASHES = "\u2014\u2013"  # em and en dash: a break may follow them, unhyphenated
# A zero-width space: a break may follow it, with nothing added (render/print_urls.py puts one
# between the pieces of a URL, where Chicago lets it break).
ZWSP = "\u200b"
# A forced line break (HTML's <br>, Markdown's hard line break), as a run of its own: TeX's
# \\, glue that fills the line, then a break that must be taken.
NEWLINE = "\n"


class Run(NamedTuple):
    """A stretch of text in one font. `break_before=False` glues it to what precedes it
    (a note call); `hyphens` is CSS `hyphens: auto`; `extra` is a fixed width before the
    text (an inline box's padding, border and margin). A named tuple: a paragraph's runs are
    made for every line box and hashed to find its plan, and a tuple does both in C."""

    text: str
    font: Hashable
    lang: str = ""
    hyphens: bool = True
    break_before: bool = True
    extra: float = 0.0
    em: float = 10.0  # font size, for the space's stretch and the short-last-line rule
    wrap: bool = True  # False: white-space: nowrap, one unbreakable box


@dataclass(frozen=True)
class Settings:
    """How tight and loose a justified line may be, relative to the font's space."""

    stretch: float = 0.4  # a space may grow by this share of itself at ratio 1
    shrink: float = 0.42  # and shrink by this share at ratio -1 (TeX: 1/3)
    hyphen_penalty: float = 50  # TeX's \hyphenpenalty
    explicit_penalty: float = 50  # a break after a hard hyphen (TeX's \exhyphenpenalty)
    short_last_line_em: float = 2.5  # a last line narrower than this is a lone short word
    ragged_em: float = 0.0  # ragged right (spaces fixed): how far short of the measure a line
    # may end at ratio 1; 0 for justified text
    # Passes, as TeX makes them: without hyphens, then with, then an emergency pass; and one
    # TeX lacks, a little looser without hyphens before any word is divided (badness 200 is
    # a space of about 0.38 em, not yet loose: tests/typography.py counts from 0.40 em).
    passes: tuple[tuple[float, bool], ...] = ((100, False), (200, False), (200, True),
                                              (1000, True), (float("inf"), True))


@dataclass(frozen=True)
class Line:
    """One chosen line: text offsets [start, end), natural width (with its hyphen), and the
    adjustment ratio (negative: its spaces shrink)."""

    start: int
    end: int
    width: float
    ratio: float
    hyphen: bool
    available: float  # the width it was chosen for
    # The width of the space it ends on, when that space is the last character of its run:
    # WeasyPrint 70 counts such a space in the width of the line's text (and, when it does not
    # fit, hyphenates the run's first word instead: the "half-word line" bug).
    hang: float = 0.0


@dataclass
class Plan:
    """A paragraph's items, from which lines can be (re)chosen from any break.

    The items are first made without the dictionary's hyphens (each word one box): most
    paragraphs are set by the passes that do not hyphenate, and a hyphen's place costs two
    measurements (the word up to it, with and without the hyphen). The items with hyphens
    are made the first time a pass needs them (`hyphenated`)."""

    items: list[Item]
    settings: Settings
    em: float
    compiled: Compiled | None = None  # the items as the breaking loop reads them, once
    # The space the text ends on, when it ends its run (a paragraph part cut short by a block
    # inside it, as a display equation): the last line's hang, as Line.hang says.
    tail: float = 0.0
    # What the items were made from, to make them again with the dictionary's hyphens.
    runs: tuple[Run, ...] = ()
    measure: Measure | None = None
    prepare: Prepare | None = None
    with_hyphens: bool = True  # the items hold the dictionary's hyphen breaks
    _hyphenated: Plan | None = None

    @property
    def starts(self) -> dict[int, int]:
        """Text offset -> index of the item a line starting there follows (-1: the first)."""
        if self.compiled is None:
            self.compiled = Compiled(self.items)
        return self.compiled.starts

    def hyphenated(self) -> Plan:
        """The same paragraph with the dictionary's hyphen breaks among its items."""
        if self.with_hyphens:
            return self
        if self._hyphenated is None:
            assert self.measure is not None
            self._hyphenated = _build(self.runs, self.measure, self.settings, True, self.prepare)
        return self._hyphenated


def build(
    runs: Sequence[Run],
    measure: Measure,
    settings: Settings = Settings(),
    prepare: Prepare | None = None,
) -> Plan:
    """The boxes, glue and penalties of a paragraph, its words not yet divided (see Plan).
    Offsets count the characters of the runs' texts joined."""
    runs = tuple(runs)
    # Text never hyphenated has no more items to make.
    return _build(runs, measure, settings, not any(r.hyphens for r in runs), prepare)


def _build(
    runs: tuple[Run, ...],
    measure: Measure,
    settings: Settings,
    hyphens: bool,
    prepare: Prepare | None,
) -> Plan:
    _new_templates(runs, measure, settings, hyphens, prepare)
    items: list[Item] = []
    offset = 0
    em = max((r.em for r in runs), default=10.0)
    for run in runs:
        if not run.break_before and items and isinstance(items[-1], Glue):
            items.insert(len(items) - 1, Penalty(0, INFINITY, False, offset))
        if run.extra:
            items.append(Box(run.extra, offset))
        _add_run(items, run, offset, measure, settings, hyphens)
        offset += len(run.text)
    tail = 0.0
    while items and isinstance(items[-1], Glue):
        dropped = items.pop()
        tail += dropped.width if isinstance(dropped, Glue) and dropped.last_in_run else 0.0
    items.append(Penalty(0, INFINITY, False, offset))  # no break before \parfillskip
    items.append(Glue(0, 1e6, 0, offset))  # \parfillskip
    items.append(Penalty(0, -INFINITY, False, offset))
    return Plan(items, settings, em, tail=tail, runs=runs, measure=measure, prepare=prepare,
                with_hyphens=hyphens)


def _add_run(
    items: list[Item], run: Run, offset: int, measure: Measure, settings: Settings,
    hyphens: bool,
) -> None:
    space = measure(" ", run.font)
    stretch, shrink = space * settings.stretch, space * settings.shrink
    text = run.text
    if text == NEWLINE:
        items.append(Glue(0, 1e6, 0, offset))
        items.append(Penalty(0, -INFINITY, False, offset + 1))
        return
    if not run.wrap:  # kept on one line (CSS white-space: nowrap): a single box
        body = text.strip(" ")
        if text.startswith(" ") and items and not isinstance(items[-1], Glue):
            items.append(Glue(space, stretch, shrink, offset + 1))
        lead = len(text) - len(text.lstrip(" "))
        if body:
            items.append(Box(measure(body, run.font), offset + lead))
        if text.endswith(" ") and body:
            items.append(Glue(space, stretch, shrink, offset + len(text), True))
        return
    tokens = _tokens(run, measure, settings, hyphens)
    append = items.append
    position, end = offset, offset + len(text)
    for spaced in text.split(" "):  # each but the last followed by one space
        for n, token in enumerate(spaced.split(ZWSP) if ZWSP in spaced else (spaced,)):
            if n:  # after a zero-width space: a free break, nothing added
                position += 1
                append(Penalty(0, 0, False, position))
            if not token:
                continue
            template = tokens.get(token)
            if template is None:  # Japanese, divided as it goes
                _add_cjk(items, token, position, run, measure)
            elif len(template) == 1:  # a word with no break inside: one box
                append(Box(template[0][1], position))
            else:
                for entry in template:
                    if entry[0] == 0:
                        append(Box(entry[1], position + entry[2]))
                    else:
                        append(Penalty(entry[1], entry[3], entry[4], position + entry[2],
                                       entry[5]))
            position += len(token)
        if position < end:
            last = items[-1] if items else None
            if _forced(last):  # a space after a forced break: the next line starts after it,
                last.pos = position + 1  # where WeasyPrint resumes (and no glue to drop)
            elif items and not isinstance(last, Glue):
                append(Glue(space, stretch, shrink, position + 1, position + 1 == end))
            position += 1


def _forced(item: Item | None) -> TypeGuard[Penalty]:
    """Whether `item` is a forced line break (a NEWLINE's)."""
    return isinstance(item, Penalty) and item.penalty == -INFINITY


def _tokens(
    run: Run, measure: Measure, settings: Settings, hyphens: bool
) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The cache of token templates for a run's font, language and settings, with or
    without the dictionary's hyphens."""
    key = (run.font, run.lang, run.hyphens and hyphens, measure, settings)
    found = _TOKENS.get(key)
    if found is None:
        found = _TOKENS[key] = {}
    return found


# (font, lang, dictionary hyphens, measure, settings) -> token -> its items, offsets relative to the
# token: (0, width, offset) for a box, (1, width, offset, penalty, flagged, auto) for a
# penalty. Words recur: "the" is measured and split once per font, not once per paragraph.
# Two levels, so that a run hashes its font and settings once rather than once per word.
_TOKENS: dict[tuple[Any, ...], dict[str, tuple[tuple[Any, ...], ...]]] = {}
_TOKEN_LIMIT = 200_000
_token_count = 0


def forget_tokens() -> None:
    """Drop the token templates (a fresh process's state; the widths in them came from the
    measurer, which may forget its own)."""
    global _token_count
    _TOKENS.clear()
    _token_count = 0


def _new_templates(
    runs: tuple[Run, ...],
    measure: Measure,
    settings: Settings,
    hyphens: bool,
    prepare: Prepare | None,
) -> None:
    """Make the templates of the runs' words that have none yet (Japanese apart, divided as
    it is set), every text they measure first told to `prepare`, by font."""
    global _token_count
    if _token_count > _TOKEN_LIMIT:  # (only here: the runs' templates stay until they are set)
        forget_tokens()
    new: list[tuple[Run, dict[str, Any], str, list[tuple[str, tuple[int, ...]]]]] = []
    wanted: dict[Hashable, set[str]] = {}
    for run in runs:
        texts = wanted.setdefault(run.font, set())
        texts.add(" ")
        if run.text == NEWLINE:
            continue
        if not run.wrap:
            texts.add(run.text.strip(" "))
            continue
        known = _tokens(run, measure, settings, hyphens)
        for token in set(run.text.replace(ZWSP, " ").split(" ")).difference(known):
            if token and not kinsoku.CJK.search(token):
                parts = _parts(token, run, hyphens)
                new.append((run, known, token, parts))
                for part, cuts in parts:
                    texts.add(part)
                    texts.update(part[:cut] for cut in cuts)
                    texts.update(part[:cut] + HYPHEN for cut in cuts)
    if prepare is not None:
        prepare(wanted)
    _token_count += len(new)
    for run, known, token, parts in new:
        known[token] = _token_items(parts, run, measure, settings)


def _parts(token: str, run: Run, hyphens: bool) -> list[tuple[str, tuple[int, ...]]]:
    """A token's parts between hard hyphens, dashes and slashes, each with the places the
    dictionary may divide it (none unless `hyphens` and the rules allow)."""
    hyphenate = hyphens and run.hyphens and hyphenation.may_hyphenate(token)
    parts: list[str] = []
    start = 0
    for k, char in enumerate(token):
        if char in "-/" + _DASHES and 0 < k < len(token) - 1 and token[k + 1].isalpha():
            parts.append(token[start : k + 1])
            start = k + 1
    parts.append(token[start:])
    return [(part, hyphenation.points(part, run.lang) if hyphenate else ()) for part in parts]


def _token_items(
    parts: list[tuple[str, tuple[int, ...]]], run: Run, measure: Measure, settings: Settings
) -> tuple[tuple[Any, ...], ...]:
    """A word's template: (0, width, offset) for a box, (1, width, offset, penalty, flagged,
    auto) for a penalty, offsets in the word."""
    out: list[tuple[Any, ...]] = []
    position = 0
    for n, (part, cuts) in enumerate(parts):
        previous = 0
        done = 0.0  # the width of part[:previous]
        for cut in (*cuts, len(part)):
            upto = measure(part[:cut], run.font)
            out.append((0, upto - done, position + previous))
            if cut < len(part):
                hyphen = measure(part[:cut] + HYPHEN, run.font) - upto
                out.append((1, hyphen, position + cut, settings.hyphen_penalty, True, True))
            previous, done = cut, upto
        position += len(part)
        if n < len(parts) - 1:
            flagged = part.endswith("-")  # a break after a dash or a slash adds no hyphen
            out.append((1, 0.0, position, settings.explicit_penalty, flagged, False))
    return tuple(out)


def _add_cjk(items: list[Item], token: str, offset: int, run: Run, measure: Measure) -> None:
    """Japanese: a break may fall between any two characters the kinsoku rules allow, except
    inside a short term; Latin stretches inside the token stay whole."""
    whole = kinsoku.term_kept_whole(token)
    start = 0
    for k in range(1, len(token) + 1):
        end_of_piece = k == len(token) or kinsoku.is_cjk(token[k - 1]) or kinsoku.is_cjk(token[k])
        if not end_of_piece:
            continue
        items.append(Box(measure(token[start:k], run.font), offset + start))
        if k < len(token) and not whole and kinsoku.may_break_between(token[k - 1], token[k]):
            items.append(Penalty(0, 0, False, offset + k))
        start = k


def choose(
    plan: Plan,
    widths: tuple[float, float],
    start: int = 0,
    no_hyphen_lines: frozenset[int] = frozenset(),
) -> list[Line] | None:
    """The best lines from text offset `start` (a break the plan knows), trying TeX's passes
    in turn, the last of which accepts a line wider than the measure when a word is. The
    passes that hyphenate read the items with the dictionary's hyphens (made on first need);
    so does every pass from a break inside a word."""
    if start not in plan.starts:
        plan = plan.hyphenated()
        if start not in plan.starts:
            return None
    short = plan.settings.short_last_line_em * plan.em
    last = len(plan.settings.passes) - 1
    for number, (tolerance, hyphenate) in enumerate(plan.settings.passes):
        params = Params(tolerance=tolerance, hyphenate=hyphenate, short_last_line=short,
                        overfull=number == last, ragged=plan.settings.ragged_em * plan.em)
        found = _pass(plan.hyphenated() if hyphenate else plan, widths, start, params,
                      no_hyphen_lines)
        if found is not None:
            return found
    return None


def _pass(
    plan: Plan,
    widths: tuple[float, float],
    start: int,
    params: Params,
    no_hyphen_lines: frozenset[int],
) -> list[Line] | None:
    """One pass of the breaker over `plan`'s items, as lines (None: no feasible breaks)."""
    after = plan.starts[start]
    assert plan.compiled is not None  # (made by plan.starts)
    found = breakpoints(plan.compiled, widths, params, after, no_hyphen_lines)
    if found is None:
        return None
    lines = _lines(plan.items, found, start, after, widths)
    if lines and plan.tail:
        lines[-1] = replace(lines[-1], hang=plan.tail)
    return lines


def _lines(
    items: Sequence[Item],
    found: Sequence[Break],
    start: int,
    after: int,
    widths: tuple[float, float],
) -> list[Line]:
    lines: list[Line] = []
    for number, brk in enumerate(found):
        stop = items[brk.item]
        assert isinstance(stop, Glue | Penalty)
        width = _natural(items, after + 1, brk.item)
        hang = stop.width if isinstance(stop, Glue) and stop.last_in_run else 0.0
        lines.append(Line(start, stop.pos, width, brk.ratio, brk.flagged,
                          widths[0] if number == 0 else widths[1], hang))
        start, after = stop.pos, brk.item
    return lines


def _natural(items: Sequence[Item], begin: int, stop: int) -> float:
    """The width of a line set from items[begin:stop] with its break at `stop`: glue at
    either end is dropped, a hyphen at the break added."""
    while begin < stop and not isinstance(items[begin], Box):
        begin += 1
    end = stop
    while end > begin and not isinstance(items[end - 1], Box):
        end -= 1
    total = sum(item.width for item in items[begin:end] if isinstance(item, Box | Glue))
    last = items[stop]
    return total + (last.width if isinstance(last, Penalty) else 0.0)


def plan(runs: Sequence[Run], measure: Measure, widths: tuple[float, float],
         settings: Settings = Settings()) -> list[Line] | None:
    """Choose the lines of a whole paragraph (the convenience form of build + choose)."""
    return choose(build(runs, measure, settings), widths)
