"""A page's content stream compressed on a thread while WeasyPrint draws the next pages.

pydyf compresses each content stream (zlib, level 9) when the PDF is finally written, one
after the other on the thread that drew them, after every page is drawn: about 1.5 s of a
tagged write at 300 pages, none of it overlapped with anything. zlib releases the GIL while it
compresses, so here, as soon as a page is painted (`Page.paint`), its stream is serialized
on the drawing thread and the bytes are handed to one worker thread to compress at the same
level with the same settings, while the drawing thread goes on to the next page.

When pydyf asks for the stream's data (`Stream.data`), it is serialized again, and the
compressed bytes are used only if the serialization is the same as the one compressed: the
same input to the same deflate gives the same output, so the PDF is the same, byte for byte
(tests/test_weasy_fast.py). A stream changed after its page was painted, a stream whose
page was not painted through `Page.paint`, and any write whose pydyf is not using the real
`zlib` module (a preview's fast compression) are compressed by pydyf's own code, as released.
Registered in weasy_patch.py (group "fast")."""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

THREAD = "pressroom-deflate"  # the worker thread's name
_LEVEL = 9  # pydyf 0.13.0's Stream.data: zlib.compressobj(level=9)
_DEFLATED = "_pressroom_deflated"  # on a Stream: (serialized bytes, their compression)

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None  # (pid that made it, the pool)

# Streams written from the worker's compression ("used"), or by pydyf because they changed
# after their page was painted ("changed"), for the tests.
deflate_counts = {"used": 0, "changed": 0}


def _worker() -> ThreadPoolExecutor:
    """The compressing thread of this process (a forked child makes its own: the parent's
    thread does not exist in it)."""
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():  # (the pid: a child made by os.fork)
            _pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix=THREAD))
        return _pool[1]


def _forget_in_child() -> None:
    """A forked child starts without the parent's pool or lock (another thread may have held
    the lock at the fork)."""
    global _lock, _pool
    _lock, _pool = threading.Lock(), None


os.register_at_fork(after_in_child=_forget_in_child)


def deflate(raw: bytes) -> bytes:
    """`raw` compressed exactly as pydyf's Stream.data compresses a stream."""
    compressor = zlib.compressobj(level=_LEVEL)
    return compressor.compress(raw) + compressor.flush()


def serialized(stream: Any) -> bytes:
    """The stream's content as pydyf's Stream.data serializes it before compressing."""
    import pydyf

    to_bytes = pydyf._to_bytes
    return b"\n".join(to_bytes(item) for item in stream.stream)


def real_zlib() -> bool:
    """Whether pydyf compresses with the real zlib module (not a preview's fast one)."""
    import pydyf

    return pydyf.zlib is zlib


def wrap_paint(original: Callable[..., Any]) -> Callable[..., Any]:
    """`Page.paint` that, once the page is painted, has its stream compressed on the worker."""

    def paint(page: Any, stream: Any, scale: float = 1) -> Any:
        result = original(page, stream, scale)
        if _DEFLATED in stream.__dict__:  # drawn and compressed elsewhere (weasy_paint)
            return result
        if getattr(stream, "compress", False) and real_zlib():
            raw = serialized(stream)
            future: Future[bytes] = _worker().submit(deflate, raw)
            stream.__dict__[_DEFLATED] = (raw, future)
        return result

    return paint


def adopt(stream: Any, raw: bytes, compressed: bytes) -> None:
    """Let `stream` be written as `compressed` if it serializes to `raw` (compressed elsewhere:
    pressroom/weasy_paint.py's child)."""
    future: Future[bytes] = Future()
    future.set_result(compressed)
    stream.__dict__[_DEFLATED] = (raw, future)


def wrap_stream_data(original: property) -> property:
    """pydyf's `Stream.data` that takes the worker's compression when the stream serializes to
    the bytes that were compressed, and is pydyf's own otherwise."""
    released = original.fget
    assert released is not None

    def data(stream: Any) -> bytes:
        import pydyf

        found = stream.__dict__.get(_DEFLATED)
        if found is None or not stream.compress or not real_zlib():
            return released(stream)
        raw, future = found
        if serialized(stream) != raw:  # changed after its page was painted
            deflate_counts["changed"] += 1
            return released(stream)
        compressed = future.result()
        deflate_counts["used"] += 1
        extra = pydyf.Dictionary(stream.extra.copy())
        extra["Filter"] = "/FlateDecode"
        extra["Length"] = len(compressed)
        return b"\n".join((extra.data, b"stream", compressed, b"endstream"))

    return property(data, doc=original.__doc__)
