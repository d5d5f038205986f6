"""Hypothesis strategies derived from a rule set's fact catalogue, for rule authors' own tests.

    from hypothesis import given
    from assess.testing import snapshots

    @given(snapshots(workspace.ruleset.facts, year=2024))
    def test_my_property(snapshot): ...

Every strategy is built from the catalogue's declared types (boolean, level, number, date,
set), so a new fact is covered without writing a new strategy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from .compile import Snapshot
from .models import BooleanFact, DateFact, FactSpec, LevelFact, NumberFact, SetFact
from .canonical import digest
from .values import UNKNOWN, to_json
from .workspace import CountryProfile, Reading

DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


def known_values(spec: FactSpec) -> st.SearchStrategy[Any]:
    """Any known value of one fact."""
    if isinstance(spec, BooleanFact):
        return st.booleans()
    if isinstance(spec, LevelFact):
        return st.sampled_from(spec.levels)
    if isinstance(spec, NumberFact):
        return st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
    if isinstance(spec, DateFact):
        return DATES
    assert isinstance(spec, SetFact)
    return st.frozensets(st.sampled_from(spec.items))


def values(spec: FactSpec) -> st.SearchStrategy[Any]:
    """A known value or the explicit unknown."""
    return st.one_of(st.just(UNKNOWN), known_values(spec))


def fact_maps(facts: dict[str, FactSpec]) -> st.SearchStrategy[dict[str, Any]]:
    """A value (possibly unknown) for every fact of the catalogue."""
    return st.fixed_dictionaries({name: values(spec) for name, spec in sorted(facts.items())})


def snapshots(facts: dict[str, FactSpec], year: int = 2024) -> st.SearchStrategy[Snapshot]:
    """What compiled rules read: known values only (unknown facts are absent)."""
    return fact_maps(facts).map(lambda chosen: Snapshot({k: v for k, v in chosen.items() if v is not UNKNOWN}, year))


def profile_from(country: str, chosen: dict[str, Any], as_of: dt.date = dt.date(2019, 1, 1)) -> CountryProfile:
    """A one-entry-per-fact profile holding the chosen values (as if read from a file)."""
    history = {name: (Reading(name, value, as_of, None if value is UNKNOWN else "generated", None),)
               for name, value in sorted(chosen.items())}
    content = digest({name: to_json(value) for name, value in chosen.items()})
    return CountryProfile(country, country, f"<generated {country}>", content, history)


def profiles(facts: dict[str, FactSpec], country: str = "NOR") -> st.SearchStrategy[CountryProfile]:
    return fact_maps(facts).map(lambda chosen: profile_from(country, chosen))
