"""Properties of results: rank intervals count every other country, whatever the bounds."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from assess.engine.results import Assessment

ENDS = st.sampled_from([0.0, 12.5, 40.0, 40.0 + 1e-12, 75.0, 100.0])  # few values, so that ends tie


@given(st.lists(st.tuples(ENDS, ENDS, st.booleans()), max_size=12))
def test_rank_intervals_count_every_other_country_pairwise(drawn):
    countries = [SimpleNamespace(country=f"C{i:02d}", overall=SimpleNamespace(
        score=min(a, b) if scored else None, low=min(a, b), high=max(a, b))) for i, (a, b, scored) in enumerate(drawn)]
    intervals = Assessment(None, countries).rank_intervals()  # type: ignore[arg-type]
    scored = [c for c in countries if c.overall.score is not None]
    assert set(intervals) == {c.country for c in scored}
    for c in scored:
        others = [o.overall for o in scored if o is not c]
        surely = sum(o.low > c.overall.high for o in others)
        maybe = sum(o.high > c.overall.low for o in others)
        assert intervals[c.country] == (1 + surely, 1 + maybe)
