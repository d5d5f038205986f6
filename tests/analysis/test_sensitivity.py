"""Sensitivity: the vectorised roll-up agrees with the engine; sampling is deterministic per seed."""

import numpy as np
import pytest
from click.testing import CliRunner

import assess
from assess.analysis.sensitivity import WeightModel, sensitivity
from assess.cli import main
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import snapshot
from helpers import MINI, REPO


def inputs(workspace, year):
    program = compile_ruleset(workspace.ruleset)
    return program, list(workspace.profiles), [snapshot(program, p, year)[0] for p in workspace.profiles.values()]


@pytest.mark.parametrize("rules,profiles,year", [
    (MINI / "rules", MINI / "profiles", 2019), (MINI / "rules", MINI / "profiles", 2024),
    (REPO / "rules/synthetic-drugs-2019", REPO / "country_profiles", 2019),
    (REPO / "rules/synthetic-drugs-2019", REPO / "country_profiles", 2024)])
def test_vectorised_roll_up_equals_the_engine_at_nominal_weights(rules, profiles, year):
    workspace = assess.load_workspace(rules, profiles)
    program, countries, snapshots = inputs(workspace, year)
    model = WeightModel(program, snapshots)
    vectorised = model.overall([np.ones((1, n)) for n in model.sizes], lambda methods: np.full(1, methods[0]))[0]
    engine = {c.country: c.score for c in assess.score(workspace, year).countries}
    for code, value in zip(countries, vectorised, strict=True):
        assert (engine[code] is None and np.isnan(value)) or value == pytest.approx(engine[code], abs=1e-9), code


def test_no_spread_means_no_uncertainty(mini_workspace):
    result = sensitivity(*inputs(mini_workspace, 2024), samples=50, spread=0.0, seed=3)
    nor = next(c for c in result.countries if c.country == "NOR")
    assert (nor.nominal_rank, nor.median_rank, nor.low_rank, nor.high_rank, nor.scored_share) == (1, 1, 1, 1, 1.0)
    fra = next(c for c in result.countries if c.country == "FRA")
    assert fra.nominal_rank is None and fra.scored_share == 0.0


def test_same_seed_same_result_and_seeds_differ():
    workspace = assess.load_workspace(REPO / "rules/synthetic-drugs-2019", REPO / "country_profiles")
    args = inputs(workspace, 2024)
    one = sensitivity(*args, samples=1500, seed=1).to_json()
    assert one == sensitivity(*args, samples=1500, seed=1).to_json()
    assert one != sensitivity(*args, samples=1500, seed=2).to_json()


def test_declared_alternative_methods_are_sampled(mini):
    goal = mini / "rules/goals/b.yaml"
    goal.write_text(goal.read_text().replace("method: geometric_mean", "method: geometric_mean\nalternative_methods: [minimum]"))
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    program, countries, snapshots = inputs(workspace, 2024)
    model = WeightModel(program, snapshots)
    ones = [np.ones((2, n)) for n in model.sizes]
    geometric, minimum = (model.overall(ones, lambda methods, i=i: np.full(2, methods[min(i, len(methods) - 1)]))[0]
                          for i in (0, 1))
    nor = countries.index("NOR")
    assert geometric[nor] == pytest.approx((2 * 56.25 + (100 * 60) ** 0.5) / 3)
    assert minimum[nor] == pytest.approx((2 * 56.25 + 60) / 3)


def test_cli_prints_ranks_and_drivers():
    result = CliRunner().invoke(main, ["sensitivity", "--samples", "300", "--rules", str(REPO / "rules/synthetic-drugs-2019"),
                                       "--profiles", str(REPO / "country_profiles")])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Rank stability over 300 samples (weights ±25%, seed 0)"
