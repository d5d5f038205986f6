"""The library API: every capability is a function of assess.api, and each can be called again."""

import pytest

import assess
from assess import api


def test_every_command_has_an_api_function():
    for name in ("score", "explain", "prioritize", "sensitivity", "check", "check_properties", "diff_outputs",
                 "diff_years", "diff_rules", "graph", "report", "write_outputs", "write_file", "init_workspace",
                 "schemas", "render", "render_many", "load_workspace"):
        assert callable(getattr(api, name)), name


def test_analyses_can_be_called_twice_in_one_process(mini_workspace):
    for _ in range(2):
        ranked = assess.prioritize(mini_workspace, 2022, "NOR", budget=1)
        stable = assess.sensitivity(mini_workspace, 2024, samples=20)
        assert ranked.picks[0].country == "FRA" and stable.samples == 20


def test_render_takes_any_result(mini_workspace):
    result = assess.explain(mini_workspace, "NOR", 2024)
    assert assess.render(result, "json").startswith("{")
    assert "Norway (NOR)" in assess.render(result, "table")
    assert api.render_many([assess.score(mini_workspace, 2019), assess.score(mini_workspace, 2024)], "json").startswith("[")



@pytest.mark.parametrize(("argument", "value"), [("draws", -1), ("draws", 100_001), ("seed", -2)])
def test_estimate_arguments_are_checked_by_the_shared_rules(mini_workspace, argument, value):
    with pytest.raises(assess.UsageError, match=f"invalid {argument} \\(--{argument}\\)"):
        assess.api.score(mini_workspace, 2024, **{argument: value})
