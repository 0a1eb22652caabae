"""Incremental cite for watch: after an edit inside one paragraph that leaves the document's
sequence of citations and notes as it was, pandoc reads that paragraph alone (no citeproc) and
citeproc's output for the rest of the document is reused from the last cite.

How the paragraph is put back together. pandoc reads the paragraph as it was and as it is now,
in one small run without citeproc (the same reader and filters). The paragraph as it was is
found in the last cited AST (the one paragraph with its text and its citations); that cited
paragraph differs from the raw one only where citeproc worked (each citation's note, the
punctuation and space it moved beside a citation). The edit is the stretch of the raw paragraph
that changed; it is put into the cited paragraph only where citeproc left that stretch and its
neighbours as pandoc read them (an alignment of raw and cited), and only if the stretch holds
plain text (no citation, note, raw markup, math, image, or a character that could be a
reference written elsewhere). Inside an emphasis, quotation, link or note that citeproc touched
elsewhere, the same is done one level down.

On any doubt pandoc cites the whole document as before (cite.py): another paragraph's shape
(a heading, a list, a table caption, a code fence around it), a citation or note added, removed
or changed, a warning from either run, the library, style, filters or settings changed. The
self-check is tests/test_cite_incremental.py: incremental against full, AST for AST, over many
edits. Only the watch process turns it on (enable()); PRESSROOM_INCREMENTAL=0 turns it off."""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pandoc, tree
from .cache import digest

_ENABLED = False
log = logging.getLogger("pressroom.cite")


def enable(on: bool = True) -> None:
    """Turn the incremental cite on (watch) or off; it also needs PRESSROOM_INCREMENTAL != 0."""
    global _ENABLED
    _ENABLED = on
    if not on:
        MEMORY.clear()
        CHANGES.clear()


def enabled() -> bool:
    return _ENABLED and os.environ.get("PRESSROOM_INCREMENTAL", "1") != "0"


@dataclass(frozen=True)
class Memory:
    """The last full or incremental cite of one document."""

    settings: str  # digest of pandoc's version, the arguments and the files they name
    key: str  # the cite's key (cite.py): settings and Markdown
    markdown: str
    ast: bytes  # the cited AST as JSON (a fresh copy is loaded for each edit)


@dataclass(frozen=True)
class Change:
    """How a cite made here differs from the one it was made from: one paragraph."""

    before: str  # the key of the cite it was made from
    old: dict[str, Any]  # the cited paragraph before
    new: dict[str, Any]  # and after
    notes: int  # notes before the paragraph, in document order (citeproc's included)


# By the document's source path: the last cite (watch's process only).
MEMORY: dict[Path, Memory] = {}
# By the key of a cite made here: what changed from the cite before it.
CHANGES: dict[str, Change] = {}

