"""Derived facts: numbers computed from other facts of the catalogue by a small, safe expression.

A number fact may declare ``derived: gdp / population``. The expression is parsed with Python's
``ast`` module and only a whitelist of nodes is accepted (numbers, names of catalogue facts,
``+ - * /``, unary minus and the functions of ``FUNCTIONS``): nothing is ever evaluated by
Python itself. Every derived fact is checked once, when the rule set is read: its names are
number facts of the catalogue, no derived fact depends on itself, and its unit follows from its
inputs' units (added, compared or clamped quantities share a unit; products and quotients combine
them; ``log`` takes any quantity and gives a pure number).

As of a date a derived fact is its expression over its inputs' values as of that date: unknown
when an input is unknown, and unknown with a reason where the expression is undefined (a
division by zero, the log of a number that is not positive). Its bounds, for a rule that reads it
while it is unknown, are the expression evaluated in interval arithmetic over its inputs'
declared ranges (``min``, ``max``; an open end is infinite); its estimate is the expression over
its inputs' draws.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import did_you_mean

if TYPE_CHECKING:
    import numpy as np

Unit = tuple[tuple[str, int], ...]  # (base unit, exponent) sorted, no zero exponent; () is a pure number
Interval = tuple[float, float]
FUNCTIONS = {"ratio": 2, "log": 1, "log10": 1, "min": 2, "max": 2, "clamp": 3, "coalesce": 2}  # name -> number of arguments
VARIADIC = {"coalesce"}  # functions that take their number of arguments or more
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_PER = re.compile(r"\s+per\s+")
_POWER = re.compile(r"^(.+?)\^(-?\d+)$")


class ExpressionError(ValueError):
    """A derived fact's expression that cannot be used; ``col`` is the 0-based offset in its text."""

    def __init__(self, message: str, col: int = 0, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.col, self.suggestion = col, suggestion


class Undefined(ArithmeticError):
    """The expression has no value for these inputs (a division by zero, the log of zero)."""


class Missing(KeyError):
    """An input the expression needs is not known (``coalesce`` reads past it)."""


# --- Units ------------------------------------------------------------------------------------


def parse_unit(text: str) -> Unit:
    """``USD/person``, ``kg per year``, ``m^2``: base units and their exponents; ``1`` is a pure number.
    Words a unit does not divide or raise are one base unit (``score (1-10)`` is itself)."""
    numerator, *denominators = _PER.sub("/", text.strip()).split("/")
    exponents: dict[str, int] = {}
    for sign, part in [(1, numerator), *((-1, d) for d in denominators)]:
        for atom in part.replace("*", " ").split():
            power = _POWER.match(atom)
            base, exponent = (power.group(1), int(power.group(2))) if power else (atom, 1)
            if base != "1":
                exponents[base] = exponents.get(base, 0) + sign * exponent
    return tuple(sorted((base, e) for base, e in exponents.items() if e))


def unit_text(unit: Unit) -> str:
    """A unit as people write it: ``USD/person``; ``1`` for a pure number."""
    def part(items: list[tuple[str, int]]) -> str:
        return "*".join(base if e == 1 else f"{base}^{e}" for base, e in items)
    above = [(base, e) for base, e in unit if e > 0]
    below = [(base, -e) for base, e in unit if e < 0]
    return (part(above) or "1") + (f"/{part(below)}" if below else "")


def _combine(left: Unit, right: Unit, sign: int) -> Unit:
    exponents = dict(left)
    for base, e in right:
        exponents[base] = exponents.get(base, 0) + sign * e
    return tuple(sorted((base, e) for base, e in exponents.items() if e))


# --- Parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: a number, a fact, an operator or a function and its arguments."""

    kind: str  # "number", "fact", "+", "-", "*", "/", "neg" or a function's name
    col: int
    args: tuple[Node, ...] = ()
    number: float = 0.0
    fact: str = ""

    def facts(self) -> Iterable[str]:
        if self.kind == "fact":
            yield self.fact
        for arg in self.args:
            yield from arg.facts()


def parse(text: str) -> Node:
    """The expression's tree; raises ExpressionError for anything but the whitelisted syntax."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"'{text.strip()}' is not an expression: {exc.msg}", max(0, (exc.offset or 1) - 1)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply to read") from None
    return _node(tree.body)


def _node(node: ast.expr) -> Node:
    col = node.col_offset
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not math.isfinite(node.value):
            raise ExpressionError("a number in an expression must be finite", col)
        return Node("number", col, number=float(node.value))
    if isinstance(node, ast.Name):
        return Node("fact", col, fact=node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return Node(_OPERATORS[type(node.op)], col, (_node(node.left), _node(node.right)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _node(node.operand)
        return Node("neg", col, (operand,)) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _call(node)
    raise ExpressionError(f"'{ast.unparse(node)}' is not allowed in a derived fact: use numbers, facts, + - * / "
                          f"and {', '.join(FUNCTIONS)}", col)


def _call(node: ast.Call) -> Node:
    name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function '{name}'", node.col_offset, did_you_mean(name, FUNCTIONS))
    wanted = FUNCTIONS[name]
    if node.keywords or len(node.args) < wanted or (len(node.args) > wanted and name not in VARIADIC):
        more = " or more" if name in VARIADIC else ""
        raise ExpressionError(f"{name} takes {wanted}{more} argument(s)", node.col_offset)
    return Node(name, node.col_offset, tuple(_node(arg) for arg in node.args))


# --- Units of an expression ---------------------------------------------------------------------


def unit_of(node: Node, units: Mapping[str, Unit]) -> Unit | None:
    """The expression's unit (None: a bare number, which takes the unit of what it is added to or
    compared with); raises ExpressionError where two different units are added or compared."""
    if node.kind == "number":
        return None
    if node.kind == "fact":
        return units[node.fact]
    args = [unit_of(arg, units) for arg in node.args]
    if node.kind in ("log", "log10"):
        return ()  # the log of a quantity's number in its unit: a pure number
    if node.kind in ("*", "/", "ratio"):
        left, right = (() if unit is None else unit for unit in args)
        return _combine(left, right, 1 if node.kind == "*" else -1)
    if node.kind == "neg":
        return args[0]
    known = [unit for unit in args if unit is not None]  # + - min max clamp coalesce: one unit throughout
    for arg, unit in zip(node.args, args, strict=True):
        if unit is not None and unit != known[0]:
            raise ExpressionError(f"'{node.kind}' combines {unit_text(known[0])} with {unit_text(unit)}: "
                                  "only quantities of one unit can be added, subtracted or compared", arg.col)
    return known[0] if known else None


# --- Evaluation: one value, an interval, arrays --------------------------------------------------


def evaluate(node: Node, values: Mapping[str, float]) -> float:
    """The value for known inputs; raises Undefined (with the reason) where it has none."""
    if node.kind == "number":
        return node.number
    if node.kind == "fact":
        if node.fact not in values:
            raise Missing(node.fact)
        return float(values[node.fact])
    if node.kind == "coalesce":
        return _first_with_a_value(node.args, values)
    args = [evaluate(arg, values) for arg in node.args]
    if node.kind in ("/", "ratio") and args[1] == 0:
        raise Undefined("division by zero")
    if node.kind in ("log", "log10") and args[0] <= 0:
        raise Undefined(f"{node.kind} of {args[0]:g}, which is not positive")
    result = _SCALAR[node.kind](*args)
    if not math.isfinite(result):
        raise Undefined("the result is too large to hold")
    return result


def _first_with_a_value(args: tuple[Node, ...], values: Mapping[str, float]) -> float:
    """``coalesce``: the first argument with a value (its inputs known, the expression defined); where
    none has one, why the last has none."""
    for arg in args[:-1]:
        try:
            return evaluate(arg, values)
        except (Missing, Undefined):
            continue
    return evaluate(args[-1], values)


_SCALAR: dict[str, Callable[..., float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "ratio": lambda a, b: a / b, "neg": lambda a: -a, "log": math.log, "log10": math.log10,
    "min": min, "max": max, "clamp": lambda x, lo, hi: min(max(x, lo), hi)}


def evaluate_arrays(node: Node, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The value for arrays of inputs, element by element (NaN where it has none): what draws use."""
    import numpy as np  # only the estimates need it

    if node.kind == "number":
        return np.array(node.number)
    if node.kind == "fact":
        return np.asarray(values[node.fact], float)
    args = [evaluate_arrays(arg, values) for arg in node.args]
    if node.kind == "coalesce":  # the first argument that is a number, element by element
        first = args[-1]
        for arg in reversed(args[:-1]):
            first = np.where(np.isnan(arg), first, arg)
        return np.asarray(first, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if node.kind in ("/", "ratio"):
            result = np.where(args[1] == 0, np.nan, args[0] / np.where(args[1] == 0, 1.0, args[1]))
        elif node.kind in ("log", "log10"):
            positive = args[0] > 0
            taken = (np.log if node.kind == "log" else np.log10)(np.where(positive, args[0], 1.0))
            result = np.where(positive, taken, np.nan)
        else:
            result = _array_operation(node.kind, args)
    return np.where(np.isfinite(result), result, np.nan)


def _array_operation(kind: str, args: list[np.ndarray]) -> np.ndarray:
    import numpy as np

    if kind == "neg":
        negated: np.ndarray = -args[0]
        return negated
    if kind == "clamp":
        clamped: np.ndarray = np.minimum(np.maximum(args[0], args[1]), args[2])
        return clamped
    operation = {"+": np.add, "-": np.subtract, "*": np.multiply, "min": np.minimum, "max": np.maximum}[kind]
    result: np.ndarray = operation(args[0], args[1])
    return result


def interval(node: Node, ranges: Mapping[str, Interval]) -> Interval:
    """Bounds on the value (wherever it is defined) for inputs anywhere in their ranges."""
    if node.kind == "number":
        return node.number, node.number
    if node.kind == "fact":
        return ranges[node.fact]
    args = [interval(arg, ranges) for arg in node.args]
    return _INTERVAL[node.kind](*args)


def _products(a: Interval, b: Interval) -> Interval:
    # 0 * inf stands for a product of zero and any finite number: 0
    ends = [0.0 if math.isnan(x * y) else x * y for x in a for y in b]
    return min(ends), max(ends)


def _quotients(a: Interval, b: Interval) -> Interval:
    low, high = b
    if (low < 0 < high) or low == high == 0:  # the divisor may be as near zero as one likes, on either side
        return -math.inf, math.inf
    # each end divided as the value is (x / y, rounded the same way); a divisor's end at zero stands
    # for divisors ever nearer zero on its side, whose quotients run to infinity
    side = 1.0 if high > 0 else -1.0
    ends = [x / y for x in a for y in b if y != 0 and not (math.isinf(x) and math.isinf(y))]
    ends += [0.0 if x == 0 else math.copysign(math.inf, x * side) for x in a if 0 in b]
    return (min(ends), max(ends)) if ends else (-math.inf, math.inf)


def _log(base: Callable[[float], float]) -> Callable[[Interval], Interval]:
    def bounded(a: Interval) -> Interval:
        low, high = a
        if high <= 0:
            return -math.inf, math.inf  # never defined
        return (base(low) if low > 0 else -math.inf), (base(high) if math.isfinite(high) else math.inf)
    return bounded


_INTERVAL: dict[str, Callable[..., Interval]] = {
    "+": lambda a, b: (a[0] + b[0], a[1] + b[1]), "-": lambda a, b: (a[0] - b[1], a[1] - b[0]),
    "*": _products, "/": _quotients, "ratio": _quotients, "neg": lambda a: (-a[1], -a[0]),
    "log": _log(math.log), "log10": _log(math.log10),
    "min": lambda a, b: (min(a[0], b[0]), min(a[1], b[1])), "max": lambda a, b: (max(a[0], b[0]), max(a[1], b[1])),
    "clamp": lambda x, lo, hi: (min(max(x[0], lo[0]), hi[0]), min(max(x[1], lo[1]), hi[1])),
    "coalesce": lambda *args: (min(a[0] for a in args), max(a[1] for a in args))}


def worked(node: Node, values: Mapping[str, float]) -> str:
    """The expression with its inputs' values in place: ``1.2e+12 / 1.3e+08``."""
    if node.kind == "number":
        return f"{node.number:g}"
    if node.kind == "fact":
        return f"{values[node.fact]:.6g}" if node.fact in values else "unknown"
    parts = [worked(arg, values) for arg in node.args]
    if node.kind == "neg":
        return f"-{_grouped(node.args[0], parts[0], 3)}"
    if node.kind in _PRECEDENCE:
        level = _PRECEDENCE[node.kind]
        # a right operand of - or / of the same precedence keeps its parentheses: a - (b - c)
        return f"{_grouped(node.args[0], parts[0], level)} {node.kind} {_grouped(node.args[1], parts[1], level + 0.5)}"
    return f"{node.kind}({', '.join(parts)})"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _grouped(node: Node, text: str, level: float) -> str:
    needs = node.kind in _PRECEDENCE and _PRECEDENCE[node.kind] < level
    return f"({text})" if needs else text


# --- A catalogue's derived facts ------------------------------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """One derived fact: its expression as written and parsed, and the facts it reads."""

    name: str
    text: str
    tree: Node
    inputs: tuple[str, ...]  # the catalogue facts it names, in order of first appearance

    def value(self, values: Mapping[str, Any]) -> float:
        """The value for the inputs' known values; raises Undefined where it has none."""
        return evaluate(self.tree, values)

    def shown(self, values: Mapping[str, float], result: float) -> str:
        """``gdp_per_capita = gdp / population = 1.2e+12 / 1.3e+08 = 9,230.77``."""
        return f"{self.name} = {self.text} = {worked(self.tree, values)} = {result:,.6g}"


class Derivations:
    """Every derived fact of a catalogue, in an order in which each follows the derived facts it reads.

    Built from a catalogue that ``check_derivations`` passed (a bad expression here is a bug)."""

    def __init__(self, facts: Mapping[str, Any]) -> None:
        parsed = {name: parse(spec.derived) for name, spec in facts.items() if getattr(spec, "derived", None)}
        self.facts = facts
        self.by_name = {name: Derivation(name, facts[name].derived.strip(), tree, tuple(dict.fromkeys(tree.facts())))
                        for name, tree in parsed.items()}
        self.order = _ordered(self.by_name)
        self._ranges: dict[str, Interval] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def bases(self, names: Iterable[str]) -> tuple[str, ...]:
        """The facts that are not derived which the derived facts among ``names`` read, at any depth."""
        found: dict[str, None] = {}
        pending = [name for name in names if name in self.by_name]
        while pending:
            for name in self.by_name[pending.pop()].inputs:
                if name in self.by_name:
                    pending.append(name)
                else:
                    found[name] = None
        return tuple(found)

    def needed(self, names: Iterable[str]) -> tuple[str, ...]:
        """The derived facts among ``names`` and those they read, in ``order``."""
        wanted = {name for name in names if name in self.by_name}
        wanted |= {name for name in self.by_name if any(name in self._depends(other) for other in wanted)}
        return tuple(name for name in self.order if name in wanted)

    def _depends(self, name: str) -> set[str]:
        found: set[str] = set()
        pending = [name]
        while pending:
            for fact in self.by_name[pending.pop()].inputs:
                if fact in self.by_name and fact not in found:
                    found.add(fact)
                    pending.append(fact)
        return found

    def complete(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """``values`` with every derived fact whose inputs are present computed (again: a what-if
        may have changed an input), and why each of those that has no value has none (division by
        zero, a value outside its ``valid_range`` ...). A derived fact with an input absent (one
        ``coalesce`` does not read past) is left as ``values`` has it."""
        completed, undefined = dict(values), {}
        for name in self.order:
            try:
                value = self.by_name[name].value(completed)
            except Missing:
                continue
            except Undefined as why:
                completed.pop(name, None)
                undefined[name] = str(why)
                continue
            invalid = self.facts[name].invalid(value)
            if invalid is None:
                completed[name] = value
            else:  # outside its valid range: no value, as a recorded one would score nothing
                completed.pop(name, None)
                undefined[name] = invalid
        return completed, undefined

    def range(self, name: str) -> Interval:
        """Bounds on a derived fact from its inputs' declared ranges (an open end is infinite)."""
        if name not in self._ranges:
            derivation = self.by_name[name]
            ranges = {fact: self.range(fact) if fact in self.by_name else _declared(self.facts[fact])
                      for fact in derivation.inputs}
            low, high = interval(derivation.tree, ranges)
            valid = getattr(self.facts[name], "valid_range", None)  # a value outside it has none
            if valid is not None:
                low = low if valid.low is None else min(max(low, valid.low), high)
                high = high if valid.high is None else max(min(high, valid.high), low)
            self._ranges[name] = low, high
        return self._ranges[name]

    def worst(self, name: str) -> float:
        low, high = self.range(name)
        return low if self.facts[name].higher_is_better else high

    def best(self, name: str) -> float:
        low, high = self.range(name)
        return high if self.facts[name].higher_is_better else low


def _declared(spec: Any) -> Interval:
    low, high = getattr(spec, "min", None), getattr(spec, "max", None)
    return (-math.inf if low is None else low), (math.inf if high is None else high)


def _ordered(derivations: Mapping[str, Derivation]) -> tuple[str, ...]:
    """The derived facts, each after the derived facts it reads (the catalogue has no cycle)."""
    done: dict[str, None] = {}

    def visit(name: str) -> None:
        if name in done:
            return
        for fact in derivations[name].inputs:
            if fact in derivations:
                visit(fact)
        done[name] = None

    for name in derivations:
        visit(name)
    return tuple(done)


# --- The distribution of a derived fact whose inputs are drawn --------------------------------------

Distribution = tuple[tuple[Any, float], ...]  # (value, probability), ascending
SUPPORT = 64  # the most values a derived fact's distribution keeps (each the mean of the draws it stands for)
PRODUCT = 250_000  # the most combinations of its inputs' values enumerated


def distribution(derivation: Derivation, inputs: Mapping[str, Distribution]) -> Distribution:
    """The distribution of the derived fact when each input is drawn independently from its own
    (a known input: its value with probability 1): the expression over every combination of the
    inputs' values, vectorised. Combinations where it is undefined are left out (the rest scaled up);
    its values are pooled into at most ``SUPPORT`` bins of equal probability, each at its mean."""
    import numpy as np

    names = derivation.inputs
    per_input = max(2, int(PRODUCT ** (1 / max(1, len(names)))))
    parts = [_pooled(inputs[name], per_input) for name in names]
    values = np.meshgrid(*(np.array([float(v) for v, _ in part]) for part in parts), indexing="ij")
    weights = np.meshgrid(*(np.array([p for _, p in part]) for part in parts), indexing="ij")
    result = evaluate_arrays(derivation.tree, {name: grid.ravel() for name, grid in zip(names, values, strict=True)})
    probability = np.prod([grid.ravel() for grid in weights], axis=0) * np.ones(result.shape)
    defined = ~np.isnan(result)
    if not defined.any() or probability[defined].sum() <= 0:
        return ()
    return _pooled(tuple(zip(result[defined].tolist(), (probability[defined] / probability[defined].sum()).tolist(),
                             strict=True)), SUPPORT)


def _pooled(points: Distribution, most: int) -> Distribution:
    """At most ``most`` values: equal values merged, then neighbours pooled into bins of equal
    probability, each at the probability-weighted mean of its values (the mean is kept)."""
    import numpy as np

    values = np.array([float(v) for v, _ in points])
    weights = np.array([p for _, p in points])
    distinct, where = np.unique(values, return_inverse=True)
    merged = np.bincount(where, weights, len(distinct))
    if len(distinct) <= most:
        return tuple(zip(distinct.tolist(), merged.tolist(), strict=True))
    before = np.cumsum(merged) - merged
    bins = np.minimum((before / merged.sum() * most).astype(int), most - 1)
    mass = np.bincount(bins, merged, most)
    means = np.bincount(bins, merged * distinct, most) / np.where(mass > 0, mass, 1)
    kept = mass > 0
    return tuple(zip(means[kept].tolist(), mass[kept].tolist(), strict=True))


# --- Checking a catalogue's derived facts ---------------------------------------------------------


Report = Callable[[str, str, int, "str | None"], None]  # (fact, message, column in its expression, suggestion)


def check_derivations(facts: Mapping[str, Any], report: Report) -> None:
    """Every derived fact's expression is whitelisted syntax over number facts of the catalogue, no
    derived fact depends on itself, and its declared unit is the unit of its expression."""
    trees: dict[str, Node] = {}
    for name, spec in facts.items():
        if getattr(spec, "derived", None):
            try:
                trees[name] = parse(spec.derived)
            except ExpressionError as problem:
                report(name, str(problem), problem.col, problem.suggestion)
    usable = {name: tree for name, tree in trees.items() if _names_checked(name, tree, facts, report)}
    for name in _cyclic(usable):
        report(name, f"'{name}' depends on itself: {' -> '.join(_cycle_from(name, usable))}", 0, None)
    cyclic = set(_cyclic(usable))
    units: dict[str, Unit] = {fact: parse_unit(spec.unit) for fact, spec in facts.items() if hasattr(spec, "unit")}
    for name, tree in usable.items():
        if name not in cyclic:
            _unit_checked(name, tree, units, report)


def _names_checked(name: str, tree: Node, facts: Mapping[str, Any], report: Report) -> bool:
    """Every name is a number fact of the catalogue (reported where it is not)."""
    fine = True
    for node in _fact_nodes(tree):
        spec = facts.get(node.fact)
        if spec is None:
            report(name, f"undeclared fact '{node.fact}'", node.col, did_you_mean(node.fact, facts))
        elif spec.type != "number":
            report(name, f"'{node.fact}' is a {spec.type} fact: a derived fact reads number facts only", node.col, None)
        else:
            continue
        fine = False
    return fine


def _fact_nodes(node: Node) -> Iterable[Node]:
    if node.kind == "fact":
        yield node
    for arg in node.args:
        yield from _fact_nodes(arg)


def _cyclic(trees: Mapping[str, Node]) -> list[str]:
    """The derived facts that depend on themselves, directly or through others."""
    return [name for name in trees if name in _reachable(name, trees)]


def _reachable(start: str, trees: Mapping[str, Node]) -> set[str]:
    seen: set[str] = set()
    pending = [fact for fact in trees[start].facts() if fact in trees]
    while pending:
        fact = pending.pop()
        if fact not in seen:
            seen.add(fact)
            pending.extend(other for other in trees[fact].facts() if other in trees)
    return seen


def _cycle_from(name: str, trees: Mapping[str, Node]) -> list[str]:
    """One path from ``name`` back to itself (for the message)."""
    path, fact = [name], next(f for f in trees[name].facts() if f in trees and name in _reachable(f, trees) | {f})
    while fact != name:
        path.append(fact)
        fact = next(f for f in trees[fact].facts() if f in trees and (f == name or name in _reachable(f, trees)))
    return [*path, name]


def _unit_checked(name: str, tree: Node, units: Mapping[str, Unit], report: Report) -> None:
    try:
        found = unit_of(tree, units)
    except ExpressionError as problem:
        report(name, str(problem), problem.col, None)
        return
    declared = units[name]
    if (found if found is not None else ()) != declared:
        report(name, f"the expression is in {unit_text(found or ())}, but '{name}' declares unit "
                     f"{unit_text(declared)}", 0, None)
