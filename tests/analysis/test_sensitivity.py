"""Sensitivity: the vectorised roll-up agrees with the engine's bounds; unknowns are ranges; sampling is
deterministic per seed."""

import numpy as np
import pytest
from click.testing import CliRunner

import assess
from assess.analysis.sensitivity import WeightModel, sensitivity
from assess.cli import main
from assess.engine.compile import compile_ruleset
from assess.engine.evaluate import snapshot
from helpers import MINI, SHIPPED_PROFILES, SHIPPED_RULES, shipped_args


def inputs(workspace, year):
    program = compile_ruleset(workspace.ruleset)
    return program, assess.score(workspace, year), [snapshot(program, p, year)[0] for p in workspace.profiles.values()]


def nominal(model: WeightModel, rules: np.ndarray, uncertain_caps: bool) -> np.ndarray:
    ones = [np.ones((1, n)) for n in model.sizes]
    coins = [np.full((1, *caps.shape), uncertain_caps) for caps in model.possible_caps]
    return model.overall(ones, lambda methods: np.full(1, methods[0]), rules[None], coins)[0]


@pytest.mark.parametrize("rules,profiles,year", [
    (MINI / "rules", MINI / "profiles", 2019), (MINI / "rules", MINI / "profiles", 2024),
    (SHIPPED_RULES, SHIPPED_PROFILES, 2019), (SHIPPED_RULES, SHIPPED_PROFILES, 2024)])
def test_vectorised_roll_up_of_the_bounds_equals_the_engine(rules, profiles, year):
    workspace = assess.load_workspace(rules, profiles)
    program, assessment, snapshots = inputs(workspace, year)
    model = WeightModel(program, assessment, snapshots)
    # the low bound: every unknown rule at its low, every cap that may apply applied; the high: neither
    lows = nominal(model, np.where(model.unknown, model.low, model.point), True)
    highs = nominal(model, np.where(model.unknown, model.high, model.point), False)
    for result, low, high in zip(assessment.countries, lows, highs, strict=True):
        assert low == pytest.approx(result.overall.low, abs=1e-9), result.country
        assert high == pytest.approx(result.overall.high, abs=1e-9), result.country


def test_a_fully_known_country_without_spread_never_moves(mini_workspace):
    result = sensitivity(*inputs(mini_workspace, 2024), samples=50, spread=0.0, seed=3)
    nor = next(c for c in result.countries if c.country == "NOR")
    assert (nor.nominal_rank, nor.known_share) == (1, 1.0)
    fra = next(c for c in result.countries if c.country == "FRA")
    assert fra.nominal_rank is None and fra.known_share == pytest.approx(0.25)
    # FRA's unknowns are drawn within bounds, so it is ranked in every sample, sometimes above NOR
    assert fra.median_rank is not None and fra.low_rank == 1


def test_unknown_rules_are_drawn_within_their_bounds(mini_workspace):
    program, assessment, snapshots = inputs(mini_workspace, 2024)
    model = WeightModel(program, assessment, snapshots)
    drawn = model.draw_rules(np.random.default_rng(0).random((200, *model.point.shape)))
    assert np.all((drawn >= model.low[None] - 1e-12) & (drawn <= model.high[None] + 1e-12) | np.isnan(drawn))
    known = ~np.isnan(model.point)
    assert np.array_equal(drawn[:, known], np.broadcast_to(model.point[known], (200, known.sum())))


def test_same_seed_same_result_and_seeds_differ(shipped_workspace):
    args = inputs(shipped_workspace, 2024)
    one = sensitivity(*args, samples=500, seed=1).to_json()
    assert one == sensitivity(*args, samples=500, seed=1).to_json()
    assert one != sensitivity(*args, samples=500, seed=2).to_json()


def test_declared_alternative_methods_are_sampled(mini):
    goal = mini / "rules/goals/b.yaml"
    goal.write_text(goal.read_text().replace("method: geometric_mean", "method: geometric_mean\nalternative_methods: [minimum]"))
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    program, assessment, snapshots = inputs(workspace, 2024)
    model = WeightModel(program, assessment, snapshots)
    ones = [np.ones((2, n)) for n in model.sizes]
    rules = np.broadcast_to(np.where(model.unknown, model.low, model.point), (2, *model.point.shape))
    coins = [np.zeros((2, *caps.shape), dtype=bool) for caps in model.possible_caps]
    geometric, minimum = (model.overall(ones, lambda methods, i=i: np.full(2, methods[min(i, len(methods) - 1)]),
                                        rules, coins)[0] for i in (0, 1))
    nor = [c.country for c in assessment.countries].index("NOR")
    assert geometric[nor] == pytest.approx((2 * 56.25 + (100 * 60) ** 0.5) / 3)
    assert minimum[nor] == pytest.approx((2 * 56.25 + 60) / 3)


def test_cli_prints_ranks_and_drivers():
    result = CliRunner().invoke(main, ["sensitivity", "--samples", "300", *shipped_args()])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ("Rank stability over 300 samples (weights ±25%, unknown facts drawn from "
                                             "their priors, seed 0)")


def test_unknown_rules_are_drawn_from_their_priors(shipped_workspace):
    """An unknown rule's draws average to the engine's expected score for it (the priors' mean)."""
    program, assessment, snapshots = inputs(shipped_workspace, 2025)
    model = WeightModel(program, assessment, snapshots)
    assert model.priors, "the shipped rule set estimates its unknowns"
    draws = 2000  # the means within 4 standard errors (4.5 points): a bias of a few points shows
    drawn = model.draw_rules(np.random.default_rng(0).random((draws, *model.point.shape)))
    checked = 0
    for rule, (rows, _, _) in list(model.priors.items())[:5]:
        for row in rows[:5]:
            node = assessment.countries[row].rules()[rule]
            assert node.expected is not None
            assert drawn[:, row, rule].mean() == pytest.approx(node.expected, abs=4 * 50 / np.sqrt(draws))
            checked += 1
    assert checked >= 10
