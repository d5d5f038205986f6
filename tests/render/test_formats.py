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
