"""The line breaker (pressroom/linebreak) in process, and through WeasyPrint on small pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.linebreak import hyphenation, kinsoku
from pressroom.linebreak.paragraph import ZWSP, Line, Run, Settings, build, choose

TEXT = (
    "In the early 1980s the United States government began to ask whether the technological "
    "cooperation it had long extended to its allies should now flow in the other direction, "
    "and the Department of Defense sent a series of technical missions to examine what "
    "Japanese industry could offer in return. The answer depended less on engineering than "
    "on domestic political processes in both countries, and on the information each side "
    "was willing to share with the other."
)


def mono(text: str, font: object) -> float:
    """A typewriter's measure: every character 6 units wide."""
    return 6.0 * len(text)


def lines_of(text: str, width: float, runs: list[Run] | None = None) -> list[tuple[Line, str]]:
    runs = runs or [Run(text, "f", "en-US", em=12)]
    joined = "".join(r.text for r in runs)
    chosen = choose(build(runs, mono), (width, width))
    assert chosen is not None
    return [(ln, joined[ln.start : ln.end]) for ln in chosen]


def first_fit(text: str, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and mono(line + " " + word, None) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


@pytest.mark.parametrize("width", [240, 300, 360, 420, 500])
def test_total_fit_is_never_worse_than_first_fit(width: int) -> None:
    """The loosest justified line of the total-fit paragraph is no looser than first fit's
    (here without hyphens, where first fit is at its best)."""
    chosen = lines_of(TEXT, width)
    greedy = first_fit(TEXT, width)

    def gap(line: str) -> float:
        spaces = line.count(" ")
        return (width - mono(line, None)) / spaces if spaces else 0.0

    worst_greedy = max(gap(t) for t in greedy[:-1])
    worst_total = max(gap(t.rstrip(" ").rstrip("\u2010")) for _, t in chosen[:-1])
    assert worst_total <= worst_greedy + 6.0  # a hyphen's width of leeway


def test_every_line_fits_and_the_text_is_kept_whole() -> None:
    chosen = lines_of(TEXT, 300)
    assert "".join(t for _, t in chosen) == TEXT
    for line, _ in chosen:
        assert line.width <= 300 * 1 + 0.35 * 6 * 10  # at most the shrink of ten spaces
        assert line.ratio >= -1


def test_the_rules_of_hyphenation() -> None:
    assert hyphenation.points("information", "en-US")  # a plain word: yes
    assert all(3 <= p <= len("information") - 3 for p in hyphenation.points("information", "en-US"))
    for word in ("Washington", "Japanese", "COCOM", "Cooperation", "F-15s"):
        assert hyphenation.points(word, "en-US") == (), word
    assert not hyphenation.may_hyphenate("https://example.org/information")
    assert not hyphenation.may_hyphenate("1980s")
    assert hyphenation.points("under", "en-US") == ()  # fewer than 3 letters on a side
    assert hyphenation.points("information.", "en-US")  # a stop after the word is no bar
    # nor a possessive: the points are the word's own, and none inside the ’s
    assert hyphenation.points("administration\u2019s,", "en-US") == hyphenation.points(
        "administration", "en-US"
    )
    assert hyphenation.points("information", "") == ()  # no language, no dictionary


def test_no_more_than_two_hyphenated_lines_in_a_row() -> None:
    text = " ".join(["internationalization responsibilities administrations"] * 12)
    for width in range(150, 400, 7):
        run = 0
        for line, _ in lines_of(text, width):
            run = run + 1 if line.hyphen else 0
            assert run <= 2, width


def test_the_last_line_is_not_a_fragment_of_a_hyphenated_word() -> None:
    # From 40 characters a line; in narrower measures the last-resort pass may need one.
    for width in range(240, 600, 3):
        chosen = lines_of(TEXT, width)
        if len(chosen) > 1:
            assert not chosen[-2][0].hyphen, width


def test_a_note_call_never_begins_a_line() -> None:
    runs = []
    for k in range(12):
        runs.append(Run("the negotiators met again in the spring of that year.", "f", "en-US"))
        runs.append(Run(str(k + 1), "sup", "en-US", break_before=False))
        runs.append(Run(" ", "f", "en-US"))
    calls = []
    offset = 0
    for r in runs:
        if not r.break_before:
            calls.append(offset)
        offset += len(r.text)
    for width in range(150, 420, 5):
        starts = {line.start for line, _ in lines_of("", width, runs)}
        assert not starts & set(calls), width


def test_a_word_wider_than_the_line_still_gives_lines() -> None:
    chosen = lines_of("a Donaudampfschifffahrtsgesellschaftskapitän b", 60)
    word = "Donaudampfschifffahrtsgesellschaftskapitän"
    assert [t.strip() for _, t in chosen] == ["a", word, "b"]


def test_japanese_lines_follow_kinsoku() -> None:
    text = "日本の防衛技術の対米供与は、「武器輸出三原則」の例外として認められた。" * 3
    runs = [Run(text, "ja", "ja", hyphens=False, em=12)]
    for width in range(60, 300, 6):
        for _, line in lines_of("", width, runs):
            assert line[0] not in kinsoku.NOT_AT_START, (width, line)
            assert line.rstrip()[-1] not in kinsoku.NOT_AT_END, (width, line)


def test_a_short_japanese_term_is_kept_whole() -> None:
    runs = [
        Run("bodies such as Keidanren (", "f", "en-US"),
        Run("経済団体連合会", "ja", "ja", hyphens=False),
        Run(") and the industry associations that spoke for the defense firms.", "f", "en-US"),
    ]
    for width in range(120, 400, 4):
        for _, line in lines_of("", width, runs):
            assert "経済団体連合会" in line or not any(kinsoku.is_cjk(c) for c in line), width


def test_the_first_pass_sets_without_hyphens_when_it_can() -> None:
    relaxed = Settings(stretch=5.0)  # very elastic spaces: no hyphen needed anywhere
    chosen = choose(build([Run(TEXT, "f", "en-US")], mono, relaxed), (300, 300))
    assert chosen is not None and not any(line.hyphen for line in chosen)


def test_no_hyphen_on_a_line_that_ends_a_page() -> None:
    plan = build([Run(TEXT, "f", "en-US", em=12)], mono)
    free = choose(plan, (300, 300))
    assert free is not None
    hyphenated = [i for i, line in enumerate(free) if line.hyphen]
    assert hyphenated, "the text is meant to need a hyphen at this width"
    kept = choose(plan, (300, 300), 0, frozenset({hyphenated[0]}))
    assert kept is not None and not kept[hyphenated[0]].hyphen


def test_hyphen_places_are_measured_only_when_a_pass_hyphenates() -> None:
    """A paragraph set without hyphens never measures a word up to a hyphen; one that needs
    them gets the same lines as if its hyphen places had been measured from the start."""
    asked: list[str] = []

    def counting(text: str, font: object) -> float:
        asked.append(text)
        return mono(text, font)

    relaxed = Settings(stretch=5.0)
    chosen = choose(build([Run(TEXT, "f", "en-US")], counting, relaxed), (300, 300))
    assert chosen is not None and asked
    assert not any(t.endswith("\u2010") for t in asked)
    plan = build([Run(TEXT, "f", "en-US", em=12)], counting)
    lazy = choose(plan, (300, 300))
    assert lazy is not None and any(line.hyphen for line in lazy)
    assert any(t.endswith("\u2010") for t in asked)
    eager = choose(plan.hyphenated(), (300, 300))
    assert eager == lazy


def test_words_measured_together_measure_as_alone() -> None:
    """The widths of a paragraph's new words from one Pango layout of them all are the
    widths of each laid out alone, in roman, italic and Japanese, with punctuation,
    ligatures, hyphens and a no-break space."""
    import weasyprint

    from pressroom import weasy_lines

    words = ["office", "affine", "Washington,", "“quoted”", "co-operation", "Japa\u2010",
             "9\u00a0km", "経済団体連合会", "x", "WAVE", "(1985)."]
    html = (
        "<p style=\"font: 11pt 'Linux Libertine O'\">a <i>b</i> "
        "<span lang=\"ja\">字</span></p>"
    )
    document = weasyprint.HTML(string=html).render()
    fonts = set()

    def walk(box: object) -> None:
        if type(box).__name__ == "TextBox":
            fonts.add(weasy_lines._style_info(box.style)[0])  # type: ignore[attr-defined]
        for child in getattr(box, "children", []):
            walk(child)

    walk(document.pages[0]._page_box)
    assert len(fonts) >= 3
    for font in fonts:
        together = weasy_lines._measure_together(font, words)
        weasy_lines._WIDTHS.clear()
        alone = [weasy_lines._measure(w, font) for w in words]
        assert together == alone and all(w > 0 for w in alone)


def test_replanning_from_a_line_break_goes_on_from_there() -> None:
    plan = build([Run(TEXT, "f", "en-US", em=12)], mono)
    whole = choose(plan, (300, 300))
    assert whole is not None
    rest = choose(plan, (300, 300), whole[2].start)
    assert rest is not None
    assert rest[0].start == whole[2].start and rest[-1].end == whole[-1].end
    assert choose(plan, (300, 300), whole[2].start + 1) is None  # not a break: unknown


# --- through WeasyPrint (in process, a few small pages) ------------------------------------

HALF_WORD = (
    '<p lang="en" style="font: 11pt \'Linux Libertine O\'; width: 231px; hyphens: auto; '
    'text-align: justify">See the <em>Annual Report</em> Quantitative Examination of '
    'commissioned studies, <a href="#x">Extraordinary</a> telecommunications and '
    "administrations.</p>"
)


def weasy_lines_of(html: str) -> list[str]:
    """The text of every line box WeasyPrint sets for `html`."""
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    found: list[str] = []

    def text(box: object) -> str:
        own = getattr(box, "text", "") or ""
        return own + "".join(text(c) for c in getattr(box, "children", []))

    def walk(box: object) -> None:
        if type(box).__name__ == "LineBox":
            found.append(text(box).strip())
            return
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def half_words(lines: list[str]) -> list[str]:
    return [ln for ln in lines if " " not in ln and ln.endswith("\u2010")]


def test_the_half_word_line_is_gone() -> None:
    """WeasyPrint 70 sets "Examina‐" alone on a line here, though the line has room for
    "Examination of": a text box ending in a space is measured with it, found too wide,
    and its first word hyphenated. With the planned widths it does not happen."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    try:
        weasy_lines.uninstall()
        assert half_words(weasy_lines_of(HALF_WORD)) == ["Examina\u2010"]  # the bug, shown
    finally:
        weasy_lines.install()
    lines = weasy_lines_of(HALF_WORD)
    assert half_words(lines) == [] and len(lines) >= 4


def test_a_short_paragraph_on_one_line_is_not_planned() -> None:
    """A paragraph WeasyPrint sets on one line is set so without planning (total fit would
    choose the same line); one that needs more lines is planned, and set as planned."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    style = "font: 11pt 'Linux Libertine O'; width: 420px; hyphens: auto; text-align: justify"
    stats = weasy_lines.STATS
    before = (stats.one_line, stats.not_one_line, stats.paragraphs)
    short = "Ibid., 23. See also the Department of Defense's report."
    assert weasy_lines_of(f'<p lang="en" style="{style}">{short}</p>') == [short]
    assert (stats.one_line, stats.not_one_line, stats.paragraphs) == (
        before[0] + 1, before[1], before[2])
    # Just too long for one line: tried, then planned.
    long = short + " The answer depended on politics"
    lines = weasy_lines_of(f'<p lang="en" style="{style}">{long}</p>')
    assert len(lines) == 2 and " ".join(lines) == long
    assert stats.not_one_line == before[1] + 1 and stats.paragraphs == before[2] + 1


def test_no_hyphenation_is_tried_after_a_line_planned_to_end_between_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WeasyPrint tries every hyphen place of the word after a line in a new Pango layout
    when the word does not fit; after a planned line ending between words it is not asked
    to (none can fit): the same lines, from fewer layouts."""
    from weasyprint.text import line_break

    from pressroom import weasy_lines

    assert weasy_lines.install()
    text = (
        "considerable international negotiations between governmental organizations "
        "concerning technological cooperation required extraordinary patience, substantial "
        "preparation and remarkable understanding between representatives of different "
        "administrations"
    )  # long words: WeasyPrint would try to divide most words after a line
    style = "font: 11pt 'Linux Libertine O'; width: 260px; hyphens: auto; text-align: justify"
    html = f'<p lang="en" style="{style}">{text}</p>'
    made = [0]
    setup = line_break.Layout.setup

    def counted(self: object, style: object) -> None:
        made[0] += 1
        setup(self, style)

    lines = weasy_lines_of(html)  # (the words measured once)
    monkeypatch.setattr(line_break.Layout, "setup", counted)
    assert weasy_lines_of(html) == lines and len(lines) > 4
    fewer = made[0]
    monkeypatch.setattr(weasy_lines, "_manual_hyphens", lambda style: style)
    made[0] = 0
    assert weasy_lines_of(html) == lines
    assert fewer < made[0]


def test_an_author_protects_a_word_from_hyphenation() -> None:
    """`[word]{.nohyphen}` in Markdown: a span of class nohyphen (templates/type.css)."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    css = (Path(__file__).resolve().parents[1] / "pressroom/templates/type.css").read_text()
    word = "extraordinarily"
    body = f"it was an {word} long and {word} hard negotiation, an {word} tedious one for all"
    style = "font: 11pt 'Linux Libertine O'; width: 150px; hyphens: auto; text-align: justify"

    def divided(html: str) -> int:
        lines = weasy_lines_of(f'<style>{css}</style><p lang="en" style="{style}">{html}</p>')
        return sum(word[:5] in ln and word not in ln for ln in lines)

    assert divided(body) == 2  # hyphenated twice when not protected
    assert divided(body.replace(word, f'<span class="nohyphen">{word}</span>')) == 0


def test_text_kept_on_one_line_is_not_broken() -> None:
    runs = [
        Run("bodies such as Keidanren ", "f", "en-US"),
        Run("(the Federation of Economic Organizations)", "f", "en-US", wrap=False),
        Run(" and the industry associations that spoke for the defense firms.", "f", "en-US"),
    ]
    for width in range(260, 420, 4):
        for _, line in lines_of("", width, runs):
            assert "(the" not in line or "Organizations)" in line, width


def test_ragged_right_text_is_hyphenated_only_when_it_pays() -> None:
    """Ragged right, a line may end up to 3 em short: a hyphen only where a line would
    otherwise end shorter still, never three in a row, and no line wider than the measure."""
    ragged = Settings(stretch=0.0, shrink=0.0, ragged_em=3.0)
    for width in range(200, 520, 10):
        chosen = choose(build([Run(TEXT, "f", "en-US", em=12)], mono, ragged), (width, width))
        assert chosen is not None
        assert all(line.width <= width for line in chosen)  # never shrunk: not justified
        assert sum(line.hyphen for line in chosen) <= 3, width
        triples = zip(chosen, chosen[1:], chosen[2:], strict=False)
        assert not any(a.hyphen and b.hyphen and c.hyphen for a, b, c in triples), width


def page_ends(html: str) -> list[str]:
    """The last line of running text on each page WeasyPrint sets for `html`."""
    import weasyprint

    def text(box: object) -> str:
        own = getattr(box, "text", "") or ""
        return own + "".join(text(c) for c in getattr(box, "children", []))

    def last_line(box: object) -> str | None:
        if type(box).__name__ == "LineBox":
            return text(box).strip()
        found = None
        for child in getattr(box, "children", []):
            found = last_line(child) or found
        return found

    pages = weasyprint.HTML(string=html).render().pages
    return [last_line(page._page_box) or "" for page in pages]


def test_no_word_is_divided_across_a_page_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of several heights, each ending inside a long justified paragraph: without the
    second setting of a page's part (RETRIES = 0) some page ends on a divided word, with
    it none does, and the text is the same."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    words = " ".join(TEXT.lower().replace(".", "").split()[:60])
    body = " ".join([words] * 4)
    divided = {True: 0, False: 0}
    for retries in (0, weasy_lines.RETRIES):
        monkeypatch.setattr(weasy_lines, "RETRIES", retries)
        for height in range(150, 260, 22):
            html = (
                f"<style>@page {{ size: 330px {height}px; margin: 20px }} p {{ font: 10pt "
                "'Linux Libertine O'; text-align: justify; hyphens: auto; margin: 0 }</style>"
                f'<p lang="en">{body}</p>'
            )
            ends = page_ends(html)
            divided[bool(retries)] += sum(end.endswith("\u2010") for end in ends[:-1])
    assert divided[False] > 0, "the pages are meant to end on a divided word without it"
    assert divided[True] == 0


def test_a_loose_line_gives_a_little_of_its_space_to_its_letters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A note of capitalised titles (never hyphenated) in columns of several widths: without
    letter spacing (MAX_TRACK = 0) some justified lines have word spaces above 0.40 em; with
    at most 0.02 em on each letter fewer do (a line of a few long words can need more), and
    the lines hold the same text."""
    import weasyprint

    from pressroom import weasy_lines
    from tests.typography import measure

    assert weasy_lines.install()
    title = (
        "Office of the Under Secretary of Defense for Research and Engineering, Report of "
        "Defense Science Board Task Force on Industry-to-Industry International Armaments "
        "Cooperation, Phase Two, Japan, Washington, Government Printing Office."
    )
    columns = "".join(
        f'<p style="width: {width}px">{title}</p>' for width in range(400, 500, 10)
    )
    html = (
        "<style>@page { size: 560px 300px; margin: 30px } p { font: 9pt 'Linux Libertine O';"
        " text-align: justify; hyphens: auto; margin: 0; break-after: page }</style>"
        f'<body lang="en">{columns}</body>'
    )
    loose, texts = {}, {}
    for track in (0.0, weasy_lines.MAX_TRACK):
        monkeypatch.setattr(weasy_lines, "MAX_TRACK", track)
        pdf = tmp_path / f"{track}.pdf"
        weasyprint.HTML(string=html).write_pdf(pdf)
        report = measure(pdf)
        loose[track] = report.body.loose
        texts[track] = weasy_lines_of(html)
    assert loose[0.0] > 0, "the columns are meant to set loose lines without letter spacing"
    assert loose[weasy_lines.MAX_TRACK] < loose[0.0]
    assert texts[0.0] == texts[weasy_lines.MAX_TRACK]  # the same lines, only spaced


def test_text_before_a_block_inside_its_paragraph_keeps_its_planned_lines() -> None:
    """A display equation inside a paragraph ends the text before it with a space, which
    WeasyPrint counts in the last line's width: planned without it, that line did not fit
    and its last word went to a line of its own ("like" / "this:")."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    style = "font: 11pt 'Linux Libertine O'; width: 380px; hyphens: auto; text-align: justify"
    text = (
        "Since the first version, one can put an equation inside a paragraph of running "
        "text, and it should be numbered like this:"
    )
    alone = weasy_lines_of(f'<p lang="en" style="{style}">{text}</p>')
    block = '<span style="display: block">E = mc2</span>'
    cut = weasy_lines_of(f'<p lang="en" style="{style}">{text} {block} and it goes on.</p>')
    assert len(alone) == 2
    assert cut[:2] == alone, cut


def test_a_word_kept_whole_at_a_page_turn_stays_in_its_document() -> None:
    """The same paragraph, set first across pages (where some page turn makes it plan a part
    again) and then on one tall page: the tall page's lines are those a fresh process sets."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    words = " ".join(TEXT.lower().replace(".", "").split()[:60])
    body = " ".join([words] * 4)

    def html(height: int) -> str:
        return (
            f"<style>@page {{ size: 330px {height}px; margin: 20px }} p {{ font: 10pt "
            "'Linux Libertine O'; text-align: justify; hyphens: auto; margin: 0 }</style>"
            f'<p lang="en">{body}</p>'
        )

    weasy_lines.forget_plans()
    fresh = weasy_lines_of(html(2000))
    turns = weasy_lines.STATS.page_turns
    for height in range(150, 260, 22):
        weasy_lines_of(html(height))
    assert weasy_lines.STATS.page_turns > turns, "some page is meant to be set again"
    assert weasy_lines_of(html(2000)) == fresh


# --- a URL: pieces kept whole, a zero-width space between them (render/print_urls.py) -------

URL = (
    "http://yosemite.epa.gov/opa/admpress.nsf/6427a6b7538955c585257359003f0230/"
    "2c861bd40017ca988525735600604ee3!OpenDocument&Start=3.2&Count=5&Expand=3.4"
)


def url_html(width: int) -> str:
    """A justified paragraph with URL as the print page has it."""
    from pressroom.render import print_urls

    nowrap = '<span style="white-space: nowrap">{}</span>'
    pieces = "".join(
        str(p["c"]) if p["t"] == "Str" else nowrap.format(p["c"][1][0]["c"])  # type: ignore[index]
        for p in print_urls.pieces(URL)
    )
    style = f"font: 10pt 'Linux Libertine O'; width: {width}px; hyphens: auto; text-align: justify"
    return f'<p lang="en" style="{style}">The agency\'s release is at {pieces} and was read.</p>'


def test_a_url_breaks_between_its_pieces_and_never_runs_past_the_line() -> None:
    from pressroom.render import print_urls

    runs = [Run("See ", "f", "en-US")]
    for piece in print_urls.pieces(URL):
        text = piece["c"] if piece["t"] == "Str" else piece["c"][1][0]["c"]  # type: ignore[index]
        runs.append(Run(str(text), "f", "en-US", wrap=piece["t"] == "Str"))
    runs.append(Run(" in 2009.", "f", "en-US"))
    for width in (288, 360, 420):  # (the longest piece: 46 characters, 276 units)
        lines = lines_of("", width, runs)
        assert "".join(text for _, text in lines).replace(ZWSP, "") == "See " + URL + " in 2009."
        assert all(line.width <= width for line, _ in lines), width
        assert len(lines) >= len(URL) * 6 // width  # (mono: 6 units a character)


def test_weasyprint_sets_a_url_within_the_line() -> None:
    """Total fit breaks a URL where its zero-width spaces allow, as WeasyPrint's own breaking
    does: before, it knew no break inside one, planned an overfull line, and the end of the URL
    ran past the margin (a dissertation's notes of EPA addresses)."""
    from pressroom import weasy_lines

    assert weasy_lines.install()
    for width in (300, 420):
        lines = weasy_lines_of(url_html(width))
        assert "".join(lines).replace(ZWSP, "").replace(" ", "") == (
            "The agency's release is at " + URL + " and was read."
        ).replace(" ", "")
        assert len(lines) >= 3 and any(line.startswith("/2c861") for line in lines), lines


# --- a hard line break (<br>) ---------------------------------------------------------------


def test_a_hard_line_break_ends_its_line_unstretched() -> None:
    cut = TEXT.index(" ", 200)
    runs = [Run(TEXT[:cut], "f", "en-US"), Run("\n", "f", "en-US"),
            Run(TEXT[cut:], "f", "en-US")]
    joined = "".join(r.text for r in runs)
    for width in (240, 300, 360):
        lines = lines_of("", width, runs)
        ends = [line.end for line, _ in lines]
        # The line before the break ends at it (with the space after it, where WeasyPrint
        # resumes), as set, not justified; the next starts after them.
        assert cut + 2 in ends, width
        before = lines[ends.index(cut + 2)][0]
        assert before.width <= width and before.ratio < 1e-3
        assert lines[ends.index(cut + 2) + 1][0].start == cut + 2
        assert "".join(text for _, text in lines) == joined


def test_a_paragraph_with_a_hard_line_break_is_planned() -> None:
    """A paragraph with a <br> (Markdown's hard line break) is set by total fit too: left to
    WeasyPrint's own breaking it gets its half-word line (a dissertation's paragraph began
    with "Quantitative-" alone)."""
    from pressroom import weasy_lines

    with_break = HALF_WORD.replace("</p>", "<br />\nNext line.</p>")
    assert weasy_lines.install()
    try:
        weasy_lines.uninstall()
        assert half_words(weasy_lines_of(with_break)) == ["Examina\u2010"]  # the bug, shown
    finally:
        weasy_lines.install()
    stats = weasy_lines.STATS
    before = (stats.planned, stats.diverged, stats.native)
    lines = weasy_lines_of(with_break)
    assert half_words(lines) == [] and lines[-1] == "Next line."
    assert stats.planned > before[0] and (stats.diverged, stats.native) == before[1:]
