"""The second half of a long tagged write's pages drawn by a forked child, on the second core.

Drawing the pages (`Page.paint`: text shaped again by Pango, glyph runs, borders, the marked
content of the structure tree) is two thirds of WeasyPrint's tagged write: about 6 s at 300
pages, page after page on one core. Here, when the write begins (`generate_pdf`), the process
forks; the child draws pages `first..n-1` into content streams made as `generate_pdf` makes
them, compresses them as pydyf would (pressroom/weasy_deflate.py) and sends back, per page,
the stream's bytes and which of the page's boxes it marked with which MCID, and at the end
what it learned about each font (glyph widths, Unicode text). The parent draws pages
`0..first-1` as usual, and then each page itself until the child's pages have come (it never
waits for them, but with PRESSROOM_PARALLEL=1, for the tests and the bench); from there on
it takes the child's pages instead of drawing them.

The result is the PDF one process writes, byte for byte (tests/test_weasy_fast.py):

- a page's content stream depends only on its boxes, the fonts' glyph widths (the same
  numbers whoever computes them first) and the names of what it adds to the shared
  resources: alpha states are named by their value; transparency groups (opacity, the note
  area's gradient rule) by their count, so the parent adds the child's groups in order and
  renames their `Do` operators (those pages are compressed again by the parent's worker).
  A page that adds an image, a pattern, a shading or another graphics state, a font the
  parent has not met, or a glyph missing from its font (numbered in order of meeting) makes
  the child refuse, and the parent draws every page itself;
- the fonts' maps are filled in the order a single process fills them: the parent's entries
  (pages before `first`) first, then the child's new ones in the order the child met them;
- the marked boxes are named by their position in the page's box tree, the same tree in
  both processes (the child is a fork of the laid-out document);
- the stream bytes are checked again when pydyf writes them (weasy_deflate).

Used for a tagged, compressed write (not watch's preview, which pressroom/weasy_parallel.py
splits at layout) of at least MIN_PAGES pages, when a second core is free; switched as
weasy_parallel is (PRESSROOM_PARALLEL=0 never, =1 always). Registered in weasy_patch.py
(group "fast")."""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import Any

from . import weasy_deflate
from .process import die_with_parent

MIN_PAGES = 40  # shorter writes are drawn by one process: the fork costs more than it saves
_RESOURCES = ("ExtGState", "XObject", "Pattern", "Shading")

# Writes whose second half the child drew ("split"), drawn whole by the parent because the
# child refused ("refused"); the last refusal's reason, for the tests and the bench.
paint_counts = {"split": 0, "refused": 0}
last_refusal: list[str] = []


@dataclass
class _Plan:
    """A write in progress whose pages from `first` on are drawn by the child at `pid`."""

    first: int
    pages: dict[int, int]  # id(page) -> its number
    pid: int
    reader: Connection
    wait: bool  # PRESSROOM_PARALLEL=1: wait for the child rather than draw its pages here
    found: dict[str, Any] | None = None  # what the child sent, once received
    refused: bool = False


@dataclass
class _Page:
    """A page the child drew: its stream's opening, its operators (bytes, and group names),
    the groups and alpha states it added, its marked boxes, the stream's bytes and their
    compression (None when the parent must name groups and compress again)."""

    opening: bytes
    parts: list[bytes | str]
    groups: list[tuple[str, Any]]
    alphas: list[tuple[str, str, Any]]
    tagged: list[tuple[int, str, int]]
    raw: bytes
    compressed: bytes | None


_current = threading.local()  # .plan: the write in progress on this thread


def _mode() -> str:
    from .weasy_parallel import mode

    return mode()


def _wanted(document: Any, options: dict[str, Any]) -> bool:
    """Whether this write is long, tagged and compressed, and a core is free for a child."""
    from .weasy_parallel import core_free

    mode = _mode()
    return (
        mode != "off"
        and len(document.pages) >= MIN_PAGES
        and bool(options.get("pdf_variant"))
        and not options.get("uncompressed_pdf")
        and not options.get("output_intent")
        and not document.fonts
        and weasy_deflate.real_zlib()
        and hasattr(os, "fork")
        and _alone()
        and (mode == "on" or core_free())
    )


def _alone() -> bool:
    """Whether no other thread runs Python here (but weasy_deflate's): a thread inside Pango or
    fontconfig at the fork would leave its locks held in the child."""
    current = threading.current_thread()
    return all(
        thread is current or thread.name.startswith(weasy_deflate.THREAD)
        for thread in threading.enumerate()
    )


