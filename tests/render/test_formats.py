"""Each format renders a View; text from profiles is escaped."""

import json

import pytest

from assess.render.formats import View, renderer
from assess.render.formats.csv_format import cell
from assess.render.formats.markdown_format import escape

HOSTILE = View(["country", "source"], [["NOR", "=cmd|' /C calc'!A0"], ["FRA", "a | b <script>alert(1)</script>"]])


def test_csv_neutralises_formulas():
    text = renderer("csv")(HOSTILE)
    assert "'=cmd|' /C calc'!A0" in text and "\n=cmd" not in text and ",=cmd" not in text


def test_markdown_escapes_pipes_and_html():
    text = renderer("markdown")(HOSTILE)
    assert "a \\| b &lt;script&gt;" in text and "<script>" not in text
    assert all(line.count("|") - line.count("\\|") == 3 for line in text.splitlines() if line.startswith("|"))


def test_table_rounds_for_display_only():
    view = View(["score"], [[62.54999]], data={"score": 62.54999})
    assert "62.5" in renderer("table")(view)
    assert json.loads(renderer("json")(view)) == {"score": 62.54999}


@pytest.mark.parametrize("text,shown", [
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("![p](http://evil/x.png)", "!\\[p\\](http://evil/x.png)"),
    ("[ref]: javascript:alert(1)", "\\[ref\\]: javascript:alert(1)"),
    ("72.3 [41.0–88.5]", "72.3 [41.0–88.5]"),
    ("a|b `code` <b>bold</b>", "a\\|b \\`code\\` &lt;b&gt;bold&lt;/b&gt;"),
    ("line\nbreak \x1b[2J", "line break \\\\x1b[2J"),
])
def test_markdown_cells_are_literal_text(text: str, shown: str):
    assert escape(text) == shown


@pytest.mark.parametrize("value,written", [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+16.7", "+16.7"),
                                           ("-3", "-3"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), (16.7, 16.7)])
def test_csv_guards_formulas_but_not_signed_numbers(value: object, written: object):
    assert cell(value) == written


URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=VI-19&chapter=6"


@pytest.mark.parametrize("width", [40, 60, 140])
def test_a_table_wraps_to_columns_with_every_column(width: int, monkeypatch: pytest.MonkeyPatch):
    """Columns too many to sit side by side are laid out in blocks, each repeating the row's name:
    nothing is wider than COLUMNS, and no column or value is lost."""
    monkeypatch.setenv("COLUMNS", str(width))
    columns = ["rule", *(f"goal{i}" for i in range(8))]
    rows = [[f"rule_{n}", *(f"{n}{i}.0 [1.0–99.0]" for i in range(8))] for n in range(3)]
    text = renderer("table")(View(columns, rows, title="A title " * 20, notes=["a note " * 30]))
    lines = text.splitlines()
    assert max(map(len, lines)) <= width
    headers = [line.split() for line in lines if line.startswith("rule ")]
    assert [column for header in headers for column in header if column != "rule"] == columns[1:]
    assert (len(headers) > 1) == (width < 120)  # 8 intervals of 12 characters, the name and the gaps
    assert all(f"{n}{i}.0" in text for n in range(3) for i in range(8))


@pytest.mark.parametrize("width", [30, 60])
def test_a_long_word_is_broken_to_fit(width: int, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = renderer("table")(View(["rule", "facts read"], [["a.b", f"source ({URL})"]])).splitlines()
    assert max(map(len, lines)) <= width
    start = lines[0].index("facts read")
    assert "".join(line[start:] for line in lines[2:]).replace(" ", "") == f"source({URL})"


def test_a_table_is_left_whole_without_columns_when_piped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    text = renderer("table")(View(["rule", "source"], [["r1", URL]]))
    assert URL in text.splitlines()[-1]


def test_narrow_characters_are_one_cell_wide_to_wcwidth():
    """A table of narrow characters is measured by length: wcwidth must agree, character by character
    and in strings of them (no grapheme rule joins them)."""
    import random

    import wcwidth

    from assess.render.formats.tabulated import NARROW

    printable = sorted(NARROW - {"\n"})
    assert all(wcwidth.wcswidth(c) == 1 for c in printable)
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(printable) for _ in range(rng.randrange(1, 12)))
        assert wcwidth.wcswidth(text) == len(text), text


@pytest.mark.parametrize("fmt", ["simple", "github"])
def test_tables_are_the_same_measured_by_length(fmt: str):
    import tabulate as tabulate_module

    from assess.render.formats.tabulated import tabulate

    rows = [["1 (1–7)", "Côte d'Ivoire", "83.9 (76.5–91.8)", "≥ 50 → ±2\nsecond line"], ["12", "Türkiye", "—", "…"]]
    headers = ["rank", "name", "estimate (90%)", "note"]
    assert tabulate(rows, headers, tablefmt=fmt, disable_numparse=True) == \
        tabulate_module.tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)
    wide = [["東京", "x"]]  # not narrow: measured by wcwidth, as tabulate does
    assert tabulate(wide, ["a", "b"], tablefmt=fmt) == tabulate_module.tabulate(wide, headers=["a", "b"], tablefmt=fmt)
