"""The limits that stop bad work (issue 16, items 5-7): CPU time, not wall time, for a layout;
template output stopped as it passes the cap; deep nesting a located error."""

from __future__ import annotations

import time
from pathlib import Path

import jinja2
import pytest

from pressroom import weasy
from pressroom.errors import PressroomError
from pressroom.templating import Loader, compile_source, render, source_environment


def test_waiting_is_not_counted_as_layout_time() -> None:
    with weasy.time_limit(0.05, None):
        time.sleep(0.3)  # a busy machine: wall time passes, this process's CPU time does not


def test_cpu_time_past_the_limit_stops_the_layout() -> None:
    start = time.process_time()
    with pytest.raises(PressroomError) as caught, weasy.time_limit(0.1, Path("paper.md")):
        while time.process_time() - start < 5:
            pass
    assert time.process_time() - start < 1
    assert caught.value.kind == "limit.time"
    assert "CPU time" in caught.value.message and "PRESSROOM_PDF_TIMEOUT" in caught.value.message


def test_the_layout_limit_grows_with_the_print_page() -> None:
    assert weasy.layout_limit(0) == weasy.PDF_TIMEOUT
    assert weasy.layout_limit(2_000_000) == 2 * weasy.PDF_TIMEOUT


def _env(tmp_path: Path) -> jinja2.Environment:
    return source_environment(Loader([tmp_path], set()))


def test_a_loop_bomb_stops_at_the_cap_at_its_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    loops = "{% for a in range(99999) %}\n{% for b in range(99999) %}ab{% endfor %}\n{% endfor %}"
    text = "intro\n" + loops
    template = compile_source(env, text, tmp_path / "paper.md")
    start = time.perf_counter()
    with pytest.raises(PressroomError) as caught:
        render(template, {}, tmp_path / "paper.md")
    assert time.perf_counter() - start < 20
    assert (caught.value.line, caught.value.kind) == (3, "jinja.size")


@pytest.mark.parametrize(
    ("tag", "count"), [("for x in [1]", 25), ("if true", 120), ("if true", 900)]
)
def test_deep_nesting_is_located(tmp_path: Path, tag: str, count: int) -> None:
    end = "{% end" + tag.split()[0] + " %}"
    text = "x\n" + "\n".join("{% " + tag + " %}" for _ in range(count)) + "\ny\n" + end * count
    with pytest.raises(PressroomError) as caught:
        compile_source(_env(tmp_path), text, tmp_path / "paper.md")
    assert (caught.value.line, caught.value.kind) == (count + 1, "jinja.depth")
    assert f"({count} inside each other" in caught.value.message
