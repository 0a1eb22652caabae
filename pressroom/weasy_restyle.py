"""The style work of a print page laid out again (pressroom/weasy_incremental.py), done once.

WeasyPrint parses a page's stylesheets and computes the style of every element each time it
lays a page out: for a preview laid out again from one edited paragraph, that is most of the
time before the first page. A page laid out again has the same head as the last one (its
stylesheets: compare() refuses any other), so they are parsed once and kept (`sheets`), with
the font and counter configuration their rules filled. And when the last page laid out again
is the one an edit of the same shape was made to (the same elements, tags and attributes;
only the changed blocks' content differs), each unchanged element of the new page takes the
computed style of its twin in the last page (the same selectors match it: the same element
among the same siblings and ancestors, and no :empty rule reads its text), and only the
changed blocks' elements are matched and computed, as WeasyPrint's StyleFor does (`context`).
Anything else computes every style as WeasyPrint does. Both are kept per output (the key
weasy_incremental.STORE keeps its layout under), as the layouts are: an edit of one document
does not drop another's. Pinned to WeasyPrint 70.0, as weasy_incremental.py is (it checks the
version before any relayout)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from math import inf
from typing import Any


@dataclass
class Sheets:
    """A print page's author stylesheets as WeasyPrint parsed them, with the font and counter
    configuration their rules filled."""

    head: str  # the page's head (everything before its first block), which holds them
    base: str  # the URL their relative URLs are resolved against
    fonts: Any
    counters: Any
    author: list[Any]


@dataclass
class _Styled:
    """The last page laid out again: its HTML, its element tree and their styles."""

    html: str
    root: Any
    style_for: Any
    sheets: Sheets


# By output (weasy_incremental.STORE's key): its stylesheets, and its last page laid out again.
_SHEETS: dict[str, Sheets] = {}
_STYLED: dict[str, _Styled] = {}


def sheets(key: str, page: Any, head: str, body: str) -> Sheets | None:
    """The stylesheets of `page` (WeasyPrint's HTML of output `key`'s print page, of head
    `head` and body `body`), parsed now or kept from the last time; None where the body holds
    a stylesheet of its own (raw HTML: parsed with the page, as WeasyPrint does)."""
    from weasyprint.css import find_stylesheets
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration

    if "<style" in body or "<link" in body:
        return None
    kept = _SHEETS.get(key)
    if kept is None or (kept.head, kept.base) != (head, page.base_url):
        fonts, counters = FontConfiguration(), CounterStyle()
        for style in page._ua_counter_style():  # (as get_all_computed_styles does)
            counters.update(style)
        author = find_stylesheets(
            page.wrapper_element,
            page.media_type,
            page.url_fetcher,
            page.base_url,
            fonts,
            counters,
            {},
            [],
            [],
        )
        kept = _SHEETS[key] = Sheets(head, page.base_url, fonts, counters, list(author))
        _STYLED.pop(key, None)
    return kept


def context(
    key: str,
    page: Any,
    html: str,
    kept: Sheets,
    options: dict[str, Any],
    last: str,
    changed: range | None,
) -> Any:
    """WeasyPrint's layout context of `page` (output `key`'s print page `html`), as
    Document._build_layout_context makes it, with its author stylesheets already parsed (no
    user stylesheets, no presentational hints, no forms: pressroom sets none); `last` is the
    page it was edited from, `changed` the blocks that differ if the edit kept their shape."""
    from weasyprint.css import StyleFor
    from weasyprint.css.targets import TargetCollector
    from weasyprint.images import get_image_from_uri
    from weasyprint.layout import LayoutContext

    collector = TargetCollector()
    ordered = [(s, "user agent", None) for s in page._ua_stylesheets(False)]
    ordered += [(s, "author", None) for s in kept.author]
    style_for = None
    styled = _STYLED.get(key)
    if styled and changed and styled.sheets is kept and styled.html == last:
        style_for = _restyled(page, ordered, styled, changed, collector)
    if style_for is None:
        style_for = StyleFor(page, ordered, False, kept.fonts, collector)
    _STYLED[key] = _Styled(html, page.etree_element, style_for, kept)
    images = functools.partial(
        get_image_from_uri, cache={}, url_fetcher=page.url_fetcher, options=options
    )
    return LayoutContext(style_for, images, kept.fonts, kept.counters, collector)


def _restyled(
    page: Any, ordered: list[Any], styled: _Styled, changed: range, collector: Any
) -> Any | None:
    """A StyleFor of `page` whose unchanged elements have the styles of their twins in the
    last page; None if the two trees differ elsewhere than inside the changed blocks."""
    from weasyprint.css import StyleFor

    twins: dict[int, Any] = {}  # id(element of the last page) -> its twin in this one
    fresh: list[tuple[Any, tuple[int, ...]]] = []  # changed blocks: (element, wrapper path)
    if not _pair(styled.root, page.etree_element, changed, (), twins, fresh):
        return None
    old = styled.style_for
    style_for = StyleFor.__new__(StyleFor)
    style_for._cascaded_styles = {}
    style_for._computed_styles = computed = {}
    style_for.initial_page_sizes = old.initial_page_sizes  # (which the styles were made with)
    style_for._sheets = ordered
    style_for.font_config = old.font_config
    for (element, pseudo), style in old._computed_styles.items():
        twin = twins.get(id(element))
        if twin is not None:  # (page types are styled again as each page is made)
            computed[twin, pseudo] = style
            if style["anchor"]:
                collector.collect_anchor(style["anchor"])
    for element, path in fresh:
        _style_subtree(page, style_for, ordered, _wrapper(page, path), element, collector)
    return style_for


def _pair(
    old: Any,
    new: Any,
    changed: range,
    path: tuple[int, ...],
    twins: dict[int, Any],
    fresh: list[tuple[Any, tuple[int, ...]]],
) -> bool:
    """Pair the elements of the two trees below `old` and `new` (at `path`: the indexes of
    their element ancestors), the changed blocks' subtrees as fresh; False where they differ."""
    if old.tag != new.tag or old.attrib != new.attrib:
        return False
    number = new.get("data-b")
    if number is not None and number.isdigit() and int(number) in changed:
        fresh.append((new, path))
        return True
    twins[id(old)] = new
    if len(old) != len(new):
        return False
    index = 0
    for a, b in zip(old, new, strict=True):
        if not isinstance(b.tag, str):  # (a comment: no element, no style)
            continue
        if not _pair(a, b, changed, (*path, index), twins, fresh):
            return False
        index += 1
    return True


