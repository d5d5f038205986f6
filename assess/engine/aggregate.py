"""Stage 5, aggregate: rule scores -> criterion -> goal -> overall.

Scores stay at full precision; nothing is rounded here. Comparisons against goalposts
(tiers, caps) allow ``EPSILON`` so that 74.99999999999999 from a weighted mean is read as the
75 it stands for. Unknown children drop out of a mean and lower the coverage; a level whose
coverage is below the rule set's minimum is "insufficient data", not a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from .results import CapApplied, NodeResult

EPSILON = 1e-9
INSUFFICIENT: Final = "insufficient_data"
SCORED: Final = "scored"


def combine(method: str, pairs: Sequence[tuple[float, float]]) -> float:
    """Aggregate (weight, score) pairs; the result never leaves the range of the inputs."""
    scores = [score for _, score in pairs]
    if method == "minimum":
        return min(scores)
    total = math.fsum(weight for weight, _ in pairs)
    if method == "geometric_mean":
        if min(scores) <= 0:
            return 0.0
        value = math.exp(math.fsum(weight * math.log(score) for weight, score in pairs) / total)
    else:
        value = math.fsum(weight * score for weight, score in pairs) / total
    return min(max(value, min(scores)), max(scores))


def coverage(children: Sequence[NodeResult]) -> float:
    """Share of the children's weight whose facts are known."""
    total = math.fsum(child.weight for child in children)
    return math.fsum(child.weight * child.coverage for child in children) / total


def roll_up(node: NodeResult, method: str, min_coverage: float) -> None:
    """Fill a node's coverage, score and status from its children."""
    node.coverage = coverage(node.children)
    scored = [(child.weight, child.score) for child in node.children if child.score is not None]
    if not scored or node.coverage + EPSILON < min_coverage:
        node.score, node.status = None, INSUFFICIENT
        return
    node.score = combine(method, scored)
    node.status = SCORED


def apply_cap(node: NodeResult, cap_id: str, max_score: float, rationale: str, condition: str) -> None:
    """Lower a node's score to a declared cap (recorded even when the score was already below)."""
    if node.score is None:
        return
    binding = node.score > max_score + EPSILON
    node.caps_applied.append(CapApplied(cap_id, max_score, rationale, condition, binding))
    if binding:
        node.score = max_score


def tier_of(score: float | None, tiers: Sequence[tuple[str, float]]) -> str:
    """The highest tier whose fixed minimum the score reaches."""
    if score is None:
        return INSUFFICIENT
    return [name for name, minimum in tiers if score + EPSILON >= minimum][-1]


def spread_weights(node: NodeResult, share: float) -> None:
    """Give every scored descendant its effective weight (its share of the top score)."""
    node.effective_weight = share
    scored = [child for child in node.children if child.score is not None]
    total = math.fsum(child.weight for child in scored)
    for child in node.children:
        spread_weights(child, share * child.weight / total if child.score is not None else 0.0)
    if node.score is not None and not node.children:
        node.contribution = share * node.score
