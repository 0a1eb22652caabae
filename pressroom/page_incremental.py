"""watch's print page after an edit cited incrementally (pressroom/cite_incremental.py): the
edited paragraph alone through pandoc's print writer, spliced into the last print page, so that
the preview is laid out before pandoc writes the whole page again.

pandoc writes the paragraph as it was and as it is, each after as many empty notes as come
before it in the document (print-notes.lua numbers notes as it meets them), and pressroom makes
each fit for print as it does the whole body (render/pdf.py's printable). The paragraph as it
was, with its block numbers, must stand exactly once in the last print page, and that page must
be the one laid out from the cite this edit was made from; the paragraph as it is takes its
place and its block numbers. Anything else (another change, a paragraph found twice or not at
all, a different count of blocks) gives no page here, and the preview waits for the whole page
as before. The whole page follows in any case (the final PDF is made from it), and render/pdf.py
checks it against the spliced one: a difference is said, and the preview laid out again."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cite_incremental, pandoc
from .render import print_urls

log = logging.getLogger("pressroom.incremental")

_MARK = "\ue000"  # a block number to be found (a private-use character: never in a page)
# Print pages spliced, by output, with the cite they are of: the page pandoc must write too
# (render/pdf.py checks it).
SPLICED: dict[str, tuple[str, str]] = {}
# The print writer's last outputs, by what they were written from (arguments, the files these
# name as they were, input): the next edit of the same paragraph writes it as it was, which
# the last one wrote as it became.
_WRITTEN: dict[tuple[tuple[str, ...], tuple[Any, ...], bytes], bytes] = {}


def spliced(
    key: str,
    ast: dict[str, Any],
    origin: str,
    page: str,
    page_origin: str,
    args: list[str],
    printable: Callable[[str], str],
    number: re.Pattern[str],
) -> str | None:
    """The print page of `ast` (cited as `origin`) from `page` (the print page of the cite
    `page_origin`), or None. `args` are the print writer's; `printable` makes a body fit for
    print; `number` finds the tags that render/pdf.py numbers."""
    change = cite_incremental.CHANGES.get(origin)
    if change is None or not page_origin or change.before != page_origin:
        return None
    api = ast.get("pandoc-api-version")
    # (the print page's URLs are made breakable in the JSON its writer reads, as pdf.job does)
    jobs = [
        (args, print_urls.breakable(_alone(b, change.notes, api))) for b in (change.old, change.new)
    ]
    try:
        bodies = _written(jobs)
    except pandoc.PandocFailed:
        return _refuse("pandoc could not write the paragraph alone")
    old, new = (printable(_after_notes(b.decode("utf-8"), change.notes)) for b in bodies)
    if not old or len(number.findall(old)) != len(number.findall(new)):
        return _refuse("the paragraph's blocks changed in number")
    marked = number.sub(lambda m: f'<{m.group(1)} data-b="{_MARK}"', old)
    pattern = re.compile(re.escape(marked).replace(_MARK, r"(\d+)"))
    found = list(pattern.finditer(page))
    if len(found) != 1:
        return _refuse("the paragraph is not once in the last print page")
    at = found[0]
    numbers = iter(at.groups())
    renumbered = number.sub(lambda m: f'<{m.group(1)} data-b="{next(numbers)}"', new)
    result = page[: at.start()] + renumbered + page[at.end() :]
    SPLICED[key] = (origin, result)
    return result


def _written(jobs: list[tuple[list[str], bytes]]) -> list[bytes]:
    """pandoc's output for each job, run side by side, but for a job the last call ran (the
    same arguments, naming files as they were then, and the same input): kept from it."""
    keys = [(tuple(args), _stamps(args), stdin) for args, stdin in jobs]
    runs = [job for job, key in zip(jobs, keys, strict=True) if key not in _WRITTEN]
    ran = iter(pandoc.run_many(runs) if runs else [])
    bodies = [_WRITTEN[key] if key in _WRITTEN else next(ran) for key in keys]
    _WRITTEN.clear()
    _WRITTEN.update(zip(keys, bodies, strict=True))
    return bodies


def _stamps(args: list[str]) -> tuple[Any, ...]:
    """The files `args` name (filters), each with its modification time and size."""
    found = []
    for arg in args:
        path = Path(arg)
        if path.is_absolute() and path.is_file():
            info = path.stat()
            found.append((arg, info.st_mtime_ns, info.st_size))
    return tuple(found)


def _refuse(why: str) -> Any:
    """None: the preview waits for pandoc's whole print page (said on the progress line)."""
    log.info("print page in full: %s", why)
    return None


def _alone(block: dict[str, Any], notes: int, api: Any) -> bytes:
    """A document of `notes` empty notes in a paragraph of their own, then `block`."""
    empty = [{"t": "Note", "c": []} for _ in range(notes)]
    blocks = [{"t": "Para", "c": empty}, block] if notes else [block]
    return pandoc.to_json({"pandoc-api-version": api, "meta": {}, "blocks": blocks})


def _after_notes(body: str, notes: int) -> str:
    """The writer's HTML of the block after the paragraph of empty notes (if any)."""
    if notes:
        body = body.partition("</p>\n")[2]
    return body.rstrip("\n")
