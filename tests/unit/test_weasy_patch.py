"""The WeasyPrint patches: applied by editing the parsed source, at block.py's real lines, and
reported by name when one does not fit."""

from __future__ import annotations

import dis
import inspect
import linecache
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from weasyprint.layout import block

from pressroom import weasy, weasy_patch

NOTE_HTML = "<p>Text.</p>"


@pytest.fixture
def restore_patches() -> Iterator[None]:
    """Leave the registry and the installed patches as the build has them."""
    registry = list(weasy_patch.REGISTRY)
    yield
    weasy_patch.REGISTRY[:] = registry
    weasy_patch.configure()


def test_the_notes_patch_applies_to_the_pinned_weasyprint() -> None:
    assert weasy_patch.apply() == []
    assert "keep-notes-with-calls" in weasy_patch.applied()
    assert (
        block._linebox_layout
        is not weasy_patch._originals[("weasyprint.layout.block", "_linebox_layout")]
    )


def test_patched_code_carries_block_py_real_lines() -> None:
    weasy_patch.apply()
    code = inspect.unwrap(block._linebox_layout).__code__  # under the wrapping patches
    original = weasy_patch._originals[("weasyprint.layout.block", "_linebox_layout")]
    assert code.co_filename == block.__file__
    assert code.co_firstlineno == original.__code__.co_firstlineno
    stores = [i for i in dis.get_instructions(code) if i.opname == "STORE_FAST"]
    report = [i for i in stores if i.argval == "report"]
    assert len(report) == 1
    line = linecache.getline(block.__file__, report[0].positions.lineno)
    assert "report = not context.in_column" in line, "the replaced node keeps its own line"
    # Every line of the patched code is the same line of block.py as in the original.
    assert {ln for _, _, ln in code.co_lines()} == {ln for _, _, ln in original.__code__.co_lines()}


def test_a_traceback_through_the_patch_points_at_block_py() -> None:
    weasy_patch.apply()
    box = SimpleNamespace(children=[1, 2])  # two children: the function's first assertion
    with pytest.raises(AssertionError) as caught:
        block._linebox_layout(
            None, box, 0, None, [], True, [], [], [], 0, 0, None, None, None, False, None
        )
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert frame.filename == block.__file__
    assert "assert len(box.children) == 1" in (frame.line or "")


def test_a_patch_whose_node_is_absent_is_skipped_and_named(
    restore_patches: None, tmp_path: Path
) -> None:
    # The real mechanism on a real WeasyPrint function that has no `report = ...`.
    weasy_patch.register(
        weasy_patch.SourcePatch(
            name="report-in-the-wrong-place",
            module="weasyprint.layout.block",
            target="block_container_layout",
            version=weasy_patch.WEASYPRINT,
            group=weasy_patch.NOTES,
            transform=weasy_patch.REGISTRY[0].transform,  # type: ignore[attr-defined]
        )
    )
    skipped = weasy_patch.configure()
    assert [s.name for s in skipped] == ["report-in-the-wrong-place"]
    assert "no single `report = ...`" in skipped[0].reason
    assert (
        block.block_container_layout
        is weasy_patch._originals[("weasyprint.layout.block", "block_container_layout")]
    ), "a patch that does not fit leaves its target as WeasyPrint defined it"
    assert "keep-notes-with-calls" in weasy_patch.applied(), "the other patches still apply"
    warnings = weasy.layout(NOTE_HTML, tmp_path, [tmp_path]).warnings
    assert [(w.kind, "report-in-the-wrong-place" in w.message) for w in warnings] == [
        ("pdf.patch-skipped", True)
    ]


def test_a_patch_for_another_release_is_skipped(restore_patches: None) -> None:
    weasy_patch.register(
        weasy_patch.WrapPatch(
            name="for-an-old-release",
            module="weasyprint.layout.block",
            target="block_container_layout",
            version=("weasyprint", "69.0"),
            group=weasy_patch.FAST,
            wrap=lambda original: None,
        )
    )
    skipped = weasy_patch.configure()
    assert [(s.name, s.reason) for s in skipped] == [
        ("for-an-old-release", "written for 69.0, found 70.0")
    ]
    assert inspect.isfunction(block.block_container_layout)


def test_switched_off_weasyprint_runs_as_released(restore_patches: None) -> None:
    weasy_patch.configure(enabled=False)
    assert weasy_patch.applied() == []
    assert (
        block._linebox_layout
        is weasy_patch._originals[("weasyprint.layout.block", "_linebox_layout")]
    )
    weasy_patch.configure()
    assert "keep-notes-with-calls" in weasy_patch.applied()
