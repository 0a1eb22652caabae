"""Issue 6: random Markdown, front matter and reference data through the config, assemble and
cite stages, in-process. A PressroomError is a clean answer; any other exception is a bug."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import PressroomError

from .conftest import PROJECTS

SETTINGS = settings(
    max_examples=int(os.environ.get("PRESSROOM_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Markdown, Jinja and pandoc syntax, some text, and a few awkward characters.
MARKUP = st.sampled_from(
    [
        *"#*_`[]()!@^{}%<>|:-=~\\\"' \n\t",
        "{{",
        "}}",
        "{%",
        "%}",
        "{##",
        "##}",
        "[@",
        "@rubinstein1987",
        "[^1]",
        "[^1]:",
        ":::",
        "<div>",
        "</div>",
        "{#x}",
        "\n\n",
        "```",
        "|---|",
        "---\n",
        "\x00",
        "\u200b",
        "日本",
    ]
)
MARKDOWN = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=40).map("".join)
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "title",
            "subtitle",
            "lang",
            "authors",
            "formats",
            "number-sections",
            "label",
            "conference",
            "keywords",
            "paper-size",
            "date",
            "limits",
            "blind",
        ]
    ),
    st.text(min_size=1, max_size=10),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)
CSL_KEYS = st.sampled_from(
    [
        "id",
        "type",
        "title",
        "author",
        "editor",
        "issued",
        "accessed",
        "publisher",
        "URL",
        "container-title",
        "page",
        "note",
        "date-parts",
        "family",
        "given",
        "literal",
        "raw",
    ]
)
CSL_VALUE = st.recursive(
    st.one_of(SCALAR, st.sampled_from(["report", "book", "1987-10-26", "1987-13", "2/30"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(CSL_KEYS, inner, max_size=4),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def project_dir() -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix="pressroom-props-"))
    target = work / "p"
    shutil.copytree(PROJECTS / "hostile-base", target)
    yield target
    shutil.rmtree(work, ignore_errors=True)


LIBRARY = (PROJECTS / "hostile-base" / "references" / "library.yaml").read_text()
PAPER = "---\ntitle: A Paper\n---\n# One\n\nText.[@rubinstein1987]\n"


def through_cite(project: Path, paper: str, library: str = LIBRARY) -> None:
    """config -> assemble -> cite, as a build runs them; only a PressroomError may escape."""
    (project / "manuscript" / "paper.md").write_text(paper, "utf-8", errors="surrogatepass")
    (project / "references" / "library.yaml").write_text(library, "utf-8")
    try:
        Corpus(load_project(project)).cited("paper")
    except PressroomError as exc:
        assert exc.format(project)  # a clean error formats to its one line


@SETTINGS
@given(body=MARKDOWN)
def test_random_markdown(project_dir: Path, body: str) -> None:
    through_cite(project_dir, "---\ntitle: Random\n---\n" + body)


@SETTINGS
@given(front=st.dictionaries(KEYS, VALUE, max_size=5), body=MARKDOWN)
def test_random_front_matter(project_dir: Path, front: dict[str, Any], body: str) -> None:
    text = yaml.safe_dump(front, allow_unicode=True) if front else ""
    through_cite(project_dir, f"---\n{text}---\n{body}")


@SETTINGS
@given(front=st.text(max_size=60))
def test_random_front_matter_text(project_dir: Path, front: str) -> None:
    through_cite(project_dir, f"---\n{front}\n---\n# Body\n")


@SETTINGS
@given(items=st.lists(st.dictionaries(CSL_KEYS, CSL_VALUE, max_size=6), max_size=4))
def test_random_reference_data(project_dir: Path, items: list[dict[str, Any]]) -> None:
    keys = [str(i.get("id")) for i in items if isinstance(i.get("id"), str)][:2]
    cites = "".join(f" [@{k}]" for k in keys if k.isidentifier())
    through_cite(project_dir, PAPER + cites + "\n", json.dumps(items))


@SETTINGS
@given(library=st.text(max_size=120))
def test_random_reference_text(project_dir: Path, library: str) -> None:
    through_cite(project_dir, PAPER, library)
