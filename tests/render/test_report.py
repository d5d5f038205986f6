"""The HTML briefing and its annex: summary first, at most 8 A4 pages, self-contained, escaped,
reproducible, no word broken, no internal string on the page, and laid out by a real browser."""

import base64
import html
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import assess
from assess.cli import main
from helpers import REPO, invoke, workspace_args

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SECTIONS = ["summary", "portfolio", "ranking", "priorities", "changes", "gaps"]
ANNEX_SECTIONS = ["ranking", "scores", "routes", "priorities", "portfolio", "changes", "gaps", "countries"]
ARTEFACTS = Path(os.environ.get("ASSESS_TEST_ARTIFACTS", REPO / "test-artifacts")) / "report"
MAX_PAGES = 8
# Every word on the page whose letters a browser laid out on more than one line: a word is a run
# of characters between spaces, hyphens, dashes and slashes (a line may end after a hyphen, never
# inside a word); web addresses (class "url") may break anywhere, and charts are skipped. Scripts
# that break lines between characters (Chinese, Japanese, Korean syllables, Thai) are theirs to break.
BROKEN_WORDS = """
const broken = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const range = document.createRange();
const word = /[^\\s\\-\\u2010-\\u2015\\/]{2,}/g;
let node;
while ((node = walker.nextNode())) {
  const parent = node.parentElement;
  if (!parent || parent.closest('style, svg, .url')) continue;
  let match;
  word.lastIndex = 0;
  while ((match = word.exec(node.data))) {
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
    if (rects.length < 2 || /[\\u0E00-\\u0E7F\\u3040-\\u30FF\\u3400-\\u9FFF\\uAC00-\\uD7AF\\uF900-\\uFAFF]/.test(match[0])) continue;
    const tops = rects.map(r => r.top);
    if (Math.max(...tops) - Math.min(...tops) > rects[0].height / 2) broken.push(match[0]);
  }
}
return broken;
"""


@pytest.fixture
def hostile(mini: Path) -> Path:
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace(
        'source: "test source 1"', 'source: "=cmd|\' /C calc\'!A0 <img src=x onerror=alert(1)>", note: "<script>alert(1)</script>"'
    ).replace('source: "test source 2"', 'source: "Ministry, Report 2024, https://example.org/report?a=1&b=<2>"'))
    fra = mini / "profiles/FRA.yaml"  # a gap France can be funded for
    fra.write_text(fra.read_text().replace("{value: unknown, as_of: 2019-01-01}", "{value: false, as_of: 2019-01-01, source: test}"))
    return mini


def pages_of(root: Path, **options):
    return assess.report(assess.load_workspace(root / "rules", root / "profiles"), **options)


def report_of(root: Path, **options) -> str:
    """The briefing and its annex, one after the other."""
    pages = pages_of(root, **options)
    return pages.main + pages.annex


def section(text: str, name: str) -> str:
    return text.split(f'<section id="{name}"')[1].split("</section>")[0]


def visible(page: str) -> str:
    """The text a reader sees (no style sheet, no markup, no web addresses)."""
    text = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"https?://\S+", " ", text)


@pytest.fixture(scope="module")
def shipped_pages(shipped_workspace):
    """The bundled world's briefing for 2025 against 2019, as a user first read it."""
    return assess.report(shipped_workspace, 2025, compare=2019)


def test_the_summary_comes_first_and_every_section_is_there(hostile: Path):
    pages = pages_of(hostile, year=2024, compare=2019, destination="NOR", budget_usd=1_000_000)
    assert re.findall(r'<section id="([a-z]+)"', pages.main) == SECTIONS
    assert re.findall(r'<section id="([a-z]+)"', pages.annex) == ANNEX_SECTIONS
    summary = section(pages.main, "summary")
    assert "of 2 estimated" in summary and "rest mostly on priors" in summary
    assert "committed buys" in summary and "France" in summary and "Biggest evidence gaps" in summary
    assert "Verify first" in summary and "Why budget is left" in summary
    assert "Largest moves since 2019" in summary
    assert "Tiers are earned by the low bound" in pages.main and "Tiers are earned by the low bound" in pages.annex


