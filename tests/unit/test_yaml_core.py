"""YAML 1.2 core semantics (issue 16, item 4): what PyYAML's YAML 1.1 would silently change
stays as written."""

from __future__ import annotations

import pytest

from pressroom import yamlio


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10:30", "10:30"),  # 1.1: 630 (sexagesimal)
        ("12:30:45", "12:30:45"),  # 1.1: 45045
        ("NO", "NO"),  # 1.1: False (a country code)
        ("yes", "yes"),
        ("off", "off"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("010", 10),  # 1.1: 8 (octal)
        ("0o17", 15),
        ("0x1F", 31),
        ("-3", -3),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("2026-06-05", "2026-06-05"),  # dates stay text
    ],
)
def test_scalars_read_as_yaml_1_2_core(text: str, value: object) -> None:
    got = yamlio.loads(f"key: {text}\n", "m.yaml")["key"]
    assert got == value and type(got) is type(value)


def test_merge_keys_still_work() -> None:
    data = yamlio.loads("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n", "m.yaml")
    assert data["c"] == {"b": 1, "d": 2}
