"""Stage 5, aggregate: rule scores -> criterion -> goal -> overall.

Scores stay at full precision; nothing is rounded here. Comparisons against goalposts
(tiers, caps) allow ``EPSILON`` so that 74.99999999999999 from a weighted mean is read as the
75 it stands for. Unknown children drop out of the point score and lower the coverage; a level
whose coverage is below the rule set's minimum is "insufficient data", not a number.

Bounds do not drop anything: ``low`` combines every child's ``low`` (an unknown rule's worst
admissible score) and ``high`` every child's ``high``. Every method is non-decreasing in each
child, so whatever the unknown facts turn out to be, the score lands in ``[low, high]``; the
point score is kept inside them too. Tiers are earned by ``low``. Children that are not
applicable take no part in either.

Contributions add up: each scored child's part of its level's roll-up (``parts``, defined per
method) sums to the roll-up, and what moves a level off it (a binding cap, the point held within
its bounds) is recorded as a named ``Adjustment``; so the contributions of every rule plus every
adjustment are the overall score, whatever the methods.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from .results import Adjustment, CapApplied, NodeResult

EPSILON = 1e-9
INSUFFICIENT: Final = "insufficient_data"
SCORED: Final = "scored"
NOT_APPLICABLE: Final = "not_applicable"


def combine(method: str, pairs: Sequence[tuple[float, float]]) -> float:
    """Aggregate (weight, score) pairs; the result never leaves the range of the inputs.

    Sums add the pairs in their order, one after another, as the array path (``arrays._roll_up``)
    does column by column: the two give the same float to the last bit, which a test holds."""
    if method == "weighted_mean":  # the common case, in one pass (a level is rolled up three times per entity)
        total = weighted = 0.0
        low = high = pairs[0][1]
        for weight, score in pairs:
            total += weight
            weighted += weight * score
            if score < low:
                low = score
            elif score > high:
                high = score
        value = weighted / total
        return low if value < low else high if value > high else value
    scores = [score for _, score in pairs]
    if method == "minimum":
        return min(scores)
    if min(scores) <= 0:  # a geometric mean with a child at 0 is 0
        return 0.0
    total = sum(weight for weight, _ in pairs)
    value = math.exp(sum(weight * math.log(score) for weight, score in pairs) / total)
    return min(max(value, min(scores)), max(scores))


def rates(method: str, pairs: Sequence[tuple[float, float]], scale: float = 1.0) -> list[float]:
    """Each child's part of ``combine(method, pairs)`` per point of its own score, times ``scale``:
    a child's part is its rate times its score, and the parts add up to the roll-up.

    weighted_mean: its weight over the total weight (the mean's own terms). geometric_mean: its share
    of the log of the mean, ``w_i ln s_i / sum_j w_j ln s_j`` (the mean is a weighted sum in log
    space); a child at 1 point adds nothing there. Where a child scores below 1 point (logs of both
    signs, or none above zero) the shares are of ``w_i s_i`` instead; a child at 0 makes the mean 0
    and every part 0. minimum: the binding child (the lowest; ties share it equally) carries the
    score, the others nothing.
    """
    if method == "weighted_mean":
        total = sum(weight for weight, _ in pairs)
        # in the order the effective weight is computed (scale * weight / total), so that a rule's
        # contribution under weighted means stays its effective weight times its score to the last bit
        return [scale * weight / total for weight, _ in pairs]
    value = combine(method, pairs)
    if method == "minimum":
        binding = [score == value for _, score in pairs]
        return [scale / sum(binding) if bound else 0.0 for bound in binding]
    if value <= 0:
        return [0.0] * len(pairs)
    logs = [weight * math.log(score) for weight, score in pairs]
    log_total = sum(logs)
    if min(score for _, score in pairs) >= 1 and log_total > 0:
        return [scale * value * term / log_total / score for term, (_, score) in zip(logs, pairs, strict=True)]
    weighted = sum(weight * score for weight, score in pairs)
    return [scale * value * weight / weighted for weight, _ in pairs]


def coverage(children: Sequence[NodeResult]) -> float:
    """Share of the children's weight whose facts are known."""
    total = sum(child.weight for child in children)
    return sum(child.weight * child.coverage for child in children) / total


def roll_up(node: NodeResult, method: str, min_coverage: float) -> None:
    """Fill a node's coverage, score, bounds and status from its applicable children."""
    children = [child for child in node.children if child.applicable]
    if not children:
        node.status = NOT_APPLICABLE
        return
    node.coverage = coverage(children)
    node.low = combine(method, [(child.weight, _bound(child.low)) for child in children])
    node.high = combine(method, [(child.weight, _bound(child.high)) for child in children])
    scored = [(child.weight, child.score) for child in children if child.score is not None]
    if not scored or node.coverage + EPSILON < min_coverage:
        node.score, node.status = None, INSUFFICIENT
        return
    # The point score leaves unknown children out. Where that gives a number no completion of the
    # unknown facts could produce (an unknown rule whose worst is above the known mean), it is
    # brought to the nearest score that is possible, so the point always lies within its bounds.
    rolled = combine(method, scored)
    node.score = min(max(rolled, node.low), node.high)
    node.status = SCORED
    if node.score != rolled:
        side = "high" if node.score < rolled else "low"
        node.adjustments.append(Adjustment("bounds", f"its scored parts roll up to {rolled:.1f}, which no value of the "
                                           f"unknown facts allows: held at its {side} bound", node.score - rolled))


def _bound(value: float | None) -> float:
    assert value is not None, "every applicable node has bounds"
    return value


def apply_cap(node: NodeResult, cap_id: str, max_score: float, rationale: str, condition: str,
              holds: bool | None) -> None:
    """Lower a node to a declared cap whose condition holds (recorded even when the score was already
    below); a cap whose condition is unknown lowers only ``low``, since it may or may not apply."""
    if not node.applicable or holds is False:
        return
    if node.low is not None and node.low > max_score:
        node.low = max_score
    if not holds:
        return
    if node.high is not None and node.high > max_score:
        node.high = max_score
    if node.score is None:
        return
    binding = node.score > max_score + EPSILON
    node.caps_applied.append(CapApplied(cap_id, max_score, rationale, condition, binding))
    if binding:
        node.adjustments.append(Adjustment("cap", f"cap {cap_id} at {max_score:g}: {condition}",
                                           max_score - node.score))
        node.score = max_score


def tier_of(score: float | None, tiers: Sequence[tuple[str, float]]) -> str:
    """The highest tier whose fixed minimum the score reaches."""
    if score is None:
        return INSUFFICIENT
    return [name for name, minimum in tiers if score + EPSILON >= minimum][-1]


def spread_weights(node: NodeResult, effective: float, share: float) -> None:
    """Give every descendant its effective weight (its share of the top score among what is scored)
    and its share (the same if every fact were known); not-applicable nodes get neither."""
    node.effective_weight, node.share = effective, share
    scored_total = sum(child.weight for child in node.children if child.score is not None)
    applicable_total = sum(child.weight for child in node.children if child.applicable)
    for child in node.children:
        spread_weights(child, effective * child.weight / scored_total if child.score is not None else 0.0,
                       share * child.weight / applicable_total if child.applicable else 0.0)


def spread_contributions(node: NodeResult, rate: float) -> None:
    """Give the node, its adjustments and its descendants the points each adds to the score at the
    top (``rate``: points of it per point of this node's score). A child's rate is its ``rates``
    share of its parent's, so children plus adjustments add up to the parent's contribution. Below
    a level with no score (insufficient data) the rate is 0: nothing it holds adds a point now."""
    node.contribution = None if node.score is None else rate * node.score
    for adjustment in node.adjustments:
        adjustment.contribution = rate * adjustment.points
    scored = [child for child in node.children if child.applicable and child.score is not None]
    shares = iter(rates(_method(node), [(child.weight, _bound(child.score)) for child in scored], rate)
                  if scored else [])
    for child in node.children:
        if child.applicable:
            spread_contributions(child, next(shares) if child.score is not None else 0.0)


def _method(node: NodeResult) -> str:
    assert node.method is not None, "every level declares its method"
    return node.method