def test_the_summary_lists_the_packages_stopping_the_most_flow_and_counts_those_stopping_none(shipped_pages):
    """A planner reads the budget for the flow it stops: the picks listed first stop flow, most
    first, and those that buy score points only are counted, not listed first."""
    summary = visible(section(shipped_pages.main, "summary"))
    listed = summary[summary.index("Stopping the most flow:"):summary.index("stop no flow and are bought")]
    shares = [float(share) for share in re.findall(r"stops (\d+\.\d)% \(", listed)]
    assert len(shares) == 5 and shares == sorted(shares, reverse=True) and shares[0] > 0
    assert "stops no flow" not in listed
    counted = re.search(r"(\d+) of the \d+ packages \(\$[\d,]+\) stop no flow and are bought for their score "
                        r"points: (\d+) act through no flow mechanism .*?, (\d+) through one in a country whose flow "
                        r"does not reach USA", summary)
    assert counted and int(counted[1]) == int(counted[2]) + int(counted[3])  # Myanmar's are off the US routes
    unverified = re.search(r"(\d+) of the (\d+) packages \(\$[\d,]+\) change facts nobody has checked", summary)
    assert unverified and 0 < int(unverified[1]) < int(unverified[2])  # a result resting on priors says so


def test_the_summary_gives_most_likely_tiers_only_for_countries_known_on_half_the_weight(shipped_pages):
    """For a country resting mostly on priors the most likely tier is the priors' (a coin toss per
    unknown fact lands near the middle tier), so the summary counts it only for the others."""
    summary = visible(section(shipped_pages.main, "summary"))
    well_known = int(re.search(r"(\d+) have half or more of the weight known", summary)[1])
    likely = re.search(r"Most likely tiers of the (\d+) whose estimates do not rest mostly on priors: ([^.]+)\.",
                       summary)
    assert likely and int(likely[1]) == well_known
    assert sum(int(count) for count in re.findall(r"(\d+) [a-z]+", likely[2])) == well_known


def test_the_ranking_shows_estimates_rank_intervals_and_both_tiers(shipped_pages):
    ranking = section(shipped_pages.main, "ranking")
    assert "tier earned by the low bound" in ranking and "most likely tier" in ranking
    rows = re.findall(r"<tr><td class=\"num\">(\d+) \((\d+)–(\d+)\)</td>", ranking)
    assert len(rows) == 25 and all(int(best) <= int(rank) <= int(worst) for rank, best, worst in rows)
    assert re.search(r"\d+\.\d \(\d+\.\d–\d+\.\d\)</td>", ranking)  # expected (90% credible)
    assert re.search(r"(established|developing|nascent|advanced), \d+%</td>", ranking)  # the most likely tier
    annex = section(shipped_pages.annex, "ranking")
    assert annex.count("<tr><td") == 193  # the whole ranking is in the annex
    summary = section(shipped_pages.main, "summary")
    assert re.search(r"\d+ of 193 estimates rest mostly on priors", summary)
    assert re.search(r"cut the harm-weighted flow reaching USA by [\d.]+% \([\d.]+% to [\d.]+%", summary)
    assert "verify mail screening sites" in summary and "is left: no other package" in summary


def test_long_tables_are_summarised_in_the_briefing_and_whole_in_the_annex(shipped_pages):
    assert section(shipped_pages.main, "portfolio").count("<tr><td") == 10
    assert section(shipped_pages.annex, "portfolio").count("<tr><td") > 100
    assert section(shipped_pages.main, "changes").count("<tr><td") == 10
    assert section(shipped_pages.annex, "changes").count("<tr><td") > 100
    assert section(shipped_pages.main, "gaps").count("<tr><td") == 10
    assert 'id="country-' not in shipped_pages.main and shipped_pages.annex.count('<details class="country"') == 193
    assert "<details class=\"country\" open" not in shipped_pages.annex  # folded by default


def test_no_placeholder_or_internal_string_reaches_the_page(shipped_pages, shipped_workspace):
    """No editors' remark, no placeholder date, no None or nan, and no fact or package by its identifier."""
    ids = [name for name in [*shipped_workspace.ruleset.facts, *shipped_workspace.ruleset.interventions] if "_" in name]
    for page in shipped_pages:
        text = visible(page)
        assert "which no seed names" not in text and "1900-01-01" not in text
        assert not re.search(r"\b(None|nan|NaN)\b", text)  # (NAN, the News Agency of Nigeria, is a source)
        found = sorted({name for name in ids if re.search(rf"\b{name}\b", text)})
        assert found == []
        assert "insufficient_data" not in text


