"""Staleness decisions, in-process: what counts as changed, and that deciding writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

from pressroom.depfile import write_record
from pressroom.freshness import check, refresh


def _made(tmp_path: Path) -> tuple[Path, Path, Path]:
    build = tmp_path / "build"
    source = tmp_path / "paper.md"
    source.write_text("text")
    output = build / "paper.html"
    build.mkdir()
    output.write_text("out")
    write_record(build, output, [source])
    old = output.stat().st_mtime_ns - 10_000_000_000
    os.utime(source, ns=(old, old))
    return build, source, output


def test_current_when_nothing_changed(tmp_path: Path) -> None:
    build, _source, output = _made(tmp_path)
    assert check(build, output) == (True, False)


def test_stale_when_content_changed(tmp_path: Path) -> None:
    build, source, output = _made(tmp_path)
    source.write_text("new text")
    later = output.stat().st_mtime_ns + 1_000_000_000
    os.utime(source, ns=(later, later))
    assert check(build, output) == (False, False)


def test_saved_again_unchanged_is_current_and_deciding_writes_nothing(tmp_path: Path) -> None:
    build, source, output = _made(tmp_path)
    later = output.stat().st_mtime_ns + 1_000_000_000
    os.utime(source, ns=(later, later))
    before = output.stat().st_mtime_ns
    assert check(build, output) == (True, True)
    assert output.stat().st_mtime_ns == before, "check() must not touch the output"
    refresh([output])
    assert output.stat().st_mtime_ns > before


def test_missing_output_record_or_input(tmp_path: Path) -> None:
    build, source, output = _made(tmp_path)
    source.unlink()
    assert check(build, output)[0] is False
    assert check(build, build / "nothing.pdf") == (False, False)
    (build / "orphan.pdf").write_text("x")
    assert check(build, build / "orphan.pdf") == (False, False), "no record: stale"
