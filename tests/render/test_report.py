"""The HTML briefing: summary first, self-contained, escaped, reproducible, and laid out by a real browser."""

import base64
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import assess
from assess.cli import main
from helpers import REPO

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SECTIONS = ["summary", "scores", "routes", "priorities", "portfolio", "changes", "countries"]
ARTEFACTS = Path(os.environ.get("ASSESS_TEST_ARTIFACTS", REPO / "test-artifacts")) / "report"


@pytest.fixture
def hostile(mini: Path) -> Path:
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace(
        'source: "test source 1"', 'source: "=cmd|\' /C calc\'!A0 <img src=x onerror=alert(1)>", note: "<script>alert(1)</script>"'
    ).replace('source: "test source 2"', 'source: "Ministry, Report 2024, https://example.org/report?a=1&b=<2>"'))
    fra = mini / "profiles/FRA.yaml"  # a gap France can be funded for
    fra.write_text(fra.read_text().replace("{value: unknown, as_of: 2019-01-01}", "{value: false, as_of: 2019-01-01, source: test}"))
    return mini


def report_of(root: Path, **options) -> str:
    return assess.report(assess.load_workspace(root / "rules", root / "profiles"), **options)


def test_the_summary_comes_first_and_every_section_is_there(hostile: Path):
    text = report_of(hostile, year=2024, compare=2019, destination="NOR", budget_usd=1_000_000)
    found = re.findall(r'<section id="([a-z]+)">', text)
    assert found == SECTIONS
    summary = text.split('<section id="summary">')[1].split("</section>")[0]
    assert "2 of 2 scored" in summary or "of 2 scored" in summary
    assert "What to fund" in summary and "France" in summary and "Biggest evidence gaps" in summary
    assert "Largest moves since 2019" in summary


def test_charts_have_goal_names_legends_and_intervals(hostile: Path):
    text = report_of(hostile, year=2024, destination="NOR")
    scores = text.split('<section id="scores">')[1].split("</section>")[0]
    assert "A Goal A" in scores and "B Goal B" in scores  # goal names, not only ids
    assert "range if unknown facts were at worst / best" in scores and "fixed goalposts" in scores
    assert 'class="swatch"' in scores  # the tier legend
    routes = text.split('<section id="routes">')[1].split("</section>")[0]
    assert "North Sea" in routes and "north_sea" not in routes  # regions by name
    assert "Line width: the link's share of that flow" in routes


def test_self_contained_with_anchors_and_source_links(hostile: Path):
    text = report_of(hostile, year=2024, compare=2019, destination="NOR")
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", text, re.I)
    assert not re.search(r"""\bsrc\s*=""", text, re.I)  # nothing is loaded from anywhere
    assert 'id="country-NOR"' in text and 'href="#country-NOR"' in text
    assert '<a href="https://example.org/report?a=1&amp;b=">https://example.org/report?a=1&amp;b=</a>' not in text
    assert 'href="https://example.org/report?a=1&amp;b=&lt;2&gt;"' in text
    hrefs = re.findall(r'<a href="([^"]*)"', text)
    assert all(h.startswith(("#country-", "https://")) for h in hrefs)


def test_profile_text_is_escaped_by_the_template(hostile: Path):
    text = report_of(hostile, year=2019, destination="NOR")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text


def test_country_headings_read_insufficient_data_once(mini: Path):
    text = report_of(mini, year=2024, destination="NOR")
    assert "insufficient_data" not in text.split('<section id="countries">')[1]


def test_reproducible(mini: Path):
    assert report_of(mini, year=2024, destination="NOR") == report_of(mini, year=2024, destination="NOR")


def test_cli_writes_the_file(mini: Path, tmp_path: Path):
    target = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"),
                                       "--destination", "NOR", "-o", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and chromedriver are not installed "
                    "(Debian packages chromium and chromium-driver; .ci/run installs them)")
def test_lays_out_in_headless_chromium_on_screen_and_in_print(hostile: Path, tmp_path: Path):
    """At 1366 px nothing overflows sideways and there are no console errors; printed on A4 every
    section fits the page's width. Screenshots of every section and the PDF go to the artefacts."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    page = tmp_path / "report.html"
    page.write_text(report_of(hostile, year=2024, compare=2019, destination="NOR", budget_usd=1_000_000), encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1366,900", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    try:
        driver.get(page.as_uri())
        assert driver.title == "Synthetic-drug capacity assessment, 2024"
        assert driver.execute_script("return document.querySelectorAll('script').length") == 0
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366
        for section in SECTIONS:
            shot = ARTEFACTS / f"1366-{section}.png"
            assert driver.find_element("css selector", f"#{section}").screenshot(str(shot)) and shot.stat().st_size > 3_000
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.set_window_size(688, 1000)  # A4 at 96 px per inch (794) less the 14 mm margins
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= viewport
        pdf = base64.b64decode(driver.print_page(PrintOptions()))
        (ARTEFACTS / "print.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    finally:
        driver.quit()


def test_report_reports_progress_in_steps(mini: Path):
    calls: list[tuple[int, int]] = []
    report_of(mini, year=2024, destination="NOR", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_at_scale_the_page_summarises_and_details_the_countries_it_names(hostile: Path, monkeypatch: pytest.MonkeyPatch):
    from assess.render import report

    options = {"year": 2024, "destination": "NOR", "budget_usd": 1_000_000}
    whole = report_of(hostile, **options)
    assert whole.count('<article class="country"') == 2 and "bands of 5 points" not in whole
    monkeypatch.setattr(report, "AT_SCALE", 0)  # a page for more countries than it lists one by one
    text = report_of(hostile, **options)
    assert "bands of 5 points" in text and "countries" in text.split('<section id="scores">')[1].split("</section>")[0]
    assert text.count('<article class="country"') == 1 and 'id="country-FRA"' in text  # FRA is a pick: named above
    assert re.search(r"<a>[^<]*\(NOR\): ", text) and 'href="#country-NOR"' not in text  # listed, no dead link
    assert "Details are written for the 0 best-ranked countries and every country named above" in text


def test_titles_and_names_reach_charts_as_plain_text(mini: Path):
    r"""A goal title or an entity name with ``$\foo$`` is dollars and a backslash, never mathtext."""
    for goal in (mini / "rules/goals").glob("*.yaml"):
        text = goal.read_text()
        goal.write_text(re.sub(r"^title: (.*)$", r"title: 'Costs in $\\foo$'", text, count=1, flags=re.M))
    assert invoke_new(mini) == 0
    page = report_of(mini, destination="DEU")
    assert "$\\foo$" in page and "Oslo $\\foo$ ^{" in page


def invoke_new(root: Path) -> int:
    result = CliRunner().invoke(main, ["new", "NOR-OSL", "--kind", "city", "--name", r"Oslo $\foo$ ^{", "--rules",
                                       str(root / "rules"), "--profiles", str(root / "profiles")])
    return result.exit_code