def wrap_generate_pdf(original: Callable[..., Any]) -> Callable[..., Any]:
    """`generate_pdf` that forks a child to draw the second half of a long tagged write."""

    def generate_pdf(document: Any, target: Any, zoom: float, **options: Any) -> Any:
        if getattr(_current, "plan", None) is not None or not _wanted(document, options):
            return original(document, target, zoom, **options)
        plan = _fork(document, zoom, options)
        _current.plan = plan
        try:
            return original(document, target, zoom, **options)
        finally:
            _current.plan = None
            _finish(plan)

    return generate_pdf


def _fork(document: Any, zoom: float, options: dict[str, Any]) -> _Plan:
    import weasyprint.document

    paint = weasyprint.document.Page.paint
    while hasattr(paint, "__wrapped__"):  # WeasyPrint's own, not this module's wrap
        paint = paint.__wrapped__
    first = len(document.pages) // 2
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: draw, send, and leave without running the parent's exit code
        code = 0
        try:
            die_with_parent()
            reader.close()
            writer.send_bytes(pickle.dumps(_draw(document, first, zoom, options, paint), -1))
        except BaseException:  # whatever happened: no pages, and the parent draws them
            code = 1
        finally:
            os._exit(code)
    writer.close()
    pages = {id(page): number for number, page in enumerate(document.pages)}
    return _Plan(first, pages, pid, reader, wait=_mode() == "on")