# Everything before the paragraph, and what pandoc makes of it, must be what it was.
_CITEPROC = frozenset({"--citeproc"})
_WITH_VALUE = frozenset({"--csl", "--bibliography"})
# Inline nodes an edited stretch may hold (what a reader reads alone as it reads it in place).
_PLAIN = frozenset(
    {"Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Underline", "Strikeout"}
    | {"Superscript", "Subscript", "SmallCaps", "Quoted", "Code", "Link", "Span"}
    | {"SingleQuote", "DoubleQuote"}  # (a quotation's kind, in the Quoted node)
)
# A character that, left as text by the reader, may be markup that needs the whole document
# (a reference link, a note label, a cross-reference, an attribute, raw TeX or HTML).
_SUSPECT = re.compile(r"[\[\]{}<>@\\`$^~|]")
# A paragraph that a filter or the reader may take as a caption in place, next to a table or
# a code block; a reference or note definition.
_CAPTION = re.compile(r"^\s*(?::|Table:|Listing:)")
# A cross-reference (crossref.lua): a citation when the paragraph is read alone, a link with
# class cross-ref in the document; neither is citeproc's, and both are left out of the
# comparison of paragraphs (an edit may not add, remove or touch one: _plain).
_XREF = re.compile(r"^(?:sec|fig|tbl|eq|lst)[-:]", re.I)
_BLANK = frozenset({"Space", "SoftBreak", "LineBreak"})
_VERBATIM = re.compile(r"^ {0,3}<(pre|script|style|textarea)(?=[\s>])", re.I)
_TEX_BEGIN = re.compile(r"^ {0,3}\\begin\{([^{}]+)\}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SEPARATOR = "\n\n* * *\n\n"  # between the paragraph as it was and as it is, in one pandoc run


def settings_digest(args: list[str]) -> str:
    """What, besides the Markdown, a cite's result depends on (as cite._run_cached keys it)."""
    parts = [pandoc.version().encode(), "\0".join(args).encode()]
    parts += [Path(a).read_bytes() for a in args if a.startswith("/") and Path(a).is_file()]
    return digest(*parts)


def remember(source: Path, settings: str, key: str, markdown: str, ast: bytes, clean: bool) -> None:
    """Keep a cite for the next edit (only while enabled; `clean`: pandoc warned of nothing)."""
    if not enabled():
        return
    if clean:
        MEMORY[source] = Memory(settings, key, markdown, ast)
    else:  # its warnings are located through the full run's line numbers: not reused
        MEMORY.pop(source, None)


def again(
    source: Path, settings: str, key: str, markdown: str, args: list[str]
) -> dict[str, Any] | None:
    """The cited AST of `markdown` made from the last cite of `source`, or None (cite in full).
    The AST is as cite.py's own run leaves it after its post-processing."""
    if not enabled():
        return None
    old = MEMORY.get(source)
    if old is None or old.settings != settings or old.key == key:
        return None
    try:
        return _again(old, key, markdown, args)
    except (pandoc.PandocFailed, ValueError, KeyError, IndexError, TypeError, RecursionError):
        return None  # any doubt: the full cite


def _again(old: Memory, key: str, markdown: str, args: list[str]) -> dict[str, Any] | None:
    found = _paragraph(old.markdown.split("\n"), markdown.split("\n"))
    if found is None:
        return _refuse("not one paragraph")
    before, after = found
    if any("]:" in text or _CAPTION.match(text) for text in (before, after)):
        return _refuse("a definition or a caption")
    if f"\n{old.markdown}\n".count(f"\n{before}\n") != 1:
        # (its words elsewhere, where pandoc may make no paragraph of them: a definition's
        # term, a table's row; the paragraph found by them need not be the one edited)
        return _refuse("the paragraph stands more than once")
    out, stderr = pandoc.run(_reader_args(args), (before + _SEPARATOR + after).encode("utf-8"))
    if stderr.strip():
        return _refuse("pandoc warned")
    read = json.loads(out)["blocks"]
    if [b["t"] for b in read] != ["Para", "HorizontalRule", "Para"]:
        return _refuse("not read as one paragraph")
    raw_old, raw_new = _unnumbered(read[0]["c"]), _unnumbered(read[2]["c"])
    if _skeleton(raw_old) != _skeleton(raw_new):
        return _refuse("its citations or notes changed")
    ast = json.loads(old.ast)
    place = _find(ast["blocks"], raw_old)
    if place is None:
        return _refuse("the paragraph was not found once in the last cite")
    blocks, index = place
    cited_old = blocks[index]
    patched = _patch_list(raw_old, cited_old["c"], raw_new)
    if patched is None:
        return _refuse("the edit touches what citeproc changed")
    new = {"t": "Para", "c": patched}
    notes = _notes_in_json(old.ast, ast, cited_old)
    if notes is None:
        notes = _notes_before(ast["blocks"], cited_old)
    blocks[index] = new
    if len(CHANGES) > 16:  # (only the newest is ever asked for)
        CHANGES.clear()
    CHANGES[key] = Change(old.key, _copy(cited_old), _copy(new), notes)
    log.debug("cite: one paragraph read again")
    return ast


def _unnumbered(value: Any) -> Any:
    """The reader's note numbers of citations set to 0: the paragraph as it is was read after
    the one as it was, so its count runs on (citeproc's output replaces them anyway)."""

    def zero(node: tree.Node) -> None:
        if node["t"] == "Cite":
            for c in node["c"][0]:
                c["citationNoteNum"] = c["citationHash"] = 0

    tree.walk(value, zero)
    return value


def _refuse(why: str) -> Any:
    """None, the cite in full, and why (on watch's debug log)."""
    log.debug("cite in full: %s", why)
    return None


def _copy(node: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(json.dumps(node))
    return value


def _reader_args(args: list[str]) -> list[str]:
    """cite.py's arguments without citeproc: the reader, the filters, the metadata."""
    kept: list[str] = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a in _WITH_VALUE:
            skip = True
        elif a not in _CITEPROC:
            kept.append(a)
    return kept


def _paragraph(old: list[str], new: list[str]) -> tuple[str, str] | None:
    """The one paragraph (lines between blank lines) the edit changed, before and after; None
    when the change reaches the first lines or the last, or starts inside a code fence."""
    shortest = min(len(old), len(new))
    p = 0
    while p < shortest and old[p] == new[p]:
        p += 1
    s = 0
    while s < shortest - p and old[-1 - s] == new[-1 - s]:
        s += 1
    start = p
    while start > 0 and old[start - 1].strip():
        start -= 1
    end = len(old) - s
    while end < len(old) and old[end].strip():
        end += 1
    if start == 0 or end >= len(old) or _in_fence(old[:start]):
        return None
    end_new = end + len(new) - len(old)
    before, after = old[start:end], new[start:end_new]
    if not before or not after or _indent(before[0]) != _indent(after[0]):
        return None  # (the first line's indent says whether it continues a list item)
    return "\n".join(before), "\n".join(after)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _in_fence(lines: list[str]) -> bool:
    """Whether these lines leave a fenced code block, an HTML comment, an HTML element that
    pandoc keeps as written (<pre>, <script>, <style>, <textarea>) or a LaTeX environment open.
    (pandoc reads an environment that begins a line whole, to its \\end, blank lines and all,
    as LaTeX: rawtex.lua makes its paragraphs, which Markdown read alone would not match.)"""
    fence = ""
    comment = False
    env, depth = "", 0  # the LaTeX environment open, and how deep in itself
    raw = ""  # the HTML element open whose content pandoc keeps as written (<pre>...)
    for line in lines:
        if comment:
            comment = "-->" not in line
            continue
        if env:
            depth += _nesting(line, env)
            env = env if depth > 0 else ""
            continue
        if raw:
            raw = "" if f"</{raw}>" in line.lower() else raw
            continue
        m = _FENCE.match(line)
        tex, verbatim = _TEX_BEGIN.match(line), _VERBATIM.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
        elif m:
            fence = m.group(1)
        elif "<!--" in line:
            comment = "-->" not in line.split("<!--", 1)[1]
        elif verbatim:
            raw = verbatim.group(1).lower()
            raw = "" if f"</{raw}>" in line.lower() else raw
        elif tex:
            env, depth = tex.group(1), _nesting(line, tex.group(1))
            env = env if depth > 0 else ""
    return bool(fence) or comment or bool(env) or bool(raw)


def _nesting(line: str, env: str) -> int:
    """How many environments `env` the line opens, less those it closes."""
    return line.count(f"\\begin{{{env}}}") - line.count(f"\\end{{{env}}}")


def _citation(c: dict[str, Any]) -> tuple[str, str, str, str]:
    """A citation as the author wrote it (the reader's note number and hash left out)."""
    return (
        c["citationId"],
        json.dumps(c["citationPrefix"], sort_keys=True),
        json.dumps(c["citationSuffix"], sort_keys=True),
        json.dumps(c["citationMode"], sort_keys=True),
    )


def _skeleton(value: Any) -> list[Any]:
    """Every citation and note, in document order: what citeproc's numbering depends on."""
    found: list[Any] = []

    def visit(node: tree.Node) -> bool | None:
        if _cross_ref(node):
            return True
        if node["t"] == "Cite":
            found.append([_citation(c) for c in node["c"][0]])
            return True  # (its content is the reader's text of it, or citeproc's note)
        if node["t"] == "Note":
            found.append("note")
        return None

    tree.walk(value, visit)
    return found


def _cross_ref(node: dict[str, Any]) -> bool:
    """A cross-reference, as read alone (a citation of ids with a cross-reference prefix) or
    as crossref.lua made it in the document (a link of class cross-ref)."""
    t = node.get("t")
    if t == "Cite":
        return all(_XREF.match(c["citationId"]) for c in node["c"][0])
    return t == "Link" and "cross-ref" in node["c"][0][1]


def _text(value: Any) -> str:
    """The paragraph's words outside its citations, spaces and breaks left out (citeproc moves
    punctuation across a citation and drops the space before it)."""
    out: list[str] = []

    def visit(node: tree.Node) -> bool | None:
        if node["t"] == "Cite" or _cross_ref(node):
            return True
        if node["t"] == "Str":
            out.append(node["c"])
        return None

    tree.walk(value, visit)
    return "".join(out)


class _Differs(Exception):
    """A paragraph's words part from the ones looked for (_same_words)."""


def _same_words(value: Any, words: str) -> bool:
    """Whether `_text(value) == words`, read only as far as the first word that differs
    (most of a document's paragraphs: at their first word)."""
    at = 0

    def visit(node: tree.Node) -> bool | None:
        nonlocal at
        if node["t"] == "Cite" or _cross_ref(node):
            return True
        if node["t"] == "Str":
            if not words.startswith(node["c"], at):
                raise _Differs
            at += len(node["c"])
        return None

    try:
        tree.walk(value, visit)
    except _Differs:
        return False
    return at == len(words)


def _find(blocks: list[Any], raw: list[Any]) -> tuple[list[Any], int] | None:
    """The one paragraph of the cited document (at any depth) with `raw`'s words and
    citations; None if there is none or more than one."""
    words, skeleton = _text(raw), _skeleton(raw)
    found: list[tuple[list[Any], int]] = []

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for i, child in enumerate(v):
                if isinstance(child, dict) and child.get("t") == "Para":
                    if _same_words(child["c"], words) and _skeleton(child["c"]) == skeleton:
                        found.append((v, i))
                    continue
                walk(child)
        elif isinstance(v, dict):
            for child in v.values():
                if isinstance(child, list | dict):
                    walk(child)

    walk(blocks)
    return found[0] if len(found) == 1 else None


def _notes_in_json(document: bytes, ast: dict[str, Any], target: dict[str, Any]) -> int | None:
    """How many notes come before `target` in the blocks of `ast`, counted in `document`, its
    JSON as pandoc.to_json wrote it (the memory's): the notes begun between the blocks' start
    and the one place the target's own JSON stands. Only a note's JSON begins `{"t":"Note"`
    (a quote inside a JSON string is escaped), and JSON keeps document order. None where the
    blocks are not the JSON's last member or the target's JSON is not there exactly once
    (_notes_before walks the AST)."""
    if not ast or list(ast)[-1] != "blocks":
        return None
    head = pandoc.to_json({k: v for k, v in ast.items() if k != "blocks"})
    opening = head[:-1] + (b',"blocks":' if len(ast) > 1 else b'"blocks":')
    needle = pandoc.to_json(target)
    at = document.find(needle, len(opening))
    if not document.startswith(opening) or at < 0 or document.find(needle, at + 1) >= 0:
        return None
    return document.count(b'{"t":"Note"', len(opening), at)


def _notes_before(blocks: list[Any], target: dict[str, Any]) -> int:
    """How many notes come before `target` in document order (as print-notes.lua counts)."""
    count = 0

    def walk(v: Any) -> bool:
        nonlocal count
        if v is target:
            return True
        if isinstance(v, dict):
            if v.get("t") == "Note":
                count += 1
            return any(walk(c) for c in v.values() if isinstance(c, list | dict))
        if isinstance(v, list):
            return any(walk(c) for c in v)
        return False

    return count if walk(blocks) else -1


# --- The edit put into the cited paragraph ------------------------------------------------------


def _key(node: Any) -> str:
    return json.dumps(node, sort_keys=True, ensure_ascii=False)


def _plain(nodes: list[Any]) -> bool:
    """Only text and simple markup, no character that may need the rest of the document."""
    ok = True

    def visit(node: tree.Node) -> bool | None:
        nonlocal ok
        t = node["t"]
        if t not in _PLAIN or (t == "Str" and _SUSPECT.search(node["c"])):
            ok = False
            return True
        return None

    tree.walk(nodes, visit)
    return ok


def _content(node: dict[str, Any]) -> tuple[list[Any], Any] | None:
    """A container node's child list and the rest of it (which must not change), or None."""
    t, c = node.get("t"), node.get("c")
    if not isinstance(c, list):
        return None
    if t in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript"):
        return c, None
    if t in ("SmallCaps", "Note", "Para", "Plain"):
        return c, None
    if t == "Quoted":
        return c[1], c[0]
    if t == "Span":
        return c[1], c[0]
    if t == "Link":
        return c[1], [c[0], c[2]]
    return None


def _patch_node(raw_old: Any, cited_old: Any, raw_new: Any) -> Any | None:
    """One node changed in place (the same kind): its content patched one level down."""
    if not (
        isinstance(raw_old, dict) and isinstance(raw_new, dict) and isinstance(cited_old, dict)
    ):
        return None
    kinds = {raw_old.get("t"), raw_new.get("t"), cited_old.get("t")}
    if len(kinds) != 1:
        return None
    parts = [_content(n) for n in (raw_old, cited_old, raw_new)]
    if any(p is None for p in parts):
        return None
    (ro, ro_rest), (co, co_rest), (rn, rn_rest) = parts  # type: ignore[misc]
    if not (_key(ro_rest) == _key(co_rest) == _key(rn_rest)):
        return None
    patched = _patch_list(ro, co, rn)
    if patched is None:
        return None
    node = _copy(cited_old)
    if node["t"] in ("Quoted", "Span", "Link"):
        node["c"][1] = patched
    else:
        node["c"] = patched
    return node


def _patch_list(raw_old: list[Any], cited_old: list[Any], raw_new: list[Any]) -> list[Any] | None:
    """`cited_old` with the stretch where `raw_new` differs from `raw_old` replaced, where
    citeproc left that stretch and its neighbours as the reader wrote them; None if it did not."""
    old_keys, new_keys = [_key(n) for n in raw_old], [_key(n) for n in raw_new]
    if old_keys == new_keys:
        return cited_old
    shortest = min(len(old_keys), len(new_keys))
    p = 0
    while p < shortest and old_keys[p] == new_keys[p]:
        p += 1
    s = 0
    while s < shortest - p and old_keys[-1 - s] == new_keys[-1 - s]:
        s += 1
    q, q_new = len(old_keys) - s, len(new_keys) - s
    if _before_reference(raw_old, p, q) or _before_reference(raw_new, p, q_new):
        return None
    cited_keys = [_key(n) for n in cited_old]
    matched = _matched(old_keys, cited_keys)
    if q - p == 1 and q_new - p == 1:  # one node changed in place: patch inside it
        j = _between(matched, p, len(raw_old), len(cited_old))
        if j is not None:
            inner = _patch_node(raw_old[p], cited_old[j], raw_new[p])
            if inner is not None:
                return [*cited_old[:j], inner, *cited_old[j + 1 :]]
    if not _plain(raw_new[p:q_new]) or not _plain(raw_old[p:q]):
        return None
    start = matched[p - 1] + 1 if p > 0 else 0
    # The stretch and the node on each side of it as citeproc left them, in the same places.
    for i in range(max(p - 1, 0), min(q + 1, len(raw_old))):
        if matched.get(i) != start + (i - p):
            return None
    end = start + (q - p)
    if q == len(raw_old) and end != len(cited_old):
        return None
    return [*cited_old[:start], *raw_new[p:q_new], *cited_old[end:]]


def _before_reference(nodes: list[Any], start: int, end: int) -> bool:
    """Whether the stretch nodes[start:end] (an insertion at `start`, when it is empty) reaches
    into what crossref.lua reads to write a cross-reference after it: the last word before it
    and the spaces between (after a full stop it opens a sentence: "Section 2"; after the
    kind's own word it is the number alone: "Section @sec-x"). That word is no neighbour of the
    reference, so the alignment with the cited paragraph does not see it change."""
    for k, node in enumerate(nodes):
        if not _reference(node):
            continue
        word = k - 1
        while word >= 0 and nodes[word].get("t") in _BLANK:
            word -= 1
        if start <= k and max(end, start + 1) > max(word, 0):
            return True
    return False


def _reference(node: Any) -> bool:
    """A citation that names a cross-reference (as read alone: crossref.lua resolves it in the
    document only)."""
    if not (isinstance(node, dict) and node.get("t") == "Cite"):
        return False
    return any(_XREF.match(c["citationId"]) for c in node["c"][0])


def _matched(raw: list[str], cited: list[str]) -> dict[int, int]:
    """Nodes of the raw list that citeproc left unchanged: raw index -> cited index."""
    matcher = difflib.SequenceMatcher(None, raw, cited, autojunk=False)
    found: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                found[i1 + k] = j1 + k
    return found


def _between(matched: dict[int, int], i: int, raw_len: int, cited_len: int) -> int | None:
    """The cited node in raw node i's place, when both its neighbours are matched and one
    node apart (or it is the first or the last)."""
    left = matched[i - 1] if i > 0 and i - 1 in matched else (-1 if i == 0 else None)
    right = (
        matched[i + 1]
        if i + 1 < raw_len and i + 1 in matched
        else (cited_len if i + 1 == raw_len else None)
    )
    if left is None or right is None or right - left != 2:
        return None
    return left + 1


# --- The check of a watch's final outputs (watch.py) -------------------------------------------

# Told of a document whose incremental cite differed from its full cite: watch's forked builder
# tells its parent, whose memory the next edit would otherwise start from.
on_differ: Callable[[Path], None] | None = None


def made_here(source: Path) -> bytes | None:
    """The cited AST (JSON) of `source`'s last cite, if that cite was made here from an earlier
    one (read alone), else None."""
    memory = MEMORY.get(source)
    return memory.ast if memory is not None and memory.key in CHANGES else None


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Every cite in full meanwhile, the memory left as it is (the check's own cite)."""
    global _ENABLED
    was, _ENABLED = _ENABLED, False
    try:
        yield
    finally:
        _ENABLED = was


def differed(source: Path) -> None:
    """`source`'s incremental cite was not its full cite: the next edit starts from a full one."""
    MEMORY.pop(source, None)
    if on_differ is not None:
        on_differ(source)
