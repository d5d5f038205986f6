"""Fuzzing the library API's arguments (Hypothesis): any value of any argument ends in a result or in one
of the project's typed errors (``AssessError``), never in another exception; a value the argument's
rule refuses (``api.ARGUMENTS``) is a UsageError saying why, in the words the CLI uses. CI runs a
hundred calls; ``pytest --slow`` runs 1,000."""

import math
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from assess import api
from helpers import MINI

WORKSPACE = assess.load_workspace(MINI / "rules", MINI / "profiles")
SCENARIOS = MINI / "scenarios"

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(1890, 2110), st.integers(-3, 30), st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1.5), st.floats(-1e12, 1e12),
    st.sampled_from(["", "2024", "nan", "svg", "json", "dot", "table", "\x1b[2J", "NOR", 1e11, 1e11 + 1, 2**63, -0.0]),
    st.text(max_size=4))

# (function, the argument fuzzed, the rule it must follow, fixed arguments); valid sizes kept small
CALLS: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("score", "year", "year", {}),
    ("explain", "year", "year", {"country": "NOR"}),
    ("prioritize", "year", "year", {"destination": "NOR", "budget": 1}),
    ("prioritize", "budget", "budget", {"destination": "NOR", "year": 2022}),
    ("portfolio", "budget_usd", "budget_usd", {"destination": "NOR", "year": 2022}),
    ("sensitivity", "samples", "samples", {"year": 2024}),
    ("sensitivity", "spread", "spread", {"year": 2024, "samples": 5}),
    ("sensitivity", "seed", "seed", {"year": 2024, "samples": 5}),
    ("sensitivity", "year", "year", {"samples": 5}),
    ("graph", "fmt", None, {"year": 2024}),
    ("graph", "year", "year", {"fmt": "json"}),
    ("check", "stale_after", "stale_after", {"year": 2024}),
    ("check", "year", "year", {}),
    ("check_properties", "examples", "examples", {}),
    ("diff_years", "new_year", "year", {"old_year": 2019}),
    ("scenario", "until", "year", {"name": "fund-fra", "start": 2022, "directory": SCENARIOS}),
]
OUTCOMES: Counter[str] = Counter()


def fuzz_examples(hypothesis_examples: int, ci: int = 100) -> int:
    return hypothesis_examples if hypothesis_examples > 100 else ci


def call(function: str, argument: str, value: Any, fixed: dict[str, Any]) -> Any:
    """The call, with a valid large count made small (10**8 samples stays: it is refused for memory)."""
    valid = argument in api.ARGUMENTS and value is not None and api.argument_problem(argument, value) is None
    if valid and function == "check_properties" and value > 3:
        value = 3
    if valid and function == "sensitivity" and argument == "samples" and 50 < value < 10**8:
        value = 50
    return getattr(api, function)(WORKSPACE, **{**fixed, argument: value})


def test_api_arguments_at_any_value_end_in_a_result_or_a_typed_error(hypothesis_examples: int):
    @settings(max_examples=fuzz_examples(hypothesis_examples), deadline=None, database=None,
              derandomize=hypothesis_examples <= 100,  # the same calls on every CI run; --slow explores
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.nested_given])  # check_properties nests one
    @given(case=st.sampled_from(CALLS), value=VALUES)
    def fuzz(case: tuple[str, str, str | None, dict[str, Any]], value: Any) -> None:
        function, argument, rule, fixed = case
        required = argument in ("samples", "spread", "seed", "examples", "budget_usd", "fmt")
        problem = api.argument_problem(rule, value) if rule is not None and value is not None else None
        if value is None and required:
            problem = "None is not a"
        if rule is None:
            problem = None if value in api.GRAPH_FORMATS else "not a format"
        try:
            call(function, argument, value, fixed)
        except assess.UsageError as error:
            text = str(error)
            assert "\x1b" not in text
            if problem is not None and rule is not None:
                assert problem in text, (text, problem)
            OUTCOMES["usage error" if problem is not None else "usage error (not an argument)"] += 1
            return
        except assess.AssessError:
            OUTCOMES["other typed error"] += 1
            return
        assert problem is None, f"{function}({argument}={value!r}) was accepted, but: {problem}"
        OUTCOMES["result"] += 1

    fuzz()
    print(f"api fuzz: {sum(OUTCOMES.values())} calls, {dict(sorted(OUTCOMES.items()))}")


@pytest.mark.parametrize("function,arguments", [
    ("portfolio", {"budget_usd": math.nan}), ("portfolio", {"budget_usd": -1}), ("prioritize", {"budget": 0}),
    ("sensitivity", {"samples": 0}), ("sensitivity", {"spread": 5}), ("sensitivity", {"seed": -1}),
    ("graph", {"fmt": "svg"}), ("report", {"budget_usd": math.nan}), ("score", {"year": 20244}),
    ("prioritize", {"budget": True}),
])
def test_the_values_the_issue_names_are_usage_errors(function: str, arguments: dict[str, Any]):
    with pytest.raises(assess.UsageError, match=r"^invalid \w+ \(--[\w-]+\): "):
        getattr(api, function)(WORKSPACE, **arguments)


def test_the_cli_refuses_with_the_words_the_api_uses():
    from helpers import invoke, workspace_args

    result = invoke("sensitivity", "--spread", "5", *workspace_args())
    with pytest.raises(assess.UsageError) as caught:
        api.sensitivity(WORKSPACE, spread=5)
    problem = str(caught.value).split(": ", 1)[1]
    assert result.exit_code == 2 and problem in result.output
