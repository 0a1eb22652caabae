"""yamlio: plain data only, every key's line remembered, errors at the line to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom import yamlio
from pressroom.errors import PressroomError


def error(text: str, offset: int = 0) -> PressroomError:
    with pytest.raises(PressroomError) as caught:
        yamlio.loads(text, "m.yaml", line_offset=offset)
    return caught.value


def test_mappings_remember_the_line_of_each_key() -> None:
    data = yamlio.loads("title: A\n\nauthors:\n  - name: B\n    email: c\n", "m.yaml")
    assert data == {"title": "A", "authors": [{"name": "B", "email": "c"}]}
    assert data.lines == {"title": 1, "authors": 3}
    assert data.line == 1
    author = data["authors"][0]
    assert (author.line, author.lines) == (4, {"name": 4, "email": 5})


def test_line_offset_counts_from_the_file_not_the_fragment() -> None:
    # Front matter starts on line 2 of its document.
    data = yamlio.loads("title: A\nlang: en\n", "paper.md", line_offset=1)
    assert data.lines == {"title": 2, "lang": 3}
    assert error("a: 1\na: 2\n", offset=1).line == 3


def test_dates_stay_text_and_bad_dates_are_errors() -> None:
    assert yamlio.loads("d: 2026-06-05\n", "m.yaml") == {"d": "2026-06-05"}
    bad = error("x: 1\nd: 2026-02-30\n")
    assert (bad.line, bad.kind) == (2, "yaml.date")
    assert bad.message.startswith("invalid date '2026-02-30'")


def test_numbers_booleans_and_null_are_plain() -> None:
    assert yamlio.loads("a: 1\nb: 1.5\nc: true\nd: null\ne: [x, 2]\n", "m.yaml") == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": ["x", 2],
    }


@pytest.mark.parametrize(
    ("text", "line", "kind", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "yaml.duplicate", "duplicate key 'a' (first on line 1)"),
        ("x: !!python/name:os.system\n", 1, "yaml.type", "unsupported YAML tag"),
        ("x: 1\ny: !custom 2\n", 2, "yaml.type", "unsupported YAML tag !custom"),
        ("? [a, b]\n: 1\n", 1, "yaml.key", "mapping keys must be plain text"),
        (
            'a: 1\nb: "open\nc: 2\n',
            2,
            "yaml.syntax",
            "invalid YAML: a quoted value is never closed",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            3,
            "yaml.syntax",
            "invalid YAML: this line's indentation does not fit the lines above it",
        ),
        (
            "title: A: B\n",
            1,
            "yaml.syntax",
            "invalid YAML: mapping values are not allowed here (a value that contains ': ' "
            "needs quotes)",
        ),
        ("a: 1\nb: \x07\n", 2, "yaml.syntax", "control character #x0007 is not allowed"),
    ],
)
def test_errors_name_their_line_and_kind(text: str, line: int, kind: str, message: str) -> None:
    caught = error(text)
    assert (caught.line, caught.kind) == (line, kind)
    assert message in caught.message
    assert caught.format() == f"m.yaml:{line}: error: {caught.message} [{kind}]"


def test_aliases_are_counted() -> None:
    assert yamlio.loads("a: &a x\nb: [*a, *a]\n", "m.yaml") == {"a": "x", "b": ["x", "x"]}
    many = "a: &a x\nb: [" + ", ".join(["*a"] * (yamlio.MAX_ALIASES + 1)) + "]\n"
    assert "more than 100 aliases" in error(many).message


def test_read_text(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_bytes("\ufeffcafé\n".encode())
    assert yamlio.read_text(good) == "café\n", "a byte-order mark is dropped"
    cases = {
        "latin1.md": (b"one\ntwo caf\xe9\n", 2, "io.encoding"),
        "binary.yaml": (b"\x89PNG\x00\x00", None, "io.binary"),
    }
    for name, (data, line, kind) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(PressroomError) as caught:
            yamlio.read_text(tmp_path / name)
        assert (caught.value.line, caught.value.kind) == (line, kind), name
    with pytest.raises(PressroomError) as caught:
        yamlio.read_text(tmp_path / "absent.md")
    assert caught.value.kind == "io.missing"
    with pytest.raises(PressroomError) as caught:
        yamlio.read_text(tmp_path)
    assert caught.value.kind == "io.type"


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "data.yaml"
    path.write_text("- 1\n- two\n", "utf-8")
    assert yamlio.load(path) == [1, "two"]


def test_a_nul_byte_in_text_is_located(tmp_path: Path) -> None:
    path = tmp_path / "paper.md"
    path.write_bytes(b"one\ntwo\nthree \x00 four\n")
    with pytest.raises(PressroomError) as caught:
        yamlio.read_text(path)
    assert (caught.value.line, caught.value.kind) == (3, "io.binary")
    assert "NUL" in caught.value.message


def test_invalid_utf8_before_a_nul_is_reported_first(tmp_path: Path) -> None:
    path = tmp_path / "paper.md"
    path.write_bytes(b"one\n\xfb two\nthree \x00\n")
    with pytest.raises(PressroomError) as caught:
        yamlio.read_text(path)
    assert (caught.value.line, caught.value.kind) == (2, "io.encoding")


def _same(a: object, b: object, where: str) -> None:
    assert type(a) is type(b), where
    if isinstance(a, yamlio.LineDict) and isinstance(b, yamlio.LineDict):
        assert (a.line, a.lines) == (b.line, b.lines), where
    if isinstance(a, dict) and isinstance(b, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_libyaml_reads_as_the_careful_loader_does_and_errors_come_from_the_careful_one() -> None:
    """The fast path (libyaml's parser, the same constructors) gives the same values and lines
    on every YAML file of the tests' projects; where it fails, the careful loader reports."""
    root = Path(__file__).resolve().parents[1] / "projects"
    compared = 0
    for path in sorted(root.rglob("*.y*ml")):
        try:
            text = yamlio.read_text(path)
        except PressroomError:  # not text (broken-binary): no parser sees it
            continue
        try:
            careful = yamlio._loads(yamlio._Loader, text, path, 2)
        except PressroomError as exc:
            assert error(text, 2).message == exc.message, path  # loads: the careful one's
            continue
        _same(yamlio._loads(yamlio._FastLoader, text, path, 2), careful, str(path))
        compared += 1
    assert compared > 40
    assert error("a: *x\n").message.startswith("invalid YAML: found undefined alias")
