"""The unit ring: pressroom's modules called in-process on small files, no build, no subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under `root`; return `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A minimal project: metadata, one paper, one library."""
    return write(
        tmp_path / "p",
        {
            "manuscript/metadata.yaml": "title: A Paper\nlang: en-US\n",
            "manuscript/paper.md": "# One\n\nText.\n",
            "references/library.yaml": "- id: doe2000\n  type: book\n  title: A Book\n",
        },
    )


CASES = Path(__file__).resolve().parent / "cases"


def cases(name: str) -> list[dict[str, Any]]:
    """The cases of tests/unit/cases/NAME.yaml, each with its `ast`: pandoc's JSON AST of its
    `markdown`, as the pinned pandoc wrote it into NAME.pandoc-VERSION.json (a golden file that
    tests/test_golden.py keeps true, so that this ring need not run pandoc)."""
    listed = yaml.safe_load((CASES / f"{name}.yaml").read_text("utf-8"))
    (stored,) = CASES.glob(f"{name}.pandoc-*.json")
    asts = json.loads(stored.read_text("utf-8"))
    return [{**case, "ast": asts[case["case"]]} for case in listed]


def ast(name: str) -> dict[str, Any]:
    """The AST of the one case in tests/unit/cases/NAME.yaml."""
    (case,) = cases(name)
    result: dict[str, Any] = case["ast"]
    return result
