"""Hypothesis strategies derived from a rule set's fact catalogue, for rule authors' own tests.

    from hypothesis import given
    from assess.testing import snapshots

    @given(snapshots(workspace.ruleset.facts, year=2024))
    def test_my_property(snapshot): ...

Every strategy is built from the catalogue's declared types (each fact type brings its own
strategy, see ``assess.engine.facttypes``), so a new fact is covered without writing a new
strategy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from .engine.canonical import digest
from .engine.conditions import Snapshot
from .engine.facttypes import FactSpecBase
from .engine.values import UNKNOWN, to_json
from .engine.workspace import CountryProfile, Reading


def known_values(spec: FactSpecBase) -> st.SearchStrategy[Any]:
    """Any known value of one fact."""
    return spec.strategy()


def values(spec: FactSpecBase) -> st.SearchStrategy[Any]:
    """A known value or the explicit unknown."""
    return st.one_of(st.just(UNKNOWN), known_values(spec))


def fact_maps(facts: Mapping[str, FactSpecBase]) -> st.SearchStrategy[dict[str, Any]]:
    """A value (possibly unknown) for every fact of the catalogue."""
    return st.fixed_dictionaries({name: values(spec) for name, spec in sorted(facts.items())})


def snapshots(facts: Mapping[str, FactSpecBase], year: int = 2024) -> st.SearchStrategy[Snapshot]:
    """What compiled rules read: known values only (unknown facts are absent)."""
    return fact_maps(facts).map(lambda chosen: Snapshot({k: v for k, v in chosen.items() if v is not UNKNOWN}, year))


def profile_from(country: str, chosen: dict[str, Any], as_of: dt.date = dt.date(2019, 1, 1)) -> CountryProfile:
    """A one-entry-per-fact profile holding the chosen values (as if read from a file)."""
    history: dict[str, tuple[Reading, ...]] = {
        name: (Reading(name, value, as_of, None if value is UNKNOWN else "generated", None),)
        for name, value in sorted(chosen.items())}
    content = digest({name: to_json(value) for name, value in chosen.items()})
    return CountryProfile(country, country, f"<generated {country}>", content, history)


def profiles(facts: Mapping[str, FactSpecBase], country: str = "NOR") -> st.SearchStrategy[CountryProfile]:
    return fact_maps(facts).map(lambda chosen: profile_from(country, chosen))
