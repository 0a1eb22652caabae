"""watch's incremental preview (pressroom/weasy_incremental.py) checked against a full layout of
the same print page, page by page: the text of every page and the page of every note's call and
text, for a word edit, an added sentence, an added note and a deleted paragraph, each laid out
from the state the edit before left (a chain), on the default paper and on a longer one; and
the cases it must refuse, which get a full layout and say why."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from pressroom import weasy, weasy_incremental, weasy_lines, weasy_restyle
from pressroom.assets import embed_assets
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import Diagnostics
from pressroom.model import Output
from pressroom.render import render_document

from .conftest import copy_default_project, copy_project
from .readers import note_pages


@dataclass
class Paper:
    """The default paper's print page, and where WeasyPrint reads its files."""

    key: str
    base: Path
    roots: list[Path]
    pdf: bytes = b""  # the preview of the paper as it is: a full layout


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Paper:
    """The default paper rendered as watch renders it (a preview drafted first): its full
    layout leaves the state the next preview starts from."""
    project = load_project(copy_default_project(tmp_path_factory.mktemp("incremental-layout")))
    cited = embed_assets(Corpus(project).cited("paper"), project)
    drafts: list[Output] = []
    render_document(cited, project, {"pdf"}, Diagnostics(project.root), draft=drafts.append)
    key = str(project.output("paper", "pdf"))
    assert key in weasy_incremental.STORE, "the full layout left no state"
    assert weasy_incremental.STORE[key].pdf == drafts[0].data
    return Paper(key, project.manuscript, [project.root, *project.template_dirs], drafts[0].data)


# --- Edits of the print page, as pressroom would make them from an edited manuscript ----------

_PARAGRAPH = re.compile(r'<p data-b="(\d+)">')
_NOTE_REF = re.compile(r'((?:href="#|id=")fn(?:ref)?)(\d+)"')
_NOTE_TEXT = re.compile(r'(class="fn-(?:call|marker)[^"]*">)(\d+)(</a>)')


def _paragraph(html: str, share: float) -> re.Match[str]:
    """The body paragraph nearest `share` of the way through the page."""
    found = list(_PARAGRAPH.finditer(html))
    return found[int(len(found) * share)]


def _renumber_notes(html: str, by: int) -> str:
    html = _NOTE_REF.sub(lambda m: f'{m.group(1)}{int(m.group(2)) + by}"', html)
    return _NOTE_TEXT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + by}{m.group(3)}", html)


def _renumber_blocks(html: str) -> str:
    count = iter(range(1, 10**6))
    return re.sub(r'data-b="\d+"', lambda m: f'data-b="{next(count)}"', html)


def word(html: str) -> str:
    at = html.index(" the ", _paragraph(html, 0.5).end())
    return html[:at] + " a " + html[at + 5 :]


def sentence(html: str) -> str:
    at = html.index("</p>", _paragraph(html, 0.5).end())
    return html[:at] + " This sentence was added to the paragraph to lengthen it." + html[at:]


def note(html: str) -> str:
    at = html.index("</p>", _paragraph(html, 0.5).end())
    number = html[:at].count('class="fn-call"') + 1
    added = (
        f'<a href="#fn{number}" id="fnref{number}" class="fn-call">{number}</a>'
        f'<span id="fn{number}" class="footnote"><span class="fn-p"><a href="#fnref{number}" '
        f'class="fn-marker">{number}</a>A note added to the paragraph.</span></span>'
    )
    return html[:at] + added + _renumber_notes(html[at:], 1)


def deletion(html: str) -> str:
    start = _paragraph(html, 0.6).start()
    end = html.index("</p>", start) + len("</p>")
    return _renumber_blocks(html[:start] + html[end:])


