"""check --properties: the shipped rules hold; deliberately broken rule sets are caught with a counter-example.

The non-monotone fixture is checked once per module (the slowest check here) and its report
shared by the tests that read it.
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

import assess
from assess.analysis.properties import check_properties
from assess.cli import main
from assess.engine.values import UNKNOWN
from helpers import FIXTURES, MINI

PROPERTIES = ["range", "bounds", "monotonicity", "unknown", "order", "live rules", "caps and tiers", "expectation"]
EXAMPLES = 15  # per property on the mini rule set: the rule-by-rule pass finds the broken rules before any search


def broken(case: str, root: Path) -> Path:
    workspace = root / case
    shutil.copytree(MINI, workspace)
    for source in (FIXTURES / "broken" / case).rglob("*.yaml"):
        shutil.copy(source, workspace / source.relative_to(FIXTURES / "broken" / case))
    return workspace


def run_check(workspace: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["check", "--properties", "--examples", str(EXAMPLES), "--rules", str(workspace / "rules"),
                                     "--profiles", str(workspace / "profiles"), *extra])


@pytest.fixture(scope="module")
def non_monotone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return broken("non_monotone", tmp_path_factory.mktemp("broken"))


@pytest.fixture(scope="module")
def non_monotone_output(non_monotone: Path) -> Result:
    return run_check(non_monotone)  # derandomized: the same search every run


def test_shipped_rules_hold_every_property(shipped_workspace, hypothesis_examples):
    report = check_properties(shipped_workspace.ruleset, examples=hypothesis_examples)
    assert report.failures == []
    assert report.checked == PROPERTIES


def test_mini_rules_hold_every_property():
    result = run_check(MINI)
    assert result.exit_code == 0
    assert f"properties: 8 of 8 hold ({EXAMPLES} examples each)" in result.output
    rows = {line.rsplit(None, 1)[0].strip(): line.split()[-1] for line in result.output.splitlines()
            if line.endswith(("holds", "fails"))}
    assert rows == dict.fromkeys(PROPERTIES, "holds")


def test_non_monotone_rule_is_caught_with_a_readable_counter_example(non_monotone_output: Result):
    result = non_monotone_output
    assert result.exit_code == 1
    assert next(line for line in result.output.splitlines() if line.startswith("monotonicity")).split() == ["monotonicity", "fails"]
    # named rule by rule, before any random search: the rule, the fact, the two values and scores
    assert "monotonicity: rule A.c1.r2: raising lvl from mid to high lowers its score from 100 to 50" in result.output
    example = result.output.split("lowers its score from 100 to 50\n")[1]
    assert yaml.safe_load(example)["facts"] == {"lvl": [{"value": "mid", "as_of": "2024-01-01", "source": "counter-example"}]}


def test_an_undeclared_non_monotone_rule_breaks_the_bounds_too(non_monotone_output: Result):
    # worst and best fills of lvl (low, high) score 0 and 50, but mid scores 100: the bounds lie
    assert "bounds: learning lvl = mid widens mini from [0, 87.5] to [20, 100]" in non_monotone_output.output


def test_derandomized_search_gives_the_same_report(non_monotone: Path, non_monotone_output: Result):
    assert run_check(non_monotone).output == non_monotone_output.output
    assert f"properties: 6 of 8 hold ({EXAMPLES} examples each)" in non_monotone_output.output


def test_same_seed_same_report(non_monotone: Path):
    first = run_check(non_monotone, "--seed", "7", "--examples", "3")  # the last --examples holds
    assert first.output == run_check(non_monotone, "--seed", "7", "--examples", "3").output
    assert re.search(r"^properties: [4-8] of 8 hold \(3 examples each\)$", first.output, re.M)


def test_counter_example_profile_loads_as_a_profile(non_monotone: Path, tmp_path: Path):
    workspace = tmp_path / "copy"
    shutil.copytree(non_monotone, workspace)
    report = check_properties(assess.load_workspace(workspace / "rules", workspace / "profiles").ruleset, examples=EXAMPLES)
    (failure,) = [f for f in report.failures if f.property == "monotonicity"]
    (workspace / "profiles/SWE.yaml").write_text(failure.example.replace("country: XXX", "country: SWE"))
    loaded = assess.load_workspace(workspace / "rules", workspace / "profiles")
    assert loaded.profiles["SWE"].reading("lvl", 2030).value == "mid"  # shrunk to the smallest failing step


def test_declared_exception_is_listed_not_failed(tmp_path: Path):
    workspace = broken("non_monotone", tmp_path)
    goal = workspace / "rules/goals/a.yaml"
    goal.write_text(goal.read_text().replace("        interventions: [fix_a]\n  - id: c2",
                                             "        interventions: [fix_a]\n        non_monotone: mid is the target level\n  - id: c2"))
    result = run_check(workspace)
    assert result.exit_code == 0, result.output
    assert "exempt from monotonicity: A.c1.r2: mid is the target level" in result.output


def test_dead_rule_is_caught(tmp_path: Path):
    result = run_check(broken("dead_rule", tmp_path))
    assert result.exit_code == 1
    assert "A.c1.r1 never fires" in result.output


def test_weight_outside_its_range_is_refused_before_any_property(tmp_path: Path):
    result = run_check(broken("negative_weight", tmp_path))
    assert result.exit_code == 2
    assert result.output.endswith("negative_weight/rules/goals/a.yaml:20:17: error: input should be greater than or equal to 0.001 "
                                  "at 'criteria.0.rules.1.weight'\n")


@pytest.mark.parametrize("value,expected", [("low", "mid"), ("high", None), (UNKNOWN, None)])
def test_step_up_levels(value, expected):
    spec = assess.load_workspace(MINI / "rules", MINI / "profiles").ruleset.facts["lvl"]
    assert (None if value is UNKNOWN else spec.step_up(value)) == expected


def test_the_expectation_property_catches_a_biased_estimate(shipped_workspace, monkeypatch):
    """Raise every aggregate's expected score by a tenth of its bounds' width (the more unknown, the
    more it is raised): the law of total expectation no longer holds, and the property says which
    node and by how much."""
    from assess.engine import arrays

    unbiased = arrays._expected

    def biased(method, level, children, before_caps):
        return unbiased(method, level, children, before_caps) + 0.1 * (level.values[:, 2] - level.values[:, 1])

    monkeypatch.setattr(arrays, "_expected", biased)
    failure = _expectation_failure(shipped_workspace)
    assert failure is not None
    assert "averaged over its prior" in failure.message or "outside its old bounds" in failure.message


def test_the_expectation_property_catches_a_rule_expectation_that_ignores_the_prior(shipped_workspace, monkeypatch):
    from assess.engine import arrays

    exact = arrays._exact

    def halved(table, chunk):
        expected, low, high = exact(table, chunk)
        return expected * 0.5, low, high

    monkeypatch.setattr(arrays, "_exact", halved)
    assert _expectation_failure(shipped_workspace) is not None


def _expectation_failure(workspace):
    """The expectation property alone, on 20 examples; a failure is not shrunk (these tests only ask
    whether one is found, and shrinking on the shipped rule set takes most of the time)."""
    from hypothesis import Phase, settings

    from assess.analysis import properties
    from assess.engine.compile import compile_ruleset

    program = compile_ruleset(workspace.ruleset)
    previous = settings.get_current_profile_name()  # the suite's (repeatable), restored after
    settings.register_profile("found-is-enough", parent=settings.get_profile(previous),
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("found-is-enough")
    try:
        return properties._for_all("expectation", properties._learnings(workspace.ruleset.facts),
                                   lambda case: properties._expectation(program, *case), 20, None)
    finally:
        settings.load_profile(previous)


def test_an_inverted_rule_is_found_and_named_every_time(shipped_workspace):
    """Budapest levels inverted (written as cases, which check cannot read a direction from): the
    rule-by-rule pass names the rule, the fact, the two values and the two scores, whatever the seed."""
    import dataclasses

    from assess.engine.scorings import CaseScoring

    goal = next(g for g in shipped_workspace.ruleset.goals if g.id == "G3")
    criterion = goal.criteria[0]
    rule = criterion.rules[0]
    inverted = CaseScoring.model_validate({"cases": [{"when": {"fact": "budapest_status", "is": "party"}, "score": 0},
                                                     {"when": {"fact": "budapest_status", "is": "none"}, "score": 100}],
                                           "otherwise": 50})
    criterion = criterion.model_copy(update={"rules": [rule.model_copy(update={"score": inverted}), *criterion.rules[1:]]})
    goal = goal.model_copy(update={"criteria": [criterion, *goal.criteria[1:]]})
    ruleset = dataclasses.replace(shipped_workspace.ruleset,
                                  goals=tuple(goal if g.id == "G3" else g for g in shipped_workspace.ruleset.goals))
    from assess.analysis.properties import _rule_steps
    from assess.engine.compile import compile_ruleset

    failure = _rule_steps(compile_ruleset(ruleset))  # no random search: the same finding every run
    assert failure is not None and failure.property == "monotonicity"
    assert failure.message == ("rule G3.cybercrime_cooperation.budapest: raising budapest_status from none to "
                               "invited lowers its score from 100 to 50")
    assert _rule_steps(compile_ruleset(shipped_workspace.ruleset)) is None
