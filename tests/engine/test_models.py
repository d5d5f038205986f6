"""The file-format models: what a profile entry's date may be written as."""

import datetime as dt

import pytest
from pydantic import ValidationError

from assess.engine.models import FactEntry


@pytest.mark.parametrize("written,date", [
    ("2021-09-29", dt.date(2021, 9, 29)), (dt.date(2021, 9, 29), dt.date(2021, 9, 29)),
    (2021, dt.date(2021, 12, 31)), ("2021", dt.date(2021, 12, 31)),
    ("2024-02", dt.date(2024, 2, 29)), ("2023-02", dt.date(2023, 2, 28)),
])
def test_a_year_or_a_month_stands_for_its_last_day(written, date):
    """An annual edition dated ``2021`` is read by --year 2021 and later, never by 2020."""
    assert FactEntry(value="7", as_of=written, source="s").as_of == date


@pytest.mark.parametrize("written", ["2021-13", "21", "2021-9", True, "2021-02-30"])
def test_other_dates_are_refused(written):
    with pytest.raises(ValidationError):
        FactEntry(value="7", as_of=written, source="s")


@pytest.mark.parametrize("interdiction", [{"effectiveness": 0.5}, {"effectiveness": 0.5, "goals": {"A": 1},
                                                                    "mechanisms": {"border_interdiction": 1}}])
def test_interdiction_takes_mechanisms_or_goals_never_both_or_neither(interdiction):
    from assess.engine.models import Interdiction

    with pytest.raises(ValidationError, match="exactly one of 'mechanisms'"):
        Interdiction.model_validate(interdiction)


def test_a_rule_names_a_known_mechanism():
    from assess.engine.models import Rule

    rule = {"id": "r", "title": "R", "score": {"when": {"fact": "a", "is": True}}}
    assert Rule.model_validate({**rule, "mechanism": "mail_interdiction"}).mechanism == "mail_interdiction"
    with pytest.raises(ValidationError):
        Rule.model_validate({**rule, "mechanism": "information_sharing"})