def _finish(plan: _Plan) -> None:
    """Reap the child (stopped first if the write ended before its pages were taken)."""
    import signal

    plan.reader.close()
    try:
        if plan.found is None:
            os.kill(plan.pid, signal.SIGKILL)
        os.waitpid(plan.pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _boxes(page_box: Any) -> Iterator[Any]:
    """Every box of a page, in tree order (the same order in the parent and the child)."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        yield box
        children = getattr(box, "children", None)
        if children:
            stack.extend(reversed(children))


def _draw(
    document: Any, first: int, zoom: float, options: dict[str, Any], paint: Any
) -> dict[str, Any]:
    """In the child: pages `first..` drawn as generate_pdf draws them, or why not."""
    import pydyf

    scale = zoom * 0.75
    resources = pydyf.Dictionary({key: pydyf.Dictionary() for key in _RESOURCES})
    resources["ColorSpace"] = _SharedColorSpace()  # copied into groups; the parent's put back
    images: dict[str, Any] = {}
    missing = {key: dict(font.missing) for key, font in document.fonts.items()}
    pages = []
    for page in document.pages[first:]:
        if any(page.forms.values()):
            return {"refused": "a page has form fields"}
        stream = _stream(document, page, scale, resources, images)
        opening, mark = weasy_deflate.serialized(stream), len(stream.stream)
        groups, states = len(resources["XObject"]), len(resources["ExtGState"])
        paint(page, stream, scale)
        drawn = _drawn(page, stream, opening, mark, resources, images, groups, states)
        if isinstance(drawn, str):
            return {"refused": drawn}
        pages.append(drawn)
    fonts = []
    for key, font in document.fonts.items():
        if font.missing != missing.get(key, {}) or font.used_in_forms:
            return {"refused": "a glyph missing from its font"}
        fonts.append((key, list(font.widths.items()), list(font.to_unicode.items())))
    return {"pages": pages, "fonts": fonts, "first": first}


def _drawn(
    page: Any,
    stream: Any,
    opening: bytes,
    mark: int,
    resources: Any,
    images: Any,
    groups: int,
    states: int,
) -> _Page | str:
    """What the child sends of a page it has painted, or why it refuses."""
    if images or resources["Pattern"] or resources["Shading"]:
        return "a page uses an image, a pattern or a shading"
    made = _groups(list(resources["XObject"].items())[groups:])
    if isinstance(made, str):
        return made
    alphas = _alphas(list(resources["ExtGState"].items())[states:])
    if isinstance(alphas, str):
        return alphas
    where = {id(box): i for i, box in enumerate(_boxes(page._page_box))}
    tagged = []
    for box, tag in stream._tags.items():
        if id(box) not in where:
            return "a marked box is not in its page's box tree"
        tagged.append((where[id(box)], tag["tag"], tag["mcid"]))
    parts = _parts(stream.stream[mark:], {name for name, _ in made})
    raw = weasy_deflate.serialized(stream)
    if raw != b"\n".join(([opening] if mark else []) + [_as_bytes(p) for p in parts]):
        return "painting changed the stream's opening operators"
    compressed = None if made else weasy_deflate.deflate(raw)  # groups are renamed: not yet
    return _Page(opening, parts, made, alphas, tagged, raw, compressed)


class _SharedColorSpace:
    """Stands, in the child's groups, for the parent's colour-space reference."""


def _groups(added: list[tuple[str, Any]]) -> list[tuple[str, Any]] | str:
    """The XObjects a page added to the shared resources, all transparency groups (opacity,
    gradients): (name, the group as plain pydyf objects), or why not."""
    import pydyf

    found = []
    memo: dict[int, Any] = {}
    for name, group in added:
        if not isinstance(group, pydyf.Stream) or "Group" not in group.extra:
            return "a page adds an image or an XObject other than a transparency group"
        plain = _plain(group, memo)
        if plain is None:
            return "a page's group holds an object the child cannot send"
        found.append((name, plain))
    return found


def _plain(value: Any, memo: dict[int, Any]) -> Any:
    """`value` as plain pydyf objects, streams serialized (shared objects stay shared: a mask's
    group is also in its resources), or None for an object that is not plain."""
    import pydyf
    from weasyprint.pdf.stream import Stream

    if isinstance(value, bytes | str | int | float | bool | pydyf.String) or value is None:
        return value
    if isinstance(value, _SharedColorSpace):
        return value
    if id(value) in memo:
        return memo[id(value)]
    plain: Any
    if isinstance(value, pydyf.Stream) and type(value) in (Stream, pydyf.Stream):
        plain = memo[id(value)] = pydyf.Stream(compress=value.compress)
        plain.stream = [weasy_deflate.serialized(value)] if value.stream else []
        plain.extra = _plain(value.extra, memo)
        return None if plain.extra is None else plain
    if type(value) in (pydyf.Dictionary, dict):
        plain = memo[id(value)] = type(value)()
        for key, item in value.items():
            plain[key] = _plain(item, memo)
            if plain[key] is None and item is not None:
                return None
        return plain
    if type(value) in (pydyf.Array, list, tuple):
        items = [_plain(item, memo) for item in value]
        if any(i is None and v is not None for i, v in zip(items, value, strict=True)):
            return None
        plain = memo[id(value)] = type(value)(items)
        return plain
    return None


def _restored(value: Any, space: Any, memo: dict[int, Any]) -> Any:
    """A group sent by the child with the parent's colour-space reference put back."""
    if isinstance(value, _SharedColorSpace):
        return space
    if id(value) in memo:
        return memo[id(value)]
    memo[id(value)] = value
    import pydyf

    if isinstance(value, pydyf.Stream):
        value.extra = _restored(value.extra, space, memo)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = _restored(item, space, memo)
    elif isinstance(value, list):
        value[:] = [_restored(item, space, memo) for item in value]
    return value


def _alphas(added: list[tuple[str, Any]]) -> list[tuple[str, str, Any]] | str:
    """The alpha states a page added, named by their value: (name, key, alpha), or why not."""
    found = []
    for name, state in added:
        keys = list(state)
        prefix = {"ca": "a", "CA": "A"}.get(keys[0]) if len(keys) == 1 else None
        if prefix is None or name != f"{prefix}{state[keys[0]]}":
            return "a page adds a graphics state other than an alpha"
        found.append((name, keys[0], state[keys[0]]))
    return found


def _parts(items: list[Any], groups: set[str]) -> list[bytes | str]:
    """A page's operators as runs of bytes, and the names of the groups it draws (`/x3 Do`,
    named by the child: the parent names them again)."""
    import pydyf

    parts: list[bytes | str] = []
    run: list[bytes] = []
    for item in items:
        data = pydyf._to_bytes(item)
        name = data[1:-3].decode("latin-1") if data.endswith(b" Do") else None
        if name in groups:
            if run:
                parts.append(b"\n".join(run))
                run = []
            parts.append(name)
        else:
            run.append(data)
    if run:
        parts.append(b"\n".join(run))
    return parts


def _as_bytes(part: bytes | str, names: dict[str, str] | None = None) -> bytes:
    """A part as the stream's bytes: a group's Do under its name (`names`: the parent's)."""
    if isinstance(part, bytes):
        return part
    return b"/" + (names or {}).get(part, part).encode("latin-1") + b" Do"


def _stream(document: Any, page: Any, scale: float, resources: Any, images: Any) -> Any:
    """A page's content stream as WeasyPrint 70.0's generate_pdf makes it before painting."""
    from weasyprint.pdf.stream import Stream

    left = -scale * page.bleed["left"]
    top = -scale * page.bleed["top"]
    width = scale * (page.width + page.bleed["left"] + page.bleed["right"])
    height = scale * (page.height + page.bleed["top"] + page.bleed["bottom"])
    rectangle = (left / scale, top / scale, width / scale, height / scale)
    stream = Stream(
        document.fonts,
        rectangle,
        resources,
        images,
        {},
        document.color_profiles,
        document.output_intent,
        compress=True,
    )
    stream.transform(d=-1, f=(page.height * scale))
    return stream


def wrap_paint(original: Callable[..., Any]) -> Callable[..., Any]:
    """`Page.paint` that takes the child's drawing of a page from `first` on."""

    def paint(page: Any, stream: Any, scale: float = 1) -> Any:
        plan: _Plan | None = getattr(_current, "plan", None)
        number = None if plan is None else plan.pages.get(id(page))
        if plan is None or plan.refused or number is None or number < plan.first:
            return original(page, stream, scale)
        if plan.found is None:
            if not plan.wait and not plan.reader.poll(0):  # not done: this page drawn here
                return original(page, stream, scale)
            plan.found = _receive(plan)
            reason = _refusal(plan, stream)
            if reason is not None:
                plan.refused = True
                paint_counts["refused"] += 1
                last_refusal[:] = [reason]
                return original(page, stream, scale)
            _merge_fonts(stream._fonts, plan.found["fonts"])
            paint_counts["split"] += 1
        drawn: _Page = plan.found["pages"][number - plan.first]
        if weasy_deflate.serialized(stream) != drawn.opening:  # another opening: drawn here
            return original(page, stream, scale)
        _take(page, stream, drawn)
        return None

    return paint


def _receive(plan: _Plan) -> dict[str, Any]:
    try:
        found: dict[str, Any] = pickle.loads(plan.reader.recv_bytes())
    except (EOFError, OSError):
        return {"refused": "the child drawing the second half stopped"}
    return found


def _refusal(plan: _Plan, stream: Any) -> str | None:
    """Why the child's pages cannot be taken, or None."""
    found = plan.found or {}
    if "refused" in found:
        return str(found["refused"])
    if found.get("first") != plan.first or len(found["pages"]) != len(plan.pages) - plan.first:
        return "the child drew other pages"
    if stream._tags is None or stream._tags:
        return "the page is not a fresh tagged stream"
    fonts = stream._fonts
    if any(key not in fonts for key, _, _ in found["fonts"]):
        return "the second half uses a font the first half does not"
    return None


def _merge_fonts(fonts: dict[Any, Any], found: list[tuple[Any, list[Any], list[Any]]]) -> None:
    """The child's glyph widths and Unicode text after the parent's, as one process adds them."""
    for key, widths, to_unicode in found:
        font = fonts[key]
        for glyph, width in widths:
            font.widths.setdefault(glyph, width)
        for glyph, text in to_unicode:
            font.to_unicode.setdefault(glyph, text)


def _take(page: Any, stream: Any, drawn: _Page) -> None:
    """The child's drawing of a page put into the parent's stream, as painting it would: the
    alpha states and groups added to the shared resources (groups named here, in order), the
    operators, the marked boxes."""
    import pydyf

    states = stream._resources["ExtGState"]
    for name, key, alpha in drawn.alphas:
        states.setdefault(name, pydyf.Dictionary({key: alpha}))
    names: dict[str, str] = {}
    memo: dict[int, Any] = {}
    shared = stream._resources["XObject"]
    for name, group in drawn.groups:  # named as Stream.add_group names them, in order
        names[name] = f"x{len(shared)}"
        shared[names[name]] = _restored(group, stream._resources["ColorSpace"], memo)
    stream.stream.extend(_as_bytes(part, names) for part in drawn.parts)
    boxes = list(_boxes(page._page_box))
    for index, tag, mcid in drawn.tagged:
        stream._tags[boxes[index]] = {"tag": tag, "mcid": mcid}
    if drawn.compressed is not None:
        weasy_deflate.adopt(stream, drawn.raw, drawn.compressed)
