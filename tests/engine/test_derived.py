"""Derived facts: parsing, units, evaluation, bounds, and their trace through explain, run and facts."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import assess
from assess.engine.compile import compile_ruleset
from assess.engine.derived import (
    ExpressionError,
    Undefined,
    evaluate,
    evaluate_arrays,
    interval,
    parse,
    parse_unit,
    unit_of,
    unit_text,
)
from assess.engine.evaluate import snapshot
from helpers import invoke, workspace_args

FACTS = """\
  gdp: {description: GDP., type: number, unit: USD, min: 0, max: 1.0e+14}
  population: {description: People., type: number, unit: person, min: 1, max: 2.0e+9}
  gdp_per_capita: {description: GDP per person., type: number, unit: USD per person, derived: gdp / population}
"""
RULE = """\
      - id: r5
        title: Wealth
        cites: [{seed: mini.txt, section: "SECTION ONE: CONTROLS"}]
        score: {goalposts: {fact: gdp_per_capita, worst: 0, best: 20000}}
        interventions: [fix_a]
"""
FRANCE = """\
  gdp:
    - {value: 1.2e12, as_of: 2019-06-30, source: "World Bank WDI"}
  population:
    - {value: 1.3e8, as_of: 2019-01-01, source: "UN WPP"}
"""


@pytest.fixture
def derived(mini: Path) -> Path:
    """The mini workspace with GDP per person derived from GDP and population, and a rule scoring it."""
    (mini / "rules/facts.yaml").write_text((mini / "rules/facts.yaml").read_text() + FACTS)
    goal = mini / "rules/goals/a.yaml"
    goal.write_text(goal.read_text().replace("      - id: r4\n", RULE + "      - id: r4\n"))
    (mini / "profiles/FRA.yaml").write_text((mini / "profiles/FRA.yaml").read_text() + FRANCE)
    return mini


def test_an_expression_is_parsed_into_whitelisted_nodes_only():
    assert sorted(parse("ratio(gdp, population) * 100 + log(x) - clamp(y, 0, 1)").facts()) == [
        "gdp", "population", "x", "y"]
    for text, col in (("gdp ** 2", 0), ("__import__('os')", 0), ("gdp.real", 0), ("1 + True", 4), ("max(1)", 0),
                      ("x if y else z", 0), ("[x]", 0), ("gdp +", 0)):
        with pytest.raises(ExpressionError) as caught:
            parse(text)
        assert caught.value.col == col, text
    with pytest.raises(ExpressionError) as caught:
        parse("lg(x)")
    assert caught.value.suggestion == "log"


def test_units_combine_by_multiplication_and_must_match_to_be_added():
    units = {"gdp": parse_unit("USD"), "population": parse_unit("person"), "n": parse_unit("sites")}
    assert parse_unit("USD per person") == parse_unit("USD/person") == unit_of(parse("gdp / population"), units)
    assert unit_text(parse_unit("kg*m/s^2")) == "kg*m/s^2" and parse_unit("1") == ()
    assert unit_of(parse("gdp / population * population"), units) == parse_unit("USD")
    assert unit_of(parse("log(gdp) + 1"), units) == ()  # log takes any quantity and gives a pure number
    assert unit_of(parse("clamp(n, 0, 10)"), units) == parse_unit("sites")  # a bare number takes the unit it meets
    for text in ("gdp + n", "max(gdp, population)", "clamp(n, gdp, 1)"):
        with pytest.raises(ExpressionError, match="only quantities of one unit"):
            unit_of(parse(text), units)


def test_an_undefined_value_is_unknown_with_a_reason_not_a_crash():
    with pytest.raises(Undefined, match="division by zero"):
        evaluate(parse("a / b"), {"a": 1.0, "b": 0.0})
    with pytest.raises(Undefined, match="not positive"):
        evaluate(parse("log(a)"), {"a": -1.0})
    drawn = evaluate_arrays(parse("log(a / b)"), {"a": np.array([1.0, 1.0, -1.0]), "b": np.array([1.0, 0.0, 1.0])})
    assert drawn[0] == 0.0 and np.isnan(drawn[1:]).all()


def test_interval_arithmetic_bounds_each_operation():
    ranges = {"a": (1.0, 2.0), "b": (-1.0, 3.0), "c": (0.0, 4.0)}
    assert interval(parse("a * b"), ranges) == (-2.0, 6.0)
    assert interval(parse("a / c"), ranges) == (0.25, math.inf)  # a divisor reaching zero: unbounded above
    assert interval(parse("a / b"), ranges) == (-math.inf, math.inf)
    assert interval(parse("a - b"), ranges) == (-2.0, 3.0)
    assert interval(parse("clamp(b, 0, 1)"), ranges) == (0.0, 1.0)
    assert interval(parse("log(c)"), ranges) == (-math.inf, math.log(4.0))


def test_a_derived_fact_is_computed_dated_and_sourced_by_its_inputs(derived: Path):
    workspace = assess.load_workspace(derived / "rules", derived / "profiles")
    program = compile_ruleset(workspace.ruleset)
    values, reads = snapshot(program, workspace.profile("FRA"), 2019)
    assert values["gdp_per_capita"] == pytest.approx(1.2e12 / 1.3e8)
    read = reads["gdp_per_capita"]
    assert read.as_of == "2019-06-30" and read.source == "derived from gdp, population"
    assert read.derivation == "gdp_per_capita = gdp / population = 1.2e+12 / 1.3e+08 = 9,230.77"
    assert [r.fact for r in read.inputs] == ["gdp", "population"]
    assert "gdp_per_capita" not in snapshot(program, workspace.profile("NOR"), 2019)[0]  # an input unknown: unknown


def test_an_unknown_derived_fact_is_bounded_by_its_inputs_ranges(derived: Path):
    program = compile_ruleset(assess.load_workspace(derived / "rules", derived / "profiles").ruleset)
    assert program.worst_values["gdp_per_capita"] == 0.0
    assert program.best_values["gdp_per_capita"] == 1e14  # 1e14 USD over 1 person


def test_explain_and_the_json_trace_show_the_derivation(derived: Path):
    shown = invoke("explain", "FRA", "--year", "2019", *workspace_args(derived))
    assert shown.exit_code == 0, shown.output
    assert "gdp_per_capita = gdp / population = 1.2e+12 / 1.3e+08 = 9,230.77" in shown.output
    traced = json.loads(invoke("explain", "FRA", "--year", "2019", "--format", "json", *workspace_args(derived)).output)
    reads = [read for node in _walk(traced) for read in node.get("facts", []) if read["fact"] == "gdp_per_capita"]
    assert reads and reads[0]["derivation"].startswith("gdp_per_capita = gdp / population")
    assert [read["fact"] for read in reads[0]["inputs"]] == ["gdp", "population"]


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_a_zero_population_leaves_the_fact_unknown_with_the_reason(derived: Path):
    facts = derived / "rules/facts.yaml"
    facts.write_text(facts.read_text().replace("min: 1, max: 2.0e+9", "min: 0, max: 2.0e+9"))
    france = derived / "profiles/FRA.yaml"
    france.write_text(france.read_text().replace("value: 1.3e8", "value: 0"))
    shown = invoke("explain", "FRA", "--year", "2019", *workspace_args(derived))
    assert shown.exit_code == 0 and "gdp_per_capita: division by zero" in shown.output


def test_an_unknown_input_is_estimated_through_the_expression(derived: Path):
    facts = derived / "rules/facts.yaml"
    facts.write_text(facts.read_text().replace(
        "unit: person, min: 1, max: 2.0e+9}",
        "unit: person, min: 1, max: 2.0e+9, estimate: {method: prior, prior: [{value: 1.0e+8, p: 0.5}, "
        "{value: 2.4e+8, p: 0.5}], rationale: A test.}}"))
    france = derived / "profiles/FRA.yaml"
    france.write_text(france.read_text().replace("value: 1.3e8", "value: unknown"))
    workspace = assess.load_workspace(derived / "rules", derived / "profiles")
    result = assess.explain(workspace, "FRA", 2019, draws=400)
    rule = next(node for node in result.overall.walk() if node.id == "A.c2.r5")
    # 1.2e12 / 1e8 = 12,000 (60 points) or / 2.4e8 = 5,000 (25 points), each with probability one half
    assert rule.score is None and rule.expected == pytest.approx(42.5)
    assert (rule.low, rule.high) == (0.0, 100.0)


def test_facts_lists_a_derived_fact_with_its_expression_and_its_inputs_readers(derived: Path):
    listed = json.loads(invoke("facts", "--format", "json", *workspace_args(derived)).output)
    lines = {line["name"]: line for line in listed["facts"]}
    assert lines["gdp_per_capita"]["values"] == "number (USD per person) = gdp / population"
    assert lines["gdp"]["read_by"] == ["gdp_per_capita"]
    checked = invoke("check", *workspace_args(derived))
    assert "fact 'gdp' is declared but no rule reads it" not in checked.output


@pytest.mark.parametrize("declared", ["min: 0", "impute: {method: prior, prior: [{value: 1, p: 1}], rationale: an assumption}"])
def test_a_derived_fact_cannot_declare_its_own_range_estimate_or_imputation(derived: Path, declared: str):
    facts = derived / "rules/facts.yaml"
    original = facts.read_text()
    facts.write_text(original.replace("derived: gdp / population}", f"derived: gdp / population, {declared}}}"))
    assert facts.read_text() != original
    with pytest.raises(assess.InputErrors, match=f"a derived fact cannot declare {declared.split(':')[0]}"):
        assess.load_workspace(derived / "rules", derived / "profiles")
