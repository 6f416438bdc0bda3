"""The units-consistency check."""

import warnings

import pytest

import dpmkit as dk
from dpmkit.units import format_units, parse_units


def test_parse_units():
    assert parse_units("people/year") == {"people": 1, "year": -1}
    assert parse_units("people / years") == {"people": 1, "year": -1}
    assert parse_units("young people * year^-1") == {"young people": 1, "year": -1}
    assert parse_units("1/month") == {"month": -1}
    assert parse_units("people/Months") == parse_units("people/month")
    assert parse_units("FTE") != parse_units("fte")  # other names keep their case
    assert parse_units("dimensionless") == {} and parse_units("1") == {}
    assert parse_units("£m/(year*FTE)") == {"£m": 1, "year": -1, "FTE": -1}
    assert format_units(parse_units("people/year")) == "people/year"
    with pytest.raises(ValueError):
        parse_units("people/(year")


def service(served_units="people/year", extra=()):
    return dk.Model("service", [
        dk.Stock("waiting", 100, units="people"),
        dk.Flow("served", "waiting / wait_time", out_of="waiting", units=served_units),
        dk.Param("wait_time", 2, bounds=(1, 5), units="year"),
        *extra,
    ], check_units="off")


def test_consistent_model_has_no_issues():
    assert dk.check_units(service()) == []
    assert dk.check_units(dk.models.load("demo")) == []


def test_flow_units_must_match_stock_per_time():
    issues = dk.check_units(service("people"))
    assert any(i.variable == "served" and "people/year" in i.message for i in issues)


def test_adding_different_units_is_reported():
    m = service(extra=[dk.Aux("mixed", "waiting + wait_time", units="people")])
    issues = dk.check_units(m)
    assert [i.variable for i in issues] == ["mixed"]
    assert "people vs year" in issues[0].message


def test_numbers_adapt_and_functions_are_checked():
    m = service(extra=[
        dk.Aux("half", "0.5 * waiting + 3", units="people"),
        dk.Aux("decay", "EXP(-TIME / wait_time)", units="dimensionless"),
        dk.Aux("bad_exp", "EXP(waiting)", units="dimensionless"),
        dk.Aux("smoothed", "SMTH1(waiting, wait_time)", units="people"),
        dk.Aux("bad_smooth", "SMTH1(waiting, waiting)", units="people"),
    ])
    flagged = {i.variable for i in dk.check_units(m)}
    assert flagged == {"bad_exp", "bad_smooth"}


def test_undeclared_units_are_not_checked():
    m = service(extra=[dk.Aux("anything", "waiting * 2"), dk.Aux("later", "anything + wait_time", units="year")])
    assert dk.check_units(m) == []


def test_default_is_a_warning_and_error_mode_raises():
    m = service("people").replace(check_units="warn")
    with pytest.warns(dk.UnitsWarning, match="served"):
        dk.simulate(m)
    with pytest.raises(dk.ModelError, match="units do not agree"):
        dk.simulate(m.replace(check_units="error"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dk.simulate(m.replace(check_units="off"))


def test_each_units_text_is_read_once_and_repeated_findings_are_all_reported(monkeypatch):
    import dpmkit.units

    read = []
    real = dpmkit.units.parse_units

    def counting(text):
        read.append(text)
        return real(text)

    monkeypatch.setattr(dpmkit.units, "parse_units", counting)
    m = dk.Model("ring", [
        dk.Param("rate", 0.1, units="1/year"),
        dk.Stock("a", 1, units="people"), dk.Stock("b", 1, units="people"),
        dk.Flow("ab", "a * rate", out_of="a", into="b", units="people/year"),
        dk.Flow("ba", "b * rate", out_of="b", into="a", units="people/year"),
        dk.Aux("x", "a", units="people ^"), dk.Aux("y", "b", units="people ^"),
    ], check_units="off")
    issues = [str(i) for i in dk.check_units(m)]
    assert sorted(read) == ["1/year", "people", "people ^", "people/year", "year"]
    assert issues == ["units of 'x': the power in units 'people ^' must be a number",
                      "units of 'y': the power in units 'people ^' must be a number"]


def test_a_flow_whose_units_disagree_is_named_at_every_stock_it_touches():
    m = dk.Model("m", [
        dk.Param("rate", 0.1, units="1/year"),
        dk.Stock("a", 1, units="people"), dk.Stock("b", 1, units="people"),
        dk.Flow("ab", "a * rate", out_of="a", into="b", units="people"),
        dk.Flow("ba", "b * rate", out_of="b", into="a", units="people/year"),
    ], check_units="off")
    issues = [str(i) for i in dk.check_units(m)]
    assert issues == [
        "units of 'ab': flow of stock 'a' (people) should be in people/year but is declared people",
        "units of 'ab': flow of stock 'b' (people) should be in people/year but is declared people",
        "units of 'ab': declared people but its equation gives people/year",
    ]