def _wrapper(page: Any, path: tuple[int, ...]) -> Any:
    """cssselect2's wrapper of the element at `path` (with its parent and previous siblings,
    which selectors read)."""
    wrapper = page.wrapper_element
    for index in path:
        for child in wrapper.iter_children():
            if child.index == index:
                wrapper = child
                break
    return wrapper


def _style_subtree(
    page: Any, style_for: Any, ordered: list[Any], top: Any, element: Any, collector: Any
) -> None:
    """The elements below `top` (cssselect2's wrapper of `element`) cascaded and computed in
    tree order, then their pseudo-elements, as StyleFor.__init__ does for every element."""
    from weasyprint.css import declaration_precedence, find_style_attributes
    from weasyprint.css.validation import preprocess_declarations

    cascaded = style_for._cascaded_styles
    attributes = find_style_attributes(element, False, page.base_url)
    for specificity, each, declarations, base in attributes:
        style = cascaded.setdefault((each, None), {})
        for name, values, importance in preprocess_declarations(base, declarations):
            weight = (declaration_precedence("author", importance), inf, specificity)
            _cascade(style, name, values, weight)
    for wrapper in top.iter_subtree():
        for sheet, origin, sheet_specificity in ordered:
            for selector in sheet.matcher.match(wrapper):
                specificity, _order, pseudo, (declarations, layer) = selector
                layer_order = inf if layer is None else sheet.layers.index(layer)
                specificity = sheet_specificity or specificity
                style = cascaded.setdefault((wrapper.etree_element, pseudo), {})
                for name, values, importance in declarations:
                    weight = (declaration_precedence(origin, importance), layer_order, specificity)
                    _cascade(style, name, values, weight)
        style_for.set_computed_styles(
            wrapper.etree_element,
            root=page.etree_element,
            parent=wrapper.parent.etree_element,
            base_url=page.base_url,
            target_collector=collector,
        )
    for each, pseudo in list(cascaded):
        if pseudo:
            style_for.set_computed_styles(
                each,
                pseudo_type=pseudo,
                root=page.etree_element,
                parent=each,
                base_url=page.base_url,
                target_collector=collector,
            )
    cascaded.clear()


def _cascade(style: dict[str, Any], name: str, values: Any, weight: Any) -> None:
    """One declaration into an element's cascaded style, if it weighs as much as the last."""
    old_weight = style.get(name, (None, None))[1]
    if old_weight is None or old_weight <= weight:
        style[name] = values, weight