def longer(html: str) -> str:
    """The paper with its first sections again after it (the copy's notes numbered on): half
    as long again."""
    start, end = html.index("<section", html.index("<main>")), html.index("</main>")
    sections = [m.start() for m in re.finditer(r'<section id="[^"]*" class="level2', html)]
    middle = min((s for s in sections if s > (start + end) // 2), default=end)
    notes = html.count('class="fn-call"')
    copy = _renumber_notes(html[start:middle], notes)
    return _renumber_blocks(html[:end] + copy + html[end:])


# --- The check -------------------------------------------------------------------------------


# Full layouts made in this module, by page and base: two tests' chains pass through the same
# pages (a word, then a sentence, edited into the paper as it is), each laid out in full once.
_FULL: dict[tuple[str, Path], bytes] = {}


def full(paper: Paper, html: str, dest: Path) -> Path:
    """A full layout of `html` as a plain build makes it (a fresh process: no lines planned)."""
    path = dest / "full.pdf"
    if (html, paper.base) not in _FULL:
        weasy_lines.forget_plans()
        laid = weasy.layout(html, paper.base, paper.roots)
        _FULL[html, paper.base] = weasy.write(laid.document, preview=True)
    path.write_bytes(_FULL[html, paper.base])
    return path


# The names a PDF gives its image and pattern objects count up through the file: a page
# written in another file names the same object differently.
_RESOURCE = re.compile(rb"/([xp])\d+\b")


def _drawn(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    if isinstance(contents, pikepdf.Array):
        data = b"".join(part.read_bytes() for part in contents)
    else:
        data = bytes(contents.read_bytes())
    return _RESOURCE.sub(rb"/\1", data)


def same_pages(a: Path, b: Path, message: str) -> None:
    """The same pages: drawn by the same operators (the same glyphs at the same places), or
    else at least with the same text."""
    with pikepdf.open(a) as first, pikepdf.open(b) as second:
        assert len(first.pages) == len(second.pages), message
        pairs = zip(first.pages, second.pages, strict=True)
        redrawn = [k for k, (x, y) in enumerate(pairs) if _drawn(x) != _drawn(y)]
    texts_a, texts_b = PdfReader(a).pages, PdfReader(b).pages
    for k in redrawn:
        assert texts_a[k].extract_text() == texts_b[k].extract_text(), f"page {k + 1}: {message}"


def step(
    paper: Paper, edit: Callable[[str], str], dest: Path, known: bytes = b""
) -> weasy_incremental.Outcome:
    """One edit, laid out incrementally from the kept state; checked against a full layout
    (`known`: one already made)."""
    html = edit(weasy_incremental.STORE[paper.key].html)
    weasy_lines.forget_plans()  # as in watch's forked builder
    outcome = weasy_incremental.preview(paper.key, html, paper.base, paper.roots)
    assert outcome.pdf is not None, outcome.message
    first, last = outcome.restart + 1, outcome.restart + outcome.laid
    said = f"page {first}" if first == last else f"pages {first}-{last}"  # not "pages 1-1"
    assert outcome.message.startswith(f"pdf preview: {said} laid out again"), outcome.message
    assert weasy_incremental.STORE[paper.key].html == html  # the next edit starts from here
    spliced = dest / "incremental.pdf"
    spliced.write_bytes(outcome.pdf)
    reference = dest / "known.pdf"
    if known:
        reference.write_bytes(known)
    else:
        reference = full(paper, html, dest)
    same_pages(spliced, reference, outcome.message)
    assert note_pages(spliced) == note_pages(reference), outcome.message
    return outcome


def test_a_chain_of_edits_on_the_default_paper_matches_full_layouts(
    paper: Paper, tmp_path: Path
) -> None:
    original = weasy_incremental.STORE[paper.key].html
    pages = weasy_incremental.STORE[paper.key].pages
    a = step(paper, word, tmp_path)
    assert a.restart > 0 and a.resync is not None and a.laid < pages // 2, a.message
    b = step(paper, sentence, tmp_path)
    assert b.restart > 0 and b.laid < pages, b.message
    step(paper, note, tmp_path)  # later notes renumbered: laid out to the last note at least
    step(paper, deletion, tmp_path)  # a block fewer: never in step again, laid out to the end
    back = step(paper, lambda html: original, tmp_path, paper.pdf)
    assert back.restart > 0


def test_a_longer_paper_is_laid_out_again_only_around_the_edit(
    paper: Paper, tmp_path: Path
) -> None:
    html = longer(weasy_incremental.STORE[paper.key].html)
    laid, state = weasy_incremental.full_layout(html, paper.base, paper.roots)
    assert state is not None
    state.pdf = weasy.write(laid.document, preview=True)
    weasy_incremental.keep("longer", state)
    longer_paper = Paper("longer", paper.base, paper.roots)
    a = step(longer_paper, word, tmp_path)
    assert a.resync is not None and a.laid <= state.pages // 4, a.message


def test_an_edit_is_laid_out_from_its_own_page_when_the_page_before_read_none_of_it(
    paper: Paper, tmp_path: Path
) -> None:
    """A page that begins inside a paragraph before the edited one: the page before it ended
    inside that paragraph, reading nothing further (its horizon), so the layout restarts on
    the edit's own page, not on the page before it."""
    state = weasy_incremental.STORE[paper.key]
    pages = [
        i
        for i in range(1, state.pages - 1)
        if state.starts[i].clean
        and state.starts[i].plain
        and not state.starts[i].at_start
        and state.starts[i + 1].block != state.starts[i].block
        and f'<p data-b="{state.starts[i].block + 1}">' in state.html
        and (state.starts[i + 1].block or 0) > state.starts[i].block + 1
    ]
    assert pages, "no page of the paper begins inside a paragraph with another after it"
    page = pages[len(pages) // 2]
    block = state.starts[page].block + 1
    assert state.horizons[page - 1] < block

    def edit(html: str) -> str:
        at = html.index(f'<p data-b="{block}">') + len(f'<p data-b="{block}">')
        return html[:at] + "Edited: " + html[at:]

    original = state.html
    outcome = step(paper, edit, tmp_path)
    assert outcome.restart == page, outcome.message
    step(paper, lambda html: original, tmp_path, paper.pdf)


def test_the_restart_page_is_the_last_whose_page_before_read_nothing_changed() -> None:
    """restart_page on made-up states: the horizons let it restart on the page that holds
    the change; without them, or where the page before read the change, it goes back."""
    Start = weasy_incremental.Start

    def state(horizons: list[int], second_at_start: bool = False) -> weasy_incremental.State:
        starts = [
            Start(0, True, None, False, False),
            Start(3, True, 10, second_at_start, True),
            Start(6, True, 20, False, True),
        ]
        return weasy_incremental.State("", [], starts, [], [], {}, {}, horizons=horizons)

    def change(first: int, same_shape: bool = True) -> weasy_incremental.Change:
        return weasy_incremental.Change(first, first, 30, same_shape, False)

    restart = weasy_incremental.restart_page
    assert restart(state([10, 20, 30]), change(15)) == 1  # page 2 holds it, page 1 read to 10
    assert restart(state([16, 20, 30]), change(15)) == 0  # page 1 read the changed block
    assert restart(state([]), change(15)) == 0  # no horizons: the page must not hold it
    assert restart(state([10, 20, 30]), change(25)) == 2  # the last page, holding the change
    assert restart(state([]), change(25)) == 1
    # A page that begins at a block's start: the page before may have read that block's
    # styles without laying it out, which only an edit that keeps the blocks' shape keeps.
    assert restart(state([9, 20, 30], True), change(15)) == 1
    assert restart(state([9, 20, 30], True), change(15, same_shape=False)) == 0


def test_the_stylesheets_are_parsed_once_for_the_pages_laid_out_again(paper: Paper) -> None:
    """The relayouts of a chain share the stylesheets parsed for the first (the chains above
    check their pages against full layouts); a stylesheet in the page's body (raw HTML) is
    parsed with each page, as WeasyPrint does."""
    import weasyprint

    html = weasy_incremental.STORE[paper.key].html
    base = paper.base.as_uri() + "/"
    at = _paragraph(html, 0.0).start()
    head, body = html[:at], html[at:]
    key = "a page of its own"  # (the paper's are kept under paper.key)
    kept = weasy_restyle.sheets(key, weasyprint.HTML(string=html, base_url=base), head, body)
    assert kept is not None and kept.author
    again = weasy_restyle.sheets(key, weasyprint.HTML(string=html, base_url=base), head, body)
    assert again is kept
    styled = body.replace("</p>", "<style>p { color: #111; }</style></p>", 1)
    page = weasyprint.HTML(string=head + styled, base_url=base)
    assert weasy_restyle.sheets(key, page, head, styled) is None


def test_an_edit_of_the_same_shape_computes_only_the_changed_blocks_styles(
    paper: Paper, tmp_path: Path
) -> None:
    """Two edits of one paragraph in a row: the second relayout takes each unchanged
    element's style from the first (the same object), computes the edited paragraph's
    elements anew, and its pages are those of a full layout (step)."""
    state = weasy_incremental.STORE[paper.key]
    original = state.html
    first = step(paper, word, tmp_path)
    styled = weasy_restyle._STYLED[paper.key]
    assert styled.html == weasy_incremental.STORE[paper.key].html
    step(paper, sentence, tmp_path)
    again = weasy_restyle._STYLED[paper.key]
    assert again.style_for is not styled.style_for
    change = weasy_incremental.compare(styled.html, again.html)
    assert isinstance(change, weasy_incremental.Change) and change.same_shape
    old, new = styled.style_for._computed_styles, again.style_for._computed_styles
    shared = {id(style) for style in old.values()} & {id(style) for style in new.values()}
    fresh = [e for e in again.root.iter() if e.get("data-b") == str(change.first)]
    assert len(fresh) == 1
    assert len(shared) > len(new) // 2, "the unchanged elements' styles were not carried"
    assert id(new[fresh[0], None]) not in shared  # the edited paragraph: styled anew
    step(paper, lambda html: original, tmp_path, paper.pdf)
    assert first.restart > 0


def style_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, what the incremental previews do of WeasyPrint's style work: "sheets" for
    each parse of a page's stylesheets, "styles" for each page whose every style is computed."""
    import weasyprint.css

    done: list[str] = []
    inside = [False]
    preview, parse, style_for = (
        weasy_incremental.preview,
        weasyprint.css.find_stylesheets,
        weasyprint.css.StyleFor.__init__,
    )

    def previewing(*args: Any, **kwargs: Any) -> Any:
        inside[0] = True
        try:
            return preview(*args, **kwargs)
        finally:
            inside[0] = False

    def parsing(*args: Any, **kwargs: Any) -> Any:
        done.extend(["sheets"] if inside[0] else [])
        return parse(*args, **kwargs)

    def styling(*args: Any, **kwargs: Any) -> None:
        done.extend(["styles"] if inside[0] else [])
        style_for(*args, **kwargs)

    monkeypatch.setattr(weasy_incremental, "preview", previewing)
    monkeypatch.setattr(weasyprint.css, "find_stylesheets", parsing)
    monkeypatch.setattr(weasyprint.css.StyleFor, "__init__", styling)
    return done


def _as_in_a_new_process(key: str) -> None:
    """The stylesheets and styles kept for `key` dropped (a new watch process has none: the
    layouts it keeps were laid out by its forked builder)."""
    weasy_restyle._SHEETS.pop(key, None)
    weasy_restyle._STYLED.pop(key, None)


def test_the_warm_up_fills_the_caches_of_the_first_preview_and_keeps_nothing(
    paper: Paper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """watch's warm-up (on the preview thread once its first build is done) leaves the kept
    state as it was (the same object, page and PDF) and the caches full: the first edit's
    preview then parses no stylesheet and computes only the edited paragraph's styles, and its
    pages are a full layout's (step). Without it, that preview parses and styles in full."""
    state = weasy_incremental.STORE[paper.key]
    original, pdf, entries = state.html, state.pdf, copy.deepcopy(state.entries)
    done = style_work(monkeypatch)
    _as_in_a_new_process(paper.key)
    said = weasy_incremental.warm(paper.key, paper.base, paper.roots)
    assert said.startswith("readied: ") and "page(s) from page" in said, said
    assert weasy_incremental.STORE[paper.key] is state
    assert (state.html, state.pdf, state.entries) == (original, pdf, entries)
    step(paper, word, tmp_path)
    assert done == [], "the first edit's preview did style work the warm-up does"
    step(paper, lambda html: original, tmp_path, paper.pdf)
    _as_in_a_new_process(paper.key)  # the same edit, not warmed up
    step(paper, word, tmp_path)
    assert done == ["sheets", "styles"]
    step(paper, lambda html: original, tmp_path, paper.pdf)


def test_a_newer_edit_stops_the_warm_up_before_any_page(
    paper: Paper, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = weasy_incremental.STORE[paper.key]
    monkeypatch.setattr(weasy_incremental, "stopping", lambda: True)
    said = weasy_incremental.warm(paper.key, paper.base, paper.roots)
    assert said == "not readied: stopped by a newer edit"
    assert weasy_incremental.STORE[paper.key] is state


def test_a_newer_edit_stops_a_preview_between_its_pages(
    paper: Paper, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = weasy_incremental.STORE[paper.key]
    monkeypatch.setattr(weasy_incremental, "stopping", lambda: True)
    outcome = weasy_incremental.preview(paper.key, word(before.html), paper.base, paper.roots)
    assert outcome.pdf is None and "stopped by a newer edit" in outcome.message
    assert weasy_incremental.STORE[paper.key] is before  # the next edit starts from the last


def first_page(html: str) -> str:
    """A word added to the abstract's first paragraph: on the first page, no page before it."""
    first = _paragraph(html, 0.0)
    return html[: first.end()] + "Edited: " + html[first.end() :]


def test_an_edit_on_the_first_page_is_laid_out_from_it_until_in_step(
    paper: Paper, tmp_path: Path
) -> None:
    original = weasy_incremental.STORE[paper.key].html
    pages = weasy_incremental.STORE[paper.key].pages
    edited = step(paper, first_page, tmp_path)
    assert edited.restart == 0 and edited.resync is not None, edited.message
    assert edited.laid < pages // 2, edited.message
    back = step(paper, lambda html: original, tmp_path, paper.pdf)
    assert back.restart == 0 and back.resync is not None, back.message


def test_doubtful_cases_are_laid_out_in_full_and_say_why(
    paper: Paper, caplog: pytest.LogCaptureFixture
) -> None:
    html = weasy_incremental.STORE[paper.key].html
    styled = html.replace("</head>", "<style>p { color: #111; }</style>\n</head>", 1)
    outcome = weasy_incremental.preview(paper.key, styled, paper.base, paper.roots)
    assert outcome.pdf is None and "head changed" in outcome.message
    running = html.replace("</style>", "h2 { string-set: title content(); }</style>", 1)
    unshared = weasy_incremental.preview("nothing kept", running, paper.base, paper.roots)
    assert unshared.pdf is None and "no earlier layout" in unshared.message
    assert isinstance(weasy_incremental.compare(running, word(running)), str)
    plain = weasy_incremental.compare(html, word(html))
    assert isinstance(plain, weasy_incremental.Change) and plain.same_shape
    counted = html.replace("</style>", "p { counter-increment: paragraphs; }</style>", 1)
    change = weasy_incremental.compare(counted, word(counted))  # may number what follows
    assert isinstance(change, weasy_incremental.Change) and not change.same_shape
    at = html.index("</p>", _paragraph(html, 0.5).end())  # drawn on every page: refused
    fixed = html[:at] + '<span style="position: fixed; top: 0">Draft</span>' + html[at:]
    outcome = weasy_incremental.preview(paper.key, fixed, paper.base, paper.roots)
    assert outcome.pdf is None and "fixed boxes" in outcome.message
    # What render/pdf.py prints on the progress line when it falls back.
    from pressroom.render.pdf import _quick_preview

    caplog.set_level(logging.INFO, logger="pressroom.incremental")
    drafts: list[Output] = []
    doc = type("Doc", (), {"source": paper.base / "paper.md"})()
    assert not _quick_preview(Path(paper.key), styled, doc, paper.roots, None, drafts.append)  # type: ignore[arg-type]
    assert not drafts
    assert "paper.pdf: pdf preview in full: the page's head changed" in caplog.text


def test_the_switch_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from pressroom.render.pdf import incremental_on

    assert incremental_on()
    monkeypatch.setenv("PRESSROOM_INCREMENTAL", "0")
    assert not incremental_on()


@pytest.mark.slow
def test_watch_keeps_the_layout_state_and_lays_an_edit_out_from_it(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The watch process keeps each preview's state (handed back by the forked builder), and
    the next edit's preview is laid out again only from the page before it."""
    from pressroom import watch

    project = copy_project("notes", tmp_path)
    source = project / "manuscript" / "paper.md"
    text = source.read_text("utf-8")
    # Some pages (8, the edited section on the fifth): enough to restart past the first.
    source.write_text(text.replace("range(14)", "range(30)", 1), "utf-8")
    watch._say_previews()
    try:
        _watch_an_edit(project, source, capfd)
    finally:  # the logger as it was, for the tests that read it through caplog
        weasy_incremental.log.handlers.clear()
        weasy_incremental.log.propagate = True


def _watch_an_edit(project: Path, source: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from pressroom import watch

    preview = watch.Preview(project, strict=False, overrides={})
    preview.rebuild()
    preview.wait(300)
    key = str(project / "build" / "paper.pdf")
    assert "paper.pdf: pdf preview in full: no earlier layout kept" in capfd.readouterr().err
    assert key in weasy_incremental.STORE  # kept by this process
    text = source.read_text("utf-8")
    middle = "# Middle {#sec-middle}\n\n"
    source.write_text(text.replace(middle, middle + "Thus ", 1), "utf-8")
    preview.rebuild({source})
    preview.wait(300)
    said = capfd.readouterr().err
    laid = re.search(r"paper\.pdf: pdf preview: pages? (\d+)(-\d+)? laid out again", said)
    assert laid and int(laid.group(1)) > 1, said  # from the page before the edit, not the first
    assert "Thus" in weasy_incremental.STORE[key].html
    assert preview.state.error is None
    with pikepdf.open(key) as final:  # the full tagged PDF replaced the preview
        assert "/StructTreeRoot" in final.Root
