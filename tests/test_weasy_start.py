"""WeasyPrint's import with the library names it looks for in vain remembered between runs
(pressroom/weasy_start.py): the same libraries loaded, the vain look-ups made once; fontTools'
subsetter loaded on first use."""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pressroom import weasy_start

# In a fresh process: count ctypes' look-ups, import WeasyPrint as pressroom does, and report
# the look-ups made and the shared libraries WeasyPrint has loaded.
IMPORT = """
import ctypes.util, json, sys
asked = []
real = ctypes.util.find_library
def counting(name):
    asked.append(name)
    return real(name)
ctypes.util.find_library = counting
import pressroom.weasy
libraries = sorted({
    line.split()[-1] for line in open("/proc/self/maps")
    if any(n in line for n in ("gobject", "pango", "harfbuzz", "fontconfig"))
})
subset = type(sys.modules["fontTools.subset"]).__name__
import weasyprint.pdf.fonts
assert weasyprint.pdf.fonts.subset.Options  # loads on first use
print(json.dumps({"asked": asked, "libraries": libraries, "subset": subset}))
"""


def fresh_import(cache: Path, **env: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), **env},
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_a_second_import_skips_the_names_found_missing_and_loads_the_same_libraries(
    tmp_path: Path,
) -> None:
    first = fresh_import(tmp_path)
    kept = tmp_path / "pressroom" / weasy_start.CACHE_NAME
    (entry,) = json.loads(kept.read_text("utf-8"))
    missing = entry["missing"]
    assert missing, "WeasyPrint 70 tries Windows' library names first: some are missing here"
    assert set(missing) <= set(first["asked"])
    second = fresh_import(tmp_path)
    assert second["asked"] == [n for n in first["asked"] if n not in missing]
    assert second["libraries"] == first["libraries"]
    assert any("pango" in path for path in second["libraries"])
    assert second["subset"] == "_LazyModule"  # fontTools' subsetter: loaded when used


def test_weasyprint_as_shipped_keeps_nothing(tmp_path: Path) -> None:
    shipped = fresh_import(tmp_path, PRESSROOM_WEASYPRINT_FAST="0")
    assert not (tmp_path / "pressroom").exists()
    assert shipped["subset"] == "module"


def test_names_kept_for_another_system_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / weasy_start.CACHE_NAME
    here = weasy_start.fingerprint()
    elsewhere = [*here[:-1], here[-1] + ":/opt/other/bin"]  # another PATH
    weasy_start.write(path, elsewhere, {"libpango-1.0-0"})
    assert weasy_start.read(path, here) == set()
    assert weasy_start.read(path, elsewhere) == {"libpango-1.0-0"}
    weasy_start.write(path, here, {"gobject-2.0-0"})  # both kept, the newest first
    assert weasy_start.read(path, elsewhere) == {"libpango-1.0-0"}
    assert weasy_start.read(path, here) == {"gobject-2.0-0"}
    path.write_text("{not json", "utf-8")
    assert weasy_start.read(path, here) == set()


def test_a_kept_name_is_not_looked_up_and_a_found_one_is_never_kept() -> None:
    missing: set[str] = set()
    find = weasy_start.remembering(ctypes.util.find_library, {"c"}, missing)
    assert find("c") is None  # kept as missing: not asked (libc is there)
    assert find("m") is not None  # libm: found, so not kept
    assert find("pressroom-no-such-library") is None
    assert missing == {"pressroom-no-such-library"}
