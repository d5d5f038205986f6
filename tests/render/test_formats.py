"""Each format renders a View; text from profiles is escaped."""

import json

from assess.render.formats import View, renderer

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
