"""The HTML report: self-contained, escaped, reproducible, and rendered by a real browser."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import assess
from assess.cli import main

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def hostile(mini: Path) -> Path:
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace(
        'source: "test source 1"', 'source: "=cmd|\' /C calc\'!A0 <img src=x onerror=alert(1)>", note: "<script>alert(1)</script>"'))
    return mini


def report_of(root: Path, **options) -> str:
    return assess.report(assess.load_workspace(root / "rules", root / "profiles"), **options)


def test_self_contained_with_charts_and_sections(hostile: Path):
    text = report_of(hostile, year=2024, compare=2019, destination="NOR")
    assert text.count("<svg") == 2  # heat map and network
    assert not re.search(r"<(script|link|iframe|img)\b", text, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)
    for heading in ("Scores by strategic goal", "Trafficking routes", "Where assistance buys the most (toward NOR)",
                    "Changes since 2019", "Countries: strengths, gaps and the facts behind them"):
        assert f"<h2>{heading}</h2>" in text


def test_profile_text_is_escaped(hostile: Path):
    text = report_of(hostile, year=2019, destination="NOR")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text


def test_reproducible(mini: Path):
    assert report_of(mini, year=2024, destination="NOR") == report_of(mini, year=2024, destination="NOR")


def test_cli_writes_the_file(mini: Path, tmp_path: Path):
    target = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"),
                                       "--destination", "NOR", "-o", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and chromedriver are not installed "
                    "(Debian packages chromium and chromium-driver; .ci/run installs them)")
def test_renders_in_headless_chromium_without_console_errors(hostile: Path, tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    page = tmp_path / "report.html"
    page.write_text(report_of(hostile, year=2024, compare=2019, destination="NOR"), encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1300,2000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(page.as_uri())
        assert driver.title == "Synthetic-drug capacity assessment, 2024"
        assert len(driver.find_elements("css selector", "svg")) == 2
        assert driver.execute_script("return document.querySelectorAll('script').length") == 0
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
        screenshot = tmp_path / "report.png"
        assert driver.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 10_000
    finally:
        driver.quit()