def test_a_value_a_groupings_law_settles_shows_the_law_as_its_source(shipped_pages):
    austria = shipped_pages.annex.split('id="country-AUT"')[1].split("</details>")[0]
    assert "Commission Delegated Regulation (EU) 2018/729" in austria
    assert "2018-06-07; settled by European Union law (grouping eu))" in visible(austria)


def test_charts_have_goal_names_legends_and_intervals(hostile: Path):
    annex = pages_of(hostile, year=2024, destination="NOR").annex
    scores = section(annex, "scores")
    assert "A Goal A" in scores and "B Goal B" in scores  # goal names, not only ids
    assert "range if unknown facts were at worst / best" in scores and "fixed goalposts" in scores
    assert 'class="swatch"' in scores  # the tier legend
    routes = section(annex, "routes")
    assert "North Sea" in routes and "north_sea" not in routes  # regions by name
    assert "Line width: the link's share of that flow" in routes


def test_self_contained_with_anchors_and_source_links(hostile: Path):
    pages = pages_of(hostile, year=2024, compare=2019, destination="NOR")
    for text in pages:
        assert not re.search(r"<(script|link|iframe|img|object|embed)\b", text, re.I)
        assert not re.search(r"""\bsrc\s*=""", text, re.I)  # nothing is loaded from anywhere
    assert 'id="country-NOR"' in pages.annex and 'href="#country-NOR"' in pages.annex
    assert 'href="report-annex.html#country-NOR"' in pages.main and 'href="report.html"' in pages.annex
    assert '<a class="url" href="https://example.org/report?a=1&amp;b=&lt;2&gt;"' in pages.annex
    hrefs = re.findall(r'<a (?:class="url" )?href="([^"]*)"', pages.main + pages.annex)
    assert all(h.startswith(("#", "report-annex.html", "report.html", "https://")) for h in hrefs)


def test_a_legal_citation_in_a_source_stays_one_word(mini: Path):
    """Browsers may break a line between ')' and '(': a citation such as 3(1)(11) is kept whole,
    and a web address beside it still breaks anywhere (the browser test measures the rest)."""
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace(
        'source: "test source 2"', 'source: "Saeima, AML Law, Section 3(1)(11), <b>, https://likumi.lv/ta/id/1"'))
    annex = pages_of(mini, year=2024, destination="NOR").annex
    assert ('Section <span class="keep">3(1)(11),</span> &lt;b&gt;, <a class="url" href="https://likumi.lv/ta/id/1">'
            in annex)


def test_the_annex_is_named_after_the_briefing(hostile: Path):
    pages = pages_of(hostile, year=2024, destination="NOR", annex="brief 2025-annex.html")
    assert 'href="brief%202025-annex.html#' in pages.main and 'href="brief%202025.html"' in pages.annex
    assert assess.api.annex_name("report.html") == "report-annex.html" and assess.api.annex_name("x") == "x-annex.html"
    assert 'href="b.htm"' in pages_of(hostile, year=2024, destination="NOR", annex="b-annex.htm").annex


def test_profile_text_is_escaped_by_the_template(hostile: Path):
    text = report_of(hostile, year=2019, destination="NOR")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text


def test_country_headings_read_insufficient_data_once(mini: Path):
    text = report_of(mini, year=2024, destination="NOR")
    assert "insufficient_data" not in text.split('<section id="countries"')[1]


def test_reproducible(mini: Path):
    assert pages_of(mini, year=2024, destination="NOR") == pages_of(mini, year=2024, destination="NOR")


def test_cli_writes_the_briefing_and_its_annex(mini: Path, tmp_path: Path):
    target = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"),
                                       "--destination", "NOR", "-o", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "report-annex.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and chromedriver are not installed "
                    "(Debian packages chromium and chromium-driver; .ci/run installs them)")
