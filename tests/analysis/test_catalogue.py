"""assess facts: the catalogue with how many profiles know each fact."""

from assess import api

EU_LAW = ("npp_anpp_controlled", "fentanyl_pre_precursors_controlled")


def test_a_fact_a_groupings_law_settles_is_known_for_every_member(shipped_workspace):
    """36 and 31 profiles before the law moved to the eu grouping, and still (27 members, 28 with the
    United Kingdom for NPP/ANPP, a member when Regulation 2018/729 entered into force, and the rest),
    plus the national law imported since: Argentina's (both facts), Brazil's and Japan's pre-precursors,
    Egypt's NPP/ANPP, Guatemala's, Costa Rica's and Singapore's (both facts)."""
    known = {line.name: line.known_in for line in api.facts(shipped_workspace).facts if line.name in EU_LAW}
    assert known == {"npp_anpp_controlled": 41, "fentanyl_pre_precursors_controlled": 37}
    members = [code for code, member in shipped_workspace.ruleset.groupings["eu"].members.items()
               if getattr(member, "until", None) is None]
    assert len(members) == 27
    for code in members:
        profile = shipped_workspace.profiles[code]
        assert all(profile.reading(fact, 2024).settled_by == "European Union law (grouping eu)" for fact in EU_LAW)
