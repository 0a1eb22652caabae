"""pandoc's limits name the document it was reading (issue 16, item 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom import pandoc
from pressroom.errors import PressroomError

TEXT = ("A paragraph of words, *emphasis* and [a link](#x).\n\n" * 20000).encode()


def test_out_of_memory_names_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc, "HEAP", "-M8m")  # a real pandoc, with a small heap
    with pytest.raises(PressroomError) as caught:
        pandoc.run(["-f", "markdown", "-t", "json"], TEXT, Path("paper.md"))
    assert (caught.value.path, caught.value.kind) == (Path("paper.md"), "limit.memory")


def test_a_timeout_names_the_document_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc, "TIMEOUT", 0.01)
    with pytest.raises(PressroomError) as caught:
        pandoc.run_many([(["-f", "markdown", "-t", "html"], TEXT)], Path("paper.md"))
    assert (caught.value.path, caught.value.kind) == (Path("paper.md"), "pandoc.timeout")
    assert "PRESSROOM_PANDOC_TIMEOUT" in caught.value.message
