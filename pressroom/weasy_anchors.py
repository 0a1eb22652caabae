"""The anchors a page's layout has seen so far, as a list with a set beside it.

At the end of every page, WeasyPrint 70.0's `make_page` (layout/page.py) gathers the anchors
(`id`s) and counter lookups of every page before it into two lists, `cached_anchors` and
`cached_lookups`, and asks `anchor not in cached_anchors` for each box of the page that
carries an anchor: a scan of every anchor of the document so far (pressroom's notes bring
two each, `fnN` and `fnrefN`), for each anchor of the page, so that the work per page grows
with the page count: the one term of the layout found to (bench/RESULTS.md). Here the two
lists are `SeenList`s, lists that keep a set of their items beside them: the same items in
the same order, every question of membership answered by a hash lookup (the items are
strings and integers, for which the set and the list agree on equality). Registered in
weasy_patch.py (group "fast") as an edit of `make_page`'s two assignments;
tests/test_weasy_fast.py compares the anchors each page records and the PDF."""

from __future__ import annotations

import ast
from collections.abc import Hashable, Iterable

# Membership questions answered, for the tests.
seen_counts = {"asked": 0}


class SeenList(list[Hashable]):
    """A list that answers `in` from a set of its items (only appended or extended here)."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[Hashable] = set()

    def append(self, item: Hashable) -> None:
        super().append(item)
        self._seen.add(item)

    def extend(self, items: Iterable[Hashable]) -> None:
        items = list(items)
        super().extend(items)
        self._seen.update(items)

    def __contains__(self, item: object) -> bool:
        seen_counts["asked"] += 1
        return item in self._seen


_MADE = "__import__('pressroom.weasy_anchors', fromlist=['SeenList']).SeenList()"
_NAMES = ("cached_anchors", "cached_lookups")


def seen_lists(function: ast.FunctionDef) -> str | None:
    """`cached_anchors = []` and `cached_lookups = []` in make_page become SeenLists."""
    from .weasy_patch import assigned_value  # (weasy_patch imports this module)

    found = [assigned_value(function, name) for name in _NAMES]
    if any(n is None or not (isinstance(n.value, ast.List) and not n.value.elts) for n in found):
        return "no single `cached_anchors = []` and `cached_lookups = []` in make_page"
    for node in found:
        assert node is not None  # (checked above)
        made = ast.parse(_MADE, mode="eval").body
        for child in ast.walk(made):  # the new nodes sit on the line of the list they replace
            ast.copy_location(child, node.value)
        node.value = made
    return None
