"""Preflight's word counts, part by part, on the cases of tests/unit/cases/wordcount.yaml."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pressroom.preflight import CONVENTION, abstract_counts, count

from .conftest import cases

CASES = cases("wordcount")


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_counts_by_part(case: dict[str, Any]) -> None:
    # count() reads the cited document's AST and nothing else.
    cited = SimpleNamespace(ast=case["ast"])
    got = count(cited)  # type: ignore[arg-type]
    want = {"body": 0, "notes": 0, "bibliography": 0, "abstract": 0, "abstract_characters": 0}
    assert vars(got) == {**want, **case["counts"]}
    if "abstract_counts" in case:
        assert list(abstract_counts(cited)) == case["abstract_counts"]  # type: ignore[arg-type]


def test_the_report_states_the_convention() -> None:
    assert CONVENTION.startswith("Words are runs of letters or digits between spaces")
