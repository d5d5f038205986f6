"""assess check: unused facts, stale values, and sources a reviewer cannot open."""

from pathlib import Path

import pytest

import assess


@pytest.mark.parametrize("source,finding", [
    ("reference/fatf_lists.csv line 45", True), ("shared/reference/x", True), ("seeds/000_x.txt", True),
    ("FATF list read at http://www.xqexn.cn/en/1.html", True), ("https://studylib.net/doc/1", True),
    ("FATF, Increased monitoring, 2024-02-23, https://www.fatf-gafi.org/x.html", False), ("test", False),
])
def test_sources_that_point_to_an_internal_file_or_a_copy_are_findings(mini: Path, source: str, finding: bool):
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace('source: "test source 1"', f'source: "{source}"'))
    report = assess.check(assess.load_workspace(mini / "rules", mini / "profiles"), 2024)
    kinds = [f.kind for f in report.findings]
    assert ("source-not-primary" in kinds) is finding
    if not finding:
        assert any("NOR.yaml:a (2018-01-01)" in weak for weak in report.weak_sources) is (source == "test")


def test_shipped_sources_are_all_openable(shipped_workspace):
    report = assess.check(shipped_workspace, 2024)
    assert [f for f in report.findings if f.kind == "source-not-primary"] == []