def test_lays_out_in_headless_chromium_on_screen_and_in_print(shipped_pages, tmp_path: Path):
    """The bundled world's briefing: at 1366 px nothing overflows sideways, no word is broken and there
    are no console errors; printed on A4 it fits the page's width, breaks no word and takes at most
    8 pages. The annex lays out too. Screenshots of every section of the briefing, the annex's first and the briefing's PDF go to the artefacts."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    main_page, annex_page = tmp_path / "report.html", tmp_path / "report-annex.html"
    main_page.write_text(shipped_pages.main, encoding="utf-8")
    annex_page.write_text(shipped_pages.annex, encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1366,900", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    a4 = PrintOptions()
    a4.page_width, a4.page_height = 21.0, 29.7
    a4.margin_top = a4.margin_bottom = a4.margin_left = a4.margin_right = 1.4
    try:
        for page, sections, name in ((main_page, SECTIONS, "main"), (annex_page, ANNEX_SECTIONS, "annex")):
            driver.set_window_size(1366, 900)
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
            driver.get(page.as_uri())
            assert driver.title.startswith("Synthetic-drug capacity assessment, 2025")
            assert driver.execute_script("return document.querySelectorAll('script').length") == 0
            assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366
            height = driver.execute_script("return document.documentElement.scrollHeight")
            if name == "annex":  # every country's details opened, so that their words are measured too
                driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert driver.execute_script(BROKEN_WORDS) == [], f"words broken at 1366 px in the {name}"
            for section_id in sections if name == "main" else sections[:1]:  # the annex: its first screen
                shot = ARTEFACTS / f"1366-{name}-{section_id}.png"
                element = driver.find_element("css selector", f"#{section_id}")
                driver.execute_script("arguments[0].scrollIntoView()", element)
                assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 3_000
            assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
            driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = false)")
            if name == "main":  # the briefing is what prints; the annex (74 pages) is read on screen
                pdf = base64.b64decode(driver.print_page(a4))
                (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
                pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
                assert height < 12_000, height  # about 13 screens, not 200
                assert pdf.startswith(b"%PDF") and 2 <= pages <= MAX_PAGES, pages
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            driver.set_window_size(688, 1000)  # A4 at 96 px per inch (794) less the 14 mm margins
            viewport = driver.execute_script("return document.documentElement.clientWidth")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= viewport, name
            if name == "annex":
                driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert driver.execute_script(BROKEN_WORDS) == [], f"words broken in print in the {name}"
    finally:
        driver.quit()


def test_report_takes_the_draws_and_seed_of_its_estimates_as_run_does(mini: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    done = invoke("report", "--year", "2024", "--destination", "NOR", "--draws", "250", "--seed", "3", "-o", str(out),
                  *workspace_args(mini))
    assert done.exit_code == 0, done.output
    stamps = out.read_text() + out.with_name("r-annex.html").read_text()
    assert "estimates: 250 joint draws from seed 3" in stamps and "2000 joint draws" not in stamps


def test_report_reports_progress_in_steps(mini: Path):
    calls: list[tuple[int, int]] = []
    report_of(mini, year=2024, destination="NOR", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_at_scale_the_page_summarises_and_details_the_countries_it_names(hostile: Path, monkeypatch: pytest.MonkeyPatch):
    from assess.render import report

    options = {"year": 2024, "destination": "NOR", "budget_usd": 1_000_000}
    whole = report_of(hostile, **options)
    assert whole.count('<details class="country"') == 2 and "bands of 5 points" not in whole
    monkeypatch.setattr(report, "AT_SCALE", 0)  # a page for more countries than it lists one by one
    text = report_of(hostile, **options)
    assert "bands of 5 points" in text and "countries" in section(text, "scores")
    assert text.count('<details class="country"') == 1 and 'id="country-FRA"' in text  # FRA is a pick: named above
    assert re.search(r"<a>[^<]*\(NOR\): ", text) and "#country-NOR" not in text  # listed, no dead link
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


def test_the_distribution_counts_every_score_once_in_its_band_of_five_points():
    from assess.render.report import _band_counts

    bands = np.arange(0, 105, 5)
    counts = _band_counts([0.0, 4.99, 5.0, 50.0, 99.9, 100.0], bands)
    assert counts.sum() == 6 and counts[0] == 2 and counts[1] == 1 and counts[10] == 1 and counts[-1] == 2
