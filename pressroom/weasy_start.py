"""WeasyPrint's import, with the library names it looks for in vain remembered between runs.

WeasyPrint 70 opens each of its C libraries (GObject, Pango, HarfBuzz, fontconfig, PangoFT2) by
trying several names in turn, Windows' and macOS's first. cffi hands every name it cannot open
directly to `ctypes.util.find_library`, which on Linux runs ldconfig, then gcc and ld to link
against it: about fifteen look-ups that find nothing, 0.1-0.3 s of CPU in each cold start (the
bare `weasyprint` command pays them too). A name found missing is kept in the user's cache
($XDG_CACHE_HOME/pressroom/, else ~/.cache/pressroom/) for this system: the dynamic linker's
cache file and the search paths as they were (a library installed since changes the first; a
changed path, the second). Only misses are kept: every name that is found is looked up again,
so which library is loaded is decided as WeasyPrint decides it. The C types every layout asks
for are parsed then too (weasy_ctypes.py), and fontTools' subsetter, which WeasyPrint imports
for systems without HarfBuzz's, is loaded only if it is used. PRESSROOM_WEASYPRINT_FAST=0
imports WeasyPrint as shipped."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import weasy_ctypes

CACHE_NAME = "weasyprint-libraries.json"
KEPT = 8  # systems (fingerprints) kept in the file
# What a look-up's answer depends on, besides the files themselves: ctypes' own search (the
# dynamic linker's cache, gcc's and ld's paths) and the programs it runs (PATH).
SEARCH_PATHS = ("LD_LIBRARY_PATH", "LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PATH")
LINKER_CACHE = Path("/etc/ld.so.cache")
# WeasyPrint 70's pdf/fonts.py imports fontTools' subsetter (0.03-0.06 s) for a system without
# HarfBuzz's (its `_fonttools_subset`); it is loaded only if that runs.
UNUSED = "fontTools.subset"


def load() -> None:
    """`import weasyprint` (once per process), asking about no library name this system was
    seen to lack, and loading fontTools' subsetter only if it is used."""
    if "weasyprint" in sys.modules or os.environ.get("PRESSROOM_WEASYPRINT_FAST", "1") == "0":
        return
    import ctypes.util

    on_first_use(UNUSED)

    path = cache_file()
    system = fingerprint()
    known = read(path, system)
    missing: set[str] = set()
    real = ctypes.util.find_library
    ctypes.util.find_library = remembering(real, known, missing)  # type: ignore[assignment]
    try:
        import weasyprint  # noqa: F401  (what the caller imports next)
    finally:
        ctypes.util.find_library = real
    if path is not None and not missing <= known:
        write(path, system, known | missing)
    weasy_ctypes.parse_ahead()


def on_first_use(name: str) -> None:
    """Module `name` imported so that it loads when an attribute of it is first read (Python's
    LazyLoader), as a package's submodule; nothing if it is loaded, or not installed."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    package, _, child = name.rpartition(".")
    setattr(sys.modules[package], child, module)


def remembering(
    find: Callable[[str], str | None], known: set[str], missing: set[str]
) -> Callable[[str], str | None]:
    """`find` (ctypes.util.find_library), answering None at once for the names in `known`;
    each name it finds nothing for is added to `missing`."""

    def find_library(name: str) -> str | None:
        if name in known:
            return None
        found = find(name)
        if found is None:
            missing.add(name)
        return found

    return find_library


def cache_file() -> Path | None:
    """Where the names are kept; None where there is no home folder to keep them in."""
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home folder known
        return None
    return root / "pressroom" / CACHE_NAME


def fingerprint() -> list[str]:
    """This system as a library look-up sees it."""
    try:
        stat = LINKER_CACHE.stat()
        linker = f"{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        linker = ""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return [sys.platform, version, linker, *(os.environ.get(v, "") for v in SEARCH_PATHS)]


def read(path: Path | None, system: list[str]) -> set[str]:
    """The names kept for `system`; none where the file is missing or unreadable."""
    for entry in _entries(path):
        if entry.get("system") == system:
            names = entry.get("missing")
            return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
    return set()


def write(path: Path, system: list[str], missing: set[str]) -> None:
    """Keep `missing` for `system` beside the other systems' (the newest KEPT: a shell, make
    and an editor's terminal may each have their own PATH), replacing the file whole; a cache
    that cannot be written is only slower."""
    others = [e for e in _entries(path) if e.get("system") != system]
    entries = [{"system": system, "missing": sorted(missing)}, *others][:KEPT]
    part = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(entries, indent=1), "utf-8")
        os.replace(part, path)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


def _entries(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
